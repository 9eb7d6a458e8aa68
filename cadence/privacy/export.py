"""Building a copy of one person's data as a zip: JSON files per kind, their files, and a README.

Only what is the person's own goes in, and only as they were shown it: their submissions and the grades
and feedback released to them, their quiz attempts as the attempt review shows them (no answer key the
quiz does not reveal), their notes, posts and the conversations they take part in, their events. Other
people appear by display name only, as on the pages the person could read.

Each collector reads one kind and returns its records; files are copied into the zip from storage.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import PurePosixPath
from typing import IO

from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils.text import get_valid_filename

from cadence.accounts.models import User
from cadence.assessment.models import AssignmentDraft, Attempt, Grade, Submission
from cadence.assessment.selectors import gradebook
from cadence.assessment.selectors.attempt_views import attempt_question_views
from cadence.community.models import Post
from cadence.content.models import StepTick
from cadence.courses.models import Membership, Role
from cadence.messaging.models import Message, Participant
from cadence.notifications.models import Notification
from cadence.notifications.selectors import delivery_settings_of
from cadence.progress.models import Completion, DailyActivity, Event, ItemProgress, Note

Record = dict[str, object]
CHUNK = 1024 * 1024


def _plain(value: object) -> object:
    """JSON for the values our models hold: aware datetimes in ISO 8601 (UTC), decimals as strings."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


@dataclass
class Bundle:
    """What goes in the zip: JSON documents by file name, and stored files by their path in the zip."""

    documents: dict[str, object] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)  # path in zip → storage name
    missing: list[str] = field(default_factory=list)  # files a row names but storage no longer has

    def add_file(self, folder: str, ident: object, filename: str, storage_name: str) -> str:
        stem = get_valid_filename(PurePosixPath(filename.replace("\\", "/")).name or "file")[:100] or "file"
        path = f"files/{folder}/{ident}-{stem}"
        self.files[path] = storage_name
        return path


def _profile(user: User, bundle: Bundle) -> Record:
    delivery = delivery_settings_of(user)
    return {
        "email": user.email,
        "display_name": user.display_name,
        "time_zone": user.time_zone,
        "language": user.language,
        "date_of_birth": user.birth_date,
        "joined": user.date_joined,
        "last_sign_in": user.last_login,
        "email_notifications": delivery.email_enabled,
        "api_tokens": [
            {"name": t.name, "created": t.created_at, "last_used": t.last_used_at, "revoked": t.revoked_at}
            for t in user.api_tokens.all()
        ],
    }


def _memberships(user: User, bundle: Bundle) -> list[Record]:
    rows = (
        Membership.objects.filter(user=user)
        .select_related("course")
        .prefetch_related("groups", "observers__user", "observed__user")
        .order_by("joined_at", "id")
    )
    return [
        {
            "course": m.course.title,
            "course_short_name": m.course.slug,
            "role": m.role,
            "joined": m.joined_at,
            "groups": [g.name for g in m.groups.all()],
            "observed_by": [o.user.display_name for o in m.observers.all()],
            "observes": [o.user.display_name for o in m.observed.all()],
        }
        for m in rows
    ]


def _released_grade(submission: Submission, bundle: Bundle) -> Record | None:
    grade: Grade | None = getattr(submission, "grade", None)
    if grade is None or grade.released_at is None:
        return None  # a grade not yet released is not yet the learner's to see
    return {
        "points": grade.points,
        "points_before_late_penalty": grade.raw_points,
        "late_penalty": grade.penalty_points,
        "out_of": submission.assignment.max_points,
        "comment": grade.comment,
        "criteria": grade.criteria,
        "graded": grade.graded_at,
        "released": grade.released_at,
        "feedback_files": [
            {"name": f.filename, "size": f.size, "path": bundle.add_file("feedback", f.pk, f.filename, f.file.name)}
            for f in grade.files.all()
        ],
    }


def _submissions(user: User, bundle: Bundle) -> Record:
    submissions = (
        Submission.objects.filter(user=user)
        .select_related("assignment__item__course", "grade")
        .prefetch_related("files", "grade__files")
        .order_by("submitted_at", "id")
    )
    drafts = AssignmentDraft.objects.filter(user=user).select_related("assignment__item__course").order_by("id")
    return {
        "submissions": [
            {
                "course": s.assignment.item.course.title,
                "assignment": s.assignment.item.title,
                "number": s.number,
                "submitted": s.submitted_at,
                "deadline": s.deadline_at,
                "late_by_seconds": s.late_seconds,
                "text": s.text,
                "address": s.url,
                "text_sha256": s.text_sha256,
                "files": [
                    {
                        "name": f.filename,
                        "size": f.size,
                        "sha256": f.sha256,
                        "path": bundle.add_file("submissions", f.pk, f.filename, f.file.name),
                    }
                    for f in s.files.all()
                ],
                "grade": _released_grade(s, bundle),
            }
            for s in submissions
        ],
        "drafts": [
            {
                "course": d.assignment.item.course.title,
                "assignment": d.assignment.item.title,
                "text": d.text,
                "address": d.url,
                "saved": d.updated_at,
            }
            for d in drafts
        ],
    }


def _attempts(user: User, bundle: Bundle, *, now: datetime) -> list[Record]:
    """Each attempt as its review page shows it to the learner: feedback only when the quiz releases it."""
    attempts = (
        Attempt.objects.filter(user=user)
        .select_related("quiz__item__course", "user")
        .prefetch_related("questions")
        .order_by("started_at", "id")
    )
    out: list[Record] = []
    for attempt in attempts:
        rows = sorted(attempt.questions.all(), key=lambda r: r.position)
        views = attempt_question_views(attempt, rows, now=now)
        revealed = any(v.revealed for v in views)
        out.append(
            {
                "course": attempt.quiz.item.course.title,
                "quiz": attempt.quiz.item.title,
                "number": attempt.number,
                "state": attempt.state,
                "started": attempt.started_at,
                "submitted": attempt.submitted_at,
                "score": attempt.score if revealed else None,
                "out_of": attempt.max_score,
                "questions": [
                    {
                        "number": v.number,
                        "question_html": str(v.html),
                        "points": v.points,
                        "choices": [{"html": str(c.html), "chosen": c.chosen, "right": c.right} for c in v.choices],
                        "pairs": [{"html": str(p.html), "chosen": p.chosen} for p in v.pairs],
                        "answer_text": v.text,
                        "right_answer": v.right_text,
                        "outcome": v.outcome,
                        "score_fraction": v.score_fraction,
                        "feedback_html": [str(f) for f in v.feedback],
                        "comment": row.comment if v.revealed else "",
                    }
                    for v, row in zip(views, rows, strict=True)
                ],
            }
        )
    return out


def _grades(user: User, bundle: Bundle) -> list[Record]:
    """Per course: the learner's own gradebook row, counting only what was released to them."""
    out: list[Record] = []
    for membership in Membership.objects.filter(user=user, role=Role.LEARNER).select_related("course"):
        book, row = gradebook.learner_row(membership.course, user)
        out.append(
            {
                "course": membership.course.title,
                "total_percent": row.total,
                "letter": row.letter,
                "items": [{"item": c.title, "percent": row.cells[c.item_id].percent} for c in book.columns],
                "categories": [{"category": r.name, "weight": r.weight, "percent": r.percent} for r in row.categories],
            }
        )
    return out


def _notes(user: User, bundle: Bundle) -> list[Record]:
    rows = Note.objects.filter(user=user).select_related("course", "item").order_by("created_at", "id")
    return [
        {
            "course": n.course.title,
            "item": n.item.title,
            "note": n.body,
            "highlighted_text": n.quote,
            "video_moment_seconds": n.at_seconds,
            "created": n.created_at,
            "updated": n.updated_at,
        }
        for n in rows
    ]


def _posts(user: User, bundle: Bundle) -> list[Record]:
    rows = Post.objects.filter(author=user).select_related("thread__forum", "course").order_by("created_at", "id")
    out: list[Record] = []
    for p in rows:
        attachment = None
        if p.file:
            attachment = {"name": p.filename, "path": bundle.add_file("posts", p.pk, p.filename, p.file.name)}
        out.append(
            {
                "course": p.course.title,
                "forum": p.thread.forum.title,
                "thread": p.thread.title,
                "title": p.title,
                "text": p.body,
                "written": p.created_at,
                "edited": p.edited_at,
                "deleted": p.deleted_at,
                "hidden_by_moderator": p.hidden_at,
                "upvotes": p.upvote_count,
                "attachment": attachment,
            }
        )
    return out


def _messages(user: User, bundle: Bundle) -> list[Record]:
    """The conversations the person takes part in, with every message in them (all of which they could read)."""
    mine = Participant.objects.filter(user=user).select_related("conversation__course").order_by("joined_at", "id")
    conversations = [p.conversation for p in mine]
    by_conversation: dict[int, list[Record]] = {c.pk: [] for c in conversations}
    messages = (
        Message.objects.filter(conversation_id__in=list(by_conversation))
        .select_related("sender")
        .order_by("created_at", "id")
    )
    for m in messages:
        by_conversation[m.conversation_id].append(
            {"from": "me" if m.sender_id == user.pk else m.sender.display_name, "sent": m.created_at, "text": m.body}
        )
    return [
        {
            "course": c.course.title,
            "kind": c.kind,
            "subject": c.subject,
            "started": c.created_at,
            "messages": by_conversation[c.pk],
        }
        for c in conversations
    ]


def _progress(user: User, bundle: Bundle) -> Record:
    return {
        "completions": [
            {"course": c.course.title, "item": c.item.title, "completed": c.completed_at, "how": c.source}
            for c in Completion.objects.filter(user=user).select_related("course", "item").order_by("completed_at")
        ],
        "item_progress": [
            {
                "course": p.course.title,
                "item": p.item.title,
                "first_viewed": p.first_viewed_at,
                "last_viewed": p.last_viewed_at,
                "video_position_seconds": p.position_seconds,
                "video_watched_percent": p.watched_percent,
                "active_seconds": p.active_seconds,
                "marked_for_review": p.marked_for_review,
            }
            for p in ItemProgress.objects.filter(user=user).select_related("course", "item").order_by("id")
        ],
        "daily_activity": [
            {"course": d.course.title, "day": d.day, "active_seconds": d.active_seconds}
            for d in DailyActivity.objects.filter(user=user).select_related("course").order_by("day", "id")
        ],
        "checklist_ticks": [
            {"item": t.step.checklist.item.title, "step": t.step.text, "ticked": t.ticked_at}
            for t in StepTick.objects.filter(user=user).select_related("step__checklist__item").order_by("id")
        ],
    }


def _events(user: User) -> Iterator[Record]:
    rows = Event.objects.filter(actor=user).order_by("timestamp", "id")
    for e in rows.iterator(chunk_size=2000):
        yield {
            "verb": e.verb,
            "course_id": e.course_id,
            "item_id": e.item_id,
            "object": f"{e.object_type}:{e.object_id}",
            "result": e.result,
            "context": e.context,
            "when": e.timestamp,
            "recorded": e.stored_at,
        }


def _notifications(user: User, bundle: Bundle) -> list[Record]:
    rows = Notification.objects.filter(recipient=user).order_by("created_at", "id")
    return [
        {"kind": n.kind, "title": n.title, "text": n.body, "created": n.created_at, "read": n.read_at} for n in rows
    ]


Collector = Callable[[User, Bundle], object]
COLLECTORS: dict[str, Collector] = {
    "profile.json": _profile,
    "memberships.json": _memberships,
    "submissions.json": _submissions,
    "grades.json": _grades,
    "notes.json": _notes,
    "posts.json": _posts,
    "messages.json": _messages,
    "progress.json": _progress,
    "notifications.json": _notifications,
}


def collect(user: User, *, now: datetime) -> Bundle:
    bundle = Bundle()
    for name, collector in COLLECTORS.items():
        bundle.documents[name] = collector(user, bundle)
    bundle.documents["attempts.json"] = _attempts(user, bundle, now=now)
    return bundle


def _write_json(archive: zipfile.ZipFile, name: str, value: object) -> None:
    archive.writestr(name, json.dumps(value, default=_plain, ensure_ascii=False, indent=2))


def _write_events(archive: zipfile.ZipFile, user: User) -> int:
    """Events can be many: written one JSON object per line, streamed, never all in memory."""
    count = 0
    with archive.open("events.jsonl", "w") as out:
        for record in _events(user):
            out.write(json.dumps(record, default=_plain, ensure_ascii=False).encode() + b"\n")
            count += 1
    return count


def write_zip(user: User, target: IO[bytes], *, now: datetime, requested_by: User) -> None:
    """Write the whole copy into `target` (a file opened for writing in binary)."""
    bundle = collect(user, now=now)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, value in bundle.documents.items():
            _write_json(archive, name, value)
        events = _write_events(archive, user)
        for path, storage_name in bundle.files.items():
            if not default_storage.exists(storage_name):
                bundle.missing.append(path)
                continue
            with default_storage.open(storage_name, "rb") as source, archive.open(path, "w") as out:
                while chunk := source.read(CHUNK):
                    out.write(chunk)
        readme = render_to_string(
            "privacy/export_readme.txt",
            {
                "user": user,
                "requested_by": requested_by,
                "now": now,
                "documents": sorted([*bundle.documents, "events.jsonl"]),
                "file_count": len(bundle.files) - len(bundle.missing),
                "missing": bundle.missing,
                "events": events,
            },
        )
        archive.writestr("README.txt", readme)

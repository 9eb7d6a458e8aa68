"""The demo tells a true story: each learner behaviour shows on the teacher's pages as it happened, and the demo's
content agrees with itself. One seed for the whole module (seeding is the slow part)."""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.db import transaction
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cadence.assessment.models import Attempt, AttemptQuestion, Grade, Question, QuizSlot
from cadence.community.models import Report
from cadence.content.models import ChecklistStep, Cue
from cadence.content.models import Video as VideoModel
from cadence.courses.models import Course, Item, Membership, Role
from cadence.demo import DemoAccounts, seed_demo, story_outline
from cadence.demo_story import BEHAVIOURS, Behaviour, Calendar, plan
from cadence.insights.models import LearnerStats
from cadence.insights.selectors import health, teaching
from cadence.messaging.models import Message
from cadence.progress.models import ItemProgress

pytestmark = pytest.mark.django_db
DAY = timedelta(days=1)
NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "ten": 10}


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[DemoAccounts]:
    """The demo, seeded once for this module inside a transaction rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        accounts = seed_demo()
        yield accounts
        transaction.set_rollback(True)


def _rows(demo: DemoAccounts, behaviour: Behaviour) -> list[LearnerStats]:
    ids = [u.pk for u, b in zip(demo.learners, BEHAVIOURS, strict=True) if b is behaviour]
    rows = list(LearnerStats.objects.filter(course=demo.course, user_id__in=ids))
    assert len(rows) == len(ids) > 0
    return rows


def _now(demo: DemoAccounts) -> datetime:
    return LearnerStats.objects.filter(course=demo.course).values_list("refreshed_at", flat=True)[0]


# --- The learners table -----------------------------------------------------------------------------------------
def test_steady_learners_are_low_risk_with_nothing_overdue_and_time_studied_this_week(demo: DemoAccounts) -> None:
    for row in _rows(demo, Behaviour.STEADY):
        assert (row.risk_level, row.overdue_count) == ("low", 0), row.display_name
        assert row.active_seconds_7d > 0 and row.last_active_at is not None
        assert _now(demo) - row.last_active_at < 7 * DAY
        assert row.pace in ("on_track", "ahead")


def test_fading_learners_are_at_risk_because_they_have_been_away_nine_days_or_more(demo: DemoAccounts) -> None:
    for row in _rows(demo, Behaviour.FADING):
        assert row.risk_level in ("medium", "high"), row.display_name
        away = [r for r in row.risk_reasons if r.startswith("no activity for")]
        assert away and int(away[0].split()[3]) >= 9
        assert row.active_seconds_7d == 0 and row.overdue_count >= 1


def test_procrastinators_hand_in_in_the_final_hour_and_are_busy_this_week(demo: DemoAccounts) -> None:
    for row in _rows(demo, Behaviour.PROCRASTINATING):
        assert "last 3 submissions in the final hour" in row.risk_reasons, row.display_name
        assert row.overdue_count == 0 and row.active_seconds_7d > 0


def test_struggling_learners_are_active_but_their_scores_fall_and_work_is_overdue(demo: DemoAccounts) -> None:
    for row in _rows(demo, Behaviour.STRUGGLING):
        assert row.risk_level in ("medium", "high"), row.display_name
        assert any(r.startswith("scores falling") for r in row.risk_reasons)
        assert row.overdue_count >= 1
        assert row.last_active_at is not None and _now(demo) - row.last_active_at < 2 * DAY


def test_returning_learners_answered_a_check_in_and_came_back(demo: DemoAccounts) -> None:
    for row in _rows(demo, Behaviour.RETURNING):
        check_in = Message.objects.get(
            conversation__course=demo.course, is_check_in=True, conversation__participants__user_id=row.user_id
        )
        reply = Message.objects.filter(conversation=check_in.conversation, sender_id=row.user_id).get()
        came_back = ItemProgress.objects.filter(
            user_id=row.user_id, course=demo.course, last_viewed_at__gt=reply.created_at
        )
        assert came_back.exists() and row.risk_level == "low"


def test_check_ins_say_only_how_long_the_learner_had_been_away(demo: DemoAccounts) -> None:
    messages = Message.objects.filter(conversation__course=demo.course, is_check_in=True)
    assert messages.count() >= 4
    for message in messages:
        learner = next(
            m.user
            for m in Membership.objects.filter(
                course=demo.course, role=Role.LEARNER, user__in=message.conversation.participants.values("user_id")
            ).select_related("user")
        )
        days = int(re.search(r"for (\d+) days", message.body).group(1))  # type: ignore[union-attr]
        last = ItemProgress.objects.filter(user=learner, course=demo.course, last_heartbeat_at__lt=message.created_at)
        seen = max(p.last_heartbeat_at for p in last if p.last_heartbeat_at is not None)
        assert days >= 9
        assert math.floor((message.created_at - seen) / DAY) >= days  # never more away than the data shows


def test_the_learners_table_page_shows_risk_reasons(demo: DemoAccounts) -> None:
    client = Client()
    client.force_login(demo.teacher)
    html = client.get(reverse("insights:learners-table", args=[demo.course.slug])).content.decode()
    assert "no activity for" in html and "scores falling" in html and "last 3 submissions in the final hour" in html


# --- Course health and the teacher's home --------------------------------------------------------------------------
def test_course_health_is_filled_at_once(demo: DemoAccounts) -> None:
    now = _now(demo)
    found = health.course_health(demo.teacher, demo.course, today=timezone.localdate(now), now=now)
    assert found.snapshot and found.learners == 30
    assert all(step.started > 0 for step in found.funnel)
    assert found.funnel[0].completed == 30 and found.funnel[-1].completed is not None
    assert len(found.weeks) == 8 and all(week.learners > 0 for week in found.weeks)
    assert len(found.videos) == 2 and all(v.viewers > 0 and v.biggest_drop for v in found.videos)
    assert found.revisited and found.revisited[0].learners >= 5
    assert found.questions.unanswered_count == 2 and found.questions.median_first_answer is not None
    assert found.turnaround.released > 30 and found.turnaround.median_hours


def test_teacher_home_lists_work_to_grade_questions_a_report_and_this_weeks_deadlines(demo: DemoAccounts) -> None:
    now = _now(demo)
    home = teaching.teaching_home(demo.teacher, now=now, today=timezone.localdate(now))
    [entry] = home.waiting
    assert entry.course == demo.course
    assert entry.to_grade >= 5 and entry.oldest_to_grade is not None and now - entry.oldest_to_grade > 2 * DAY
    assert (entry.questions, entry.forum_questions, entry.reports) == (1, 2, 1)
    assert {d.item.title for d in home.deadlines} == {"Find a misleading chart", "Final check"}
    assert Report.objects.get(course=demo.course).reason.startswith("Not helpful")


# --- The family view and graded work -------------------------------------------------------------------------------
def test_demo_parent_sees_the_followed_learners_released_grade_with_feedback(demo: DemoAccounts) -> None:
    latest = Grade.objects.filter(submission__user=demo.learners[0], released_at__isnull=False).latest("released_at")
    client = Client()
    client.force_login(demo.observer)
    html = client.get(reverse("families:home")).content.decode()
    assert demo.learners[0].display_name in html
    assert latest.comment.split(":")[0] in html


def test_graded_work_has_feedback_and_quiz_attempts_are_scored(demo: DemoAccounts) -> None:
    grades = Grade.objects.filter(submission__assignment__item__course=demo.course)
    assert grades.count() > 40 and not grades.filter(comment="").exists()
    assert not grades.filter(graded_at__lt=F("submission__submitted_at")).exists()
    attempts = Attempt.objects.filter(quiz__item__course=demo.course, state="submitted")
    assert attempts.count() > 50 and len({a.score for a in attempts}) >= 3


# --- Consistent content ------------------------------------------------------------------------------------------
def test_quiz_introductions_say_how_many_questions_an_attempt_has(demo: DemoAccounts) -> None:
    for item in Item.objects.filter(course=demo.course, kind="quiz"):
        said = NUMBERS[item.description.split()[0].lower()]
        slots = QuizSlot.objects.filter(quiz__item=item)
        drawn = sum(min(s.draw, Question.objects.filter(category=s.category).count()) for s in slots)
        assert said == drawn, item.title
        for attempt in Attempt.objects.filter(quiz__item=item):
            assert AttemptQuestion.objects.filter(attempt=attempt).count() == said


def test_each_video_has_its_own_clip_captions_and_transcript(demo: DemoAccounts) -> None:
    videos = list(VideoModel.objects.filter(item__course=demo.course).select_related("item"))
    assert len(videos) == 2
    clips = {hashlib.sha256(v.file.read()).hexdigest() for v in videos}
    transcripts = {" ".join(Cue.objects.filter(track__video=v).values_list("text", flat=True)) for v in videos}
    assert len(clips) == 2 and len(transcripts) == 2 and all(transcripts)
    assert "observation" in " ".join(transcripts) and "line" in " ".join(transcripts)


def test_course_titles_are_titles() -> None:
    for title in Course.objects.values_list("title", flat=True):
        assert not title.endswith(".") and "(" not in title and len(title) <= 60, title


def test_checklist_steps_name_only_items_that_exist(demo: DemoAccounts) -> None:
    titles = set(Item.objects.filter(course=demo.course).values_list("title", flat=True))
    for text in ChecklistStep.objects.filter(checklist__item__course=demo.course).values_list("text", flat=True):
        for named in re.findall(r"\*([^*]+)\*", text):
            assert named in titles or named == "profile", text
        assert "study block" not in text  # Cadence has no study blocks: never ask for one


def test_demo_course_items_show_their_content(demo: DemoAccounts) -> None:
    client = Client()
    client.force_login(demo.learners[0])
    for kind in ("lesson", "video", "checklist", "file", "link", "assignment"):
        item = Item.objects.filter(course=demo.course, kind=kind).first()
        assert item is not None
        page = client.get(reverse("courses:item-detail", args=[demo.course.slug, item.pk])).content.decode()
        for empty in ("has no text yet", "has not been added yet", "has no steps yet", "Nothing has been added"):
            assert empty not in page
    quiz = Item.objects.get(course=demo.course, title="Final check")
    assert (
        "Start the quiz"
        in client.get(reverse("courses:item-detail", args=[demo.course.slug, quiz.pk])).content.decode()
    )
    library = client.get(reverse("content:library", args=[demo.course.slug])).content.decode()
    assert "Glossary of data terms" in library and "Rainfall data set (CSV)" in library
    found = client.get(reverse("content:course-search", args=[demo.course.slug]), {"q": "observation"}).content.decode()
    assert "What is a data set?" in found and "Video transcript" in found  # the captions are searchable
    fading = demo.learners[BEHAVIOURS.index(Behaviour.FADING)]
    client.force_login(fading)
    home = client.get(reverse("home")).content.decode()
    assert "Spot the third variable" in home.split('id="overdue-heading"')[1]
    assert Membership.objects.filter(course=demo.course, role=Role.LEARNER).count() == 30


def test_the_story_is_the_same_for_the_same_moment() -> None:
    now = timezone.now()
    start = now - 56 * DAY
    outline = story_outline()
    deadlines = {n: start + item.due_day * DAY for n, item in enumerate(outline) if item.due_day is not None}
    calendar = Calendar(start=start, now=now, deadlines=deadlines)
    first, second = plan(outline, calendar, 30), plan(outline, calendar, 30)
    assert first == second
    assert [p.behaviour for p in first] == list(BEHAVIOURS)

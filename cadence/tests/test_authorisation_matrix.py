"""The authorisation matrix: every page and every API operation, for every kind of person.

Routes are discovered from the URL resolver and from the API's OpenAPI schema. Each must appear in
one of the two tables below, which say what each actor gets: a new route without a row fails
`test_every_page_is_in_the_matrix` or `test_every_api_operation_is_in_the_matrix`, and so does a
row whose route no longer exists. Each (row, actor) is then its own test.

Outcomes: a status code, or
- LOGIN: 302 to the sign-in page with ?next= (anonymous visitors of private pages);
- GO: a redirect that is the success path (not to the sign-in page, no error message);
- REFUSED: a redirect back with an error message: a rule of the domain said no and nothing changed;
- SIGNED_OUT: the sign-out redirect (to the sign-in page, without ?next=), session ended;
- ADMIN_LOGIN: the Django admin's own redirect to its sign-in page, for anyone but site administrators.
Denied means LOGIN, ADMIN_LOGIN, 401, 403 (may see the object but not act) or 404 (may not see it).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.contrib.messages import constants as message_levels
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from cadence.accounts.services import create_api_token
from cadence.accounts.tests.factories import UserFactory
from cadence.api import api
from cadence.assessment import models as assessment_models
from cadence.assessment.models import Question
from cadence.assessment.services import assignments, grading, quizzes
from cadence.assessment.tests import factories as assessment_factories
from cadence.community.tests import matrix_rows as community_rows
from cadence.content import services as content_services
from cadence.content.models import ChecklistStep, Resource
from cadence.content.tests.factories import SAMPLE_VTT, WEBM_HEAD, media_bytes, png_bytes, upload
from cadence.core.tests import matrix_rows as core_rows
from cadence.courses import services as course_services
from cadence.courses.models import Accommodation, DeadlineExtension, Item, Membership, Role
from cadence.courses.tests import matrix_rows as courses_rows
from cadence.courses.tests.factories import CourseFactory, ItemFactory, MembershipFactory
from cadence.families.tests import matrix_rows as families_rows
from cadence.insights.tests import matrix_rows as insights_rows
from cadence.messaging.tests import matrix_rows as messaging_rows
from cadence.notifications.tests import matrix_rows as notifications_rows
from cadence.privacy.tests import matrix_rows as privacy_rows
from cadence.tests.matrix import (
    ACTORS,
    ADMIN_LOGIN,
    ALLOWED,
    API,
    API_COURSE_EDIT,
    API_EDIT,
    API_READ,
    DENIED,
    GO,
    LEARNER_GO,
    LEARNER_ONLY_GO,
    LOGIN,
    MEMBERS_OK,
    OK,
    REFUSED,
    SERVED_BUT_REFUSED,
    SIGNED_OUT,
    STAFF_GO,
    STAFF_ONLY,
    TEACHERS_GO,
    TEACHERS_ONLY,
    Case,
    Ctx,
    Outcome,
    Req,
    Row,
    call,
    const,
    course_path,
    everyone,
    item_path,
    learner_membership_path,
    module_path,
    page,
    signed_in,
    slug,
    url,
)  # fmt: skip
from conftest import CourseWorld

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(shared_world: CourseWorld) -> CourseWorld:
    """Built once for the module: these tests only read it or change it through the database (rolled back)."""
    return shared_world


def course_form(c: Ctx) -> dict[str, str]:
    course = c.world.course
    return {
        "title": "Data Literacy, revised",
        "slug": course.slug,
        "summary": course.summary,
        "time_zone": "UTC",
        "pacing": course.pacing,
        "visibility": course.visibility,
        "enrolment": course.enrolment,
    }


def new_course_form(c: Ctx) -> dict[str, str]:
    return course_form(c) | {"title": "Statistics", "slug": "statistics", "visibility": "draft"}


def item_form(c: Ctx) -> dict[str, object]:
    return {
        "title": "Reading",
        "kind": "lesson",
        "module": c.world.modules[0].pk,
        "is_published": "on",
        "is_required": "on",
        "completion_rule": "viewed",
        "completion_threshold": 80,
    }


def roster_upload(c: Ctx) -> dict[str, object]:
    csv = b"email,name,role,group\nnew.person@example.org,New Person,learner,Group A\n"
    return {"file": SimpleUploadedFile("roster.csv", csv, content_type="text/csv")}


def my_invitation(name: str, *, addressed_to_actor: bool = True) -> Callable[[Ctx], str]:
    """An invitation to another course, sent to the actor's own email (or to someone else's)."""

    def build(c: Ctx) -> str:
        teacher = UserFactory()
        course = CourseFactory()
        MembershipFactory(course=course, user=teacher, role=Role.TEACHER)
        email = c.user.email if c.user and addressed_to_actor else "someone.else@example.org"
        invitation = course_services.invite(actor=teacher, course=course, email=email, now=timezone.now())
        return reverse(name, args=[invitation.pk])

    return build


def reset_link(c: Ctx) -> str:
    user = c.someone()
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("accounts:password-reset-confirm", args=[uid, default_token_generator.make_token(user)])


# Content: lessons, videos and checklists, each made fresh by the teacher through the services.
def content_item(c: Ctx, kind: str, *, is_published: bool = True) -> Item:
    return ItemFactory.create(
        module=c.world.modules[0], kind=kind, title=f"A {kind}", position=97, is_published=is_published,
        completion_rule="checklist" if kind == "checklist" else "viewed",
    )  # fmt: skip


def lesson_item(c: Ctx) -> Item:
    return content_item(c, "lesson")


def course_image(c: Ctx) -> str:
    item = lesson_item(c)
    image = content_services.upload_image(
        actor=c.world.teacher, item=item, upload=upload("chart.png", png_bytes()), alt_text="Rainfall"
    )
    return reverse("content:image-file", args=[c.slug, image.pk, image.filename])


def video_item(c: Ctx, *, is_published: bool = True) -> Item:
    item = content_item(c, "video", is_published=is_published)
    content_services.save_video(actor=c.world.teacher, item=item, upload=upload("talk.webm", media_bytes(WEBM_HEAD)))
    return item


def caption_track(c: Ctx) -> tuple[Item, int]:
    item = video_item(c)
    track = content_services.add_captions(
        actor=c.world.teacher, item=item, label="English", language="en", upload=upload("en.vtt", SAMPLE_VTT.encode())
    )
    return item, track.pk


def checklist_step(c: Ctx) -> tuple[Item, int]:
    item = content_item(c, "checklist")
    content_services.save_checklist(actor=c.world.teacher, item=item, steps=[content_services.StepInput(None, "Do it")])
    return item, ChecklistStep.objects.get(checklist__item=item).pk


def steps_form(c: Ctx) -> dict[str, str]:
    return {
        "steps-TOTAL_FORMS": "1", "steps-INITIAL_FORMS": "0", "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "100", "steps-0-text": "Set your time zone", "steps-0-position": "",
    }  # fmt: skip


def content_url(name: str, make: Callable[[Ctx], Item]) -> Callable[[Ctx], str]:
    return lambda c: reverse(name, args=[c.slug, make(c).pk])


def track_url(name: str) -> Callable[[Ctx], str]:
    def build(c: Ctx) -> str:
        item, track_id = caption_track(c)
        return reverse(name, args=[c.slug, item.pk, track_id])

    return build


PDF = b"%PDF-1.4\n% a tiny test document\n"


def library_resource(c: Ctx, *, is_published: bool = True, link: bool = False) -> Resource:
    data = content_services.ResourceInput(
        title="Reading list", url="https://example.org/reading" if link else "", is_published=is_published
    )
    return content_services.save_resource(
        actor=c.world.teacher, course=c.world.course, data=data, upload=None if link else upload("notes.pdf", PDF)
    )


def resource_url(name: str, **options: bool) -> Callable[[Ctx], str]:
    def build(c: Ctx) -> str:
        resource = library_resource(c, **options)
        args = [c.slug, resource.pk] + ([resource.filename] if name == "content:resource-file" else [])
        return reverse(name, args=args)

    return build


def resource_form(c: Ctx) -> dict[str, str]:
    return {"title": "Glossary", "url": "https://example.org/glossary", "tags": "week 1", "is_published": "on"}


# Assessment: a bank question and a quiz made by the teacher; an attempt begun by the learner.
def bank_question(c: Ctx) -> Question:
    return assessment_factories.question(c.world.teacher, c.world.course)


def bank_url(name: str) -> Callable[[Ctx], str]:
    return lambda c: reverse(name, args=[c.slug, bank_question(c).pk])


def quiz(c: Ctx) -> Item:
    item, _quiz = assessment_factories.quiz_item(c.world.teacher, c.world.modules[0], bank_question(c))
    return item


def slot_url(name: str) -> Callable[[Ctx], str]:
    def build(c: Ctx) -> str:
        item = quiz(c)
        return reverse(name, args=[c.slug, item.pk, item.quiz.slots.get().pk])

    return build


def attempt_url(name: str) -> Callable[[Ctx], str]:
    def build(c: Ctx) -> str:
        attempt = quizzes.start_attempt(user=c.world.learner, quiz=quiz(c).quiz, now=timezone.now())
        return reverse(name, args=[c.slug, attempt.pk])

    return build


def item_with_deadline(c: Ctx) -> Item:
    item = c.fresh_item()
    Item.objects.filter(pk=item.pk).update(due_date=timezone.now().date())
    return item


def extension_url(c: Ctx) -> str:
    item = item_with_deadline(c)
    extension = DeadlineExtension.objects.create(item=item, user=c.world.learner, due_at=timezone.now())
    return reverse("courses:extension-revoke", args=[c.slug, item.pk, extension.pk])


def accommodation_remove_url(c: Ctx) -> str:
    row = Accommodation.objects.create(
        course=c.world.course, membership=c.world.learner_membership, time_multiplier=Decimal("1.5")
    )
    return reverse("courses:accommodation-remove", args=[c.slug, row.pk])


def assignment_item(c: Ctx) -> Item:
    return ItemFactory.create(module=c.world.modules[0], kind="assignment", title="Essay", position=96)


def submission_url(name: str) -> Callable[[Ctx], str]:
    def build(c: Ctx) -> str:
        assignment = assignments.assignment_for(assignment_item(c))
        submission = assignments.submit(
            user=c.world.learner,
            assignment=assignment,
            data=assignments.SubmissionInput(key="matrix", text="Essay", files=[upload("essay.pdf", PDF)]),
            now=timezone.now(),
        )
        args: list[object] = [c.slug, submission.pk]
        if name == "assessment:submission-file":
            args.append(submission.files.get().pk)
        return reverse(name, args=args)

    return build


def assignment_settings_form(c: Ctx) -> dict[str, object]:
    return {"accept_text": "on", "max_files": 3, "max_file_mb": 20, "late_policy": "flag",
            "penalty_percent_per_day": 10, "max_points": 100, "grade_release": "manual"}  # fmt: skip


def feedback_file_url(c: Ctx) -> str:
    receipt = submission_url("assessment:receipt")(c)
    submission = assessment_models.Submission.objects.latest("id")
    grade = grading.grade_submission(
        grader=c.world.teacher, submission=submission, data=grading.GradeInput(points=Decimal(50), release=True),
        now=timezone.now(),
    )  # fmt: skip
    feedback = grading.attach_feedback_file(grader=c.world.teacher, grade=grade, upload=upload("notes.pdf", PDF))
    return receipt.rstrip("/") + f"/feedback/{feedback.pk}/"


def essay_attempt_url(c: Ctx) -> str:
    essay = assessment_factories.question(c.world.teacher, c.world.course, assessment_factories.ESSAY)
    _item, quiz_ = assessment_factories.quiz_item(c.world.teacher, c.world.modules[0], essay)
    attempt = quizzes.start_attempt(user=c.world.learner, quiz=quiz_, now=timezone.now())
    quizzes.submit_attempt(
        user=c.world.learner, attempt_id=attempt.pk, now=timezone.now(), answers=[quizzes.AnswerInput(1, {"text": "x"})]
    )
    return reverse("assessment:grade-attempt", args=[c.slug, attempt.pk])


def tf_question_form(c: Ctx) -> dict[str, str]:
    return {"text": "The median resists outliers.", "points": "1", "statement_is": "true"}


def step_tick_url(c: Ctx) -> str:
    item, step_id = checklist_step(c)
    return reverse("content:step-tick", args=[c.slug, item.pk, step_id])


PAGES: dict[str, Case] = {
    "GET home": Case(page("GET", url("home")), signed_in(OK)),
    "GET healthz": Case(page("GET", url("healthz")), everyone(OK)),
    "GET admin:index": Case(
        page("GET", url("admin:index")),
        Row(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, OK, ADMIN_LOGIN),
    ),
    "GET join-code": Case(page("GET", url("join-code")), signed_in(OK)),
    "GET invitation-accept": Case(
        page("GET", lambda c: reverse("invitation-accept", args=[c.invitation_token(c.someone().email)])),
        everyone(OK),
    ),
    # The invitation is addressed to the actor: people already in the course get 409.
    "POST invitation-accept": Case(
        page(
            "POST",
            lambda c: reverse(
                "invitation-accept", args=[c.invitation_token(c.user.email if c.user else "new@example.org")]
            ),
        ),
        Row(OK, GO, 409, 409, 409, GO, 409),
    ),
    "POST invitation-accept [someone else's invitation]": Case(
        page("POST", lambda c: reverse("invitation-accept", args=[c.invitation_token("someone@example.org")])),
        Row(OK, 403, 403, 403, 403, 403, 403),
    ),
    # Invitations waiting on the home page: answered only by the person they were sent to.
    "POST my-invitation-accept": Case(page("POST", my_invitation("my-invitation-accept")), signed_in(GO)),
    "POST my-invitation-accept [someone else's invitation]": Case(
        page("POST", my_invitation("my-invitation-accept", addressed_to_actor=False)), signed_in(404)
    ),
    "POST my-invitation-decline": Case(page("POST", my_invitation("my-invitation-decline")), signed_in(GO)),
    "POST my-invitation-decline [someone else's invitation]": Case(
        page("POST", my_invitation("my-invitation-decline", addressed_to_actor=False)), signed_in(404)
    ),
    # Accounts
    "GET accounts:signup": Case(page("GET", url("accounts:signup")), signed_in(GO, anonymous=OK)),
    "GET accounts:login": Case(page("GET", url("accounts:login")), signed_in(GO, anonymous=OK)),
    "POST accounts:logout": Case(page("POST", url("accounts:logout")), signed_in(SIGNED_OUT)),
    "GET accounts:password-reset": Case(page("GET", url("accounts:password-reset")), everyone(OK)),
    "GET accounts:password-reset-done": Case(page("GET", url("accounts:password-reset-done")), everyone(OK)),
    "GET accounts:password-reset-confirm": Case(page("GET", reset_link), everyone(GO)),
    "GET accounts:password-reset-complete": Case(page("GET", url("accounts:password-reset-complete")), everyone(OK)),
    "GET accounts:password-change": Case(page("GET", url("accounts:password-change")), signed_in(OK)),
    "GET accounts:profile": Case(page("GET", url("accounts:profile")), signed_in(OK)),
    "GET accounts:token-list": Case(page("GET", url("accounts:token-list")), signed_in(OK)),
    "POST accounts:token-revoke [own token]": Case(
        page("POST", lambda c: reverse("accounts:token-revoke", args=[c.token_of(c.someone()).pk])),
        signed_in(GO),
    ),
    "POST accounts:token-revoke [someone else's token]": Case(
        page("POST", lambda c: reverse("accounts:token-revoke", args=[c.token_of(UserFactory()).pk])),
        signed_in(404),
    ),
    # Courses
    "GET courses:catalogue": Case(page("GET", url("courses:catalogue")), everyone(OK)),
    "GET courses:course-create": Case(
        page("GET", url("courses:course-create")), Row(LOGIN, 403, 403, 403, 403, OK, 403)
    ),
    "POST courses:course-create": Case(
        page("POST", url("courses:course-create"), new_course_form), Row(LOGIN, 403, 403, 403, 403, GO, 403)
    ),
    "GET courses:course-detail": Case(page("GET", url("courses:course-detail", slug)), everyone(OK)),
    "GET courses:module-detail": Case(
        page("GET", lambda c: reverse("courses:module-detail", args=[c.slug, c.world.modules[0].pk])),
        Row(LOGIN, 403, OK, OK, OK, OK, OK),
    ),
    "GET courses:module-detail [hidden module]": Case(
        page("GET", lambda c: reverse("courses:module-detail", args=[c.slug, c.hidden_module().pk])),
        Row(LOGIN, 403, 404, OK, OK, OK, 404),
    ),
    "GET courses:course-edit": Case(page("GET", url("courses:course-edit", slug)), TEACHERS_ONLY),
    "POST courses:course-edit": Case(page("POST", url("courses:course-edit", slug), course_form), TEACHERS_GO),
    # Members may not join again: the view says so and sends them back.
    "POST courses:course-join": Case(
        page("POST", url("courses:course-join", slug)), Row(LOGIN, GO, REFUSED, REFUSED, REFUSED, GO, REFUSED)
    ),
    "POST courses:course-preview": Case(
        page("POST", url("courses:course-preview", slug)), Row(LOGIN, 403, 403, GO, GO, GO, 403)
    ),
    "GET courses:people": Case(page("GET", url("courses:people", slug)), STAFF_ONLY),
    "POST courses:people-add": Case(
        page("POST", url("courses:people-add", slug), lambda c: {"email": "new@example.org", "role": "learner"}),
        TEACHERS_GO,
    ),
    "GET courses:roster-import": Case(page("GET", url("courses:roster-import", slug)), TEACHERS_ONLY),
    "POST courses:roster-import": Case(page("POST", url("courses:roster-import", slug), roster_upload), TEACHERS_ONLY),
    "POST courses:code-regenerate": Case(page("POST", url("courses:code-regenerate", slug)), TEACHERS_GO),
    "POST courses:group-create": Case(
        page("POST", url("courses:group-create", slug), lambda c: {"name": "Group B"}), TEACHERS_GO
    ),
    "POST courses:membership-role": Case(
        page(
            "POST",
            lambda c: reverse("courses:membership-role", args=[c.slug, c.fresh_learner().pk]),
            lambda c: {"role": "ta"},
        ),
        TEACHERS_GO,
    ),
    "POST courses:membership-groups": Case(
        page(
            "POST",
            lambda c: reverse("courses:membership-groups", args=[c.slug, c.world.learner_membership.pk]),
            lambda c: {
                "groups": [course_services.create_group(actor=c.world.teacher, course=c.world.course, name="A").pk]
            },
        ),
        TEACHERS_GO,
    ),
    "POST courses:observer-link": Case(
        page(
            "POST",
            lambda c: reverse(
                "courses:observer-link",
                args=[c.slug, Membership.objects.get(user=c.world.observer, course=c.world.course).pk],
            ),
            lambda c: {"learner": c.fresh_learner().pk},
        ),
        TEACHERS_GO,
    ),
    "POST courses:membership-remove": Case(
        page("POST", lambda c: reverse("courses:membership-remove", args=[c.slug, c.fresh_learner().pk])),
        TEACHERS_GO,
    ),
    "GET courses:module-create": Case(page("GET", url("courses:module-create", slug)), TEACHERS_ONLY),
    "POST courses:module-create": Case(
        page("POST", url("courses:module-create", slug), lambda c: {"title": "Module 3", "is_published": "on"}),
        TEACHERS_GO,
    ),
    "GET courses:module-edit": Case(
        page("GET", lambda c: reverse("courses:module-edit", args=[c.slug, c.world.modules[0].pk])), TEACHERS_ONLY
    ),
    "POST courses:module-edit": Case(
        page(
            "POST",
            lambda c: reverse("courses:module-edit", args=[c.slug, c.world.modules[0].pk]),
            lambda c: {"title": "Module renamed", "is_published": "on"},
        ),
        TEACHERS_GO,
    ),
    "POST courses:module-delete": Case(
        page("POST", lambda c: reverse("courses:module-delete", args=[c.slug, c.fresh_module().pk])), TEACHERS_GO
    ),
    "POST courses:module-move": Case(
        page(
            "POST",
            lambda c: reverse("courses:module-move", args=[c.slug, c.world.modules[0].pk]),
            lambda c: {"direction": "down"},
        ),
        TEACHERS_GO,
    ),
    "GET courses:item-create": Case(
        page("GET", lambda c: reverse("courses:item-create", args=[c.slug, c.world.modules[0].pk])), TEACHERS_ONLY
    ),
    "POST courses:item-create": Case(
        page("POST", lambda c: reverse("courses:item-create", args=[c.slug, c.world.modules[0].pk]), item_form),
        TEACHERS_GO,
    ),
    # Outsiders can find the course in the catalogue, so they learn they may not enter (403).
    "GET courses:item-detail": Case(
        page("GET", lambda c: reverse("courses:item-detail", args=[c.slug, c.world.items[0].pk])),
        Row(LOGIN, 403, OK, OK, OK, OK, OK),
    ),
    "GET courses:item-detail [unpublished item]": Case(
        page("GET", lambda c: reverse("courses:item-detail", args=[c.slug, c.fresh_item(is_published=False).pk])),
        Row(LOGIN, 403, 404, OK, OK, OK, 404),
    ),
    "GET courses:item-edit": Case(
        page("GET", lambda c: reverse("courses:item-edit", args=[c.slug, c.world.items[0].pk])), TEACHERS_ONLY
    ),
    "POST courses:item-edit": Case(
        page("POST", lambda c: reverse("courses:item-edit", args=[c.slug, c.world.items[0].pk]), item_form),
        TEACHERS_GO,
    ),
    "POST courses:item-delete": Case(
        page("POST", lambda c: reverse("courses:item-delete", args=[c.slug, c.fresh_item().pk])), TEACHERS_GO
    ),
    "POST courses:item-move": Case(
        page(
            "POST",
            lambda c: reverse("courses:item-move", args=[c.slug, c.world.items[0].pk]),
            lambda c: {"direction": "down"},
        ),
        TEACHERS_GO,
    ),
    # Content. Outsiders can find the course in the catalogue, so they learn they may not enter (403).
    "GET content:lesson-edit": Case(page("GET", content_url("content:lesson-edit", lesson_item)), TEACHERS_ONLY),
    "POST content:lesson-edit": Case(
        page("POST", content_url("content:lesson-edit", lesson_item), lambda c: {"body": "# Hello"}), TEACHERS_GO
    ),
    "POST content:lesson-preview": Case(
        page("POST", content_url("content:lesson-preview", lesson_item), lambda c: {"body": "# Hello"}),
        TEACHERS_ONLY,
    ),
    "POST content:image-upload": Case(
        page(
            "POST",
            content_url("content:image-upload", lesson_item),
            lambda c: {"file": upload("chart.png", png_bytes()), "alt_text": "Rainfall"},
        ),
        TEACHERS_GO,
    ),
    "GET content:image-file": Case(page("GET", course_image), Row(LOGIN, 403, OK, OK, OK, OK, OK)),
    "GET content:video-edit": Case(page("GET", content_url("content:video-edit", video_item)), TEACHERS_ONLY),
    "POST content:video-edit": Case(
        page(
            "POST",
            content_url("content:video-edit", video_item),
            lambda c: {"external_url": "https://media.example.org/a.webm", "duration": "1:30"},
        ),
        TEACHERS_GO,
    ),
    "GET content:video-file": Case(
        page("GET", content_url("content:video-file", video_item)), Row(LOGIN, 403, OK, OK, OK, OK, OK)
    ),
    "GET content:video-file [unpublished item]": Case(
        page("GET", content_url("content:video-file", lambda c: video_item(c, is_published=False))),
        Row(LOGIN, 403, 404, OK, OK, OK, 404),
    ),
    # Without htmx the transcript search sends people to the item page, which shows it.
    "GET content:transcript": Case(
        page("GET", content_url("content:transcript", video_item)), Row(LOGIN, 403, GO, GO, GO, GO, GO)
    ),
    "POST content:caption-upload": Case(
        page(
            "POST",
            content_url("content:caption-upload", video_item),
            lambda c: {"label": "English", "language": "en", "file": upload("en.vtt", SAMPLE_VTT.encode())},
        ),
        TEACHERS_GO,
    ),
    "GET content:caption-file": Case(
        page("GET", track_url("content:caption-file")), Row(LOGIN, 403, OK, OK, OK, OK, OK)
    ),
    "POST content:caption-delete": Case(page("POST", track_url("content:caption-delete")), TEACHERS_GO),
    "GET content:checklist-edit": Case(
        page("GET", content_url("content:checklist-edit", lambda c: content_item(c, "checklist"))), TEACHERS_ONLY
    ),
    "POST content:checklist-edit": Case(
        page("POST", content_url("content:checklist-edit", lambda c: content_item(c, "checklist")), steps_form),
        TEACHERS_GO,
    ),
    # Everyone who may see the checklist ticks steps (only learners' ticks complete it); observers only watch.
    # The library: members read; the resource of an unpublished entry is hidden from learners and observers.
    "GET content:library": Case(page("GET", lambda c: reverse("content:library", args=[c.slug])), MEMBERS_OK),
    "GET content:resource-create": Case(
        page("GET", lambda c: reverse("content:resource-create", args=[c.slug])), TEACHERS_ONLY
    ),
    "POST content:resource-create": Case(
        page("POST", lambda c: reverse("content:resource-create", args=[c.slug]), resource_form), TEACHERS_GO
    ),
    "GET content:resource-edit": Case(page("GET", resource_url("content:resource-edit")), TEACHERS_ONLY),
    "POST content:resource-edit": Case(page("POST", resource_url("content:resource-edit"), resource_form), TEACHERS_GO),
    "POST content:resource-delete": Case(page("POST", resource_url("content:resource-delete")), TEACHERS_GO),
    "GET content:resource-file": Case(page("GET", resource_url("content:resource-file")), MEMBERS_OK),
    "GET content:resource-file [hidden resource]": Case(
        page("GET", resource_url("content:resource-file", is_published=False)), Row(LOGIN, 403, 404, OK, OK, OK, 404)
    ),
    "GET content:resource-open": Case(
        page("GET", resource_url("content:resource-open", link=True)), Row(LOGIN, 403, GO, GO, GO, GO, GO)
    ),
    "GET content:item-resource-edit": Case(
        page("GET", content_url("content:item-resource-edit", lambda c: content_item(c, "file"))), TEACHERS_ONLY
    ),
    "POST content:item-resource-edit": Case(
        page("POST", content_url("content:item-resource-edit", lambda c: content_item(c, "link")), resource_form),
        TEACHERS_GO,
    ),
    "GET content:course-search": Case(
        page("GET", lambda c: reverse("content:course-search", args=[c.slug]) + "?q=reading"), MEMBERS_OK
    ),
    "GET courses:item-extensions": Case(
        page("GET", content_url("courses:item-extensions", item_with_deadline)), TEACHERS_ONLY
    ),
    "POST courses:item-extensions": Case(
        page(
            "POST",
            content_url("courses:item-extensions", item_with_deadline),
            lambda c: {
                "learner": c.world.learner_membership.pk,
                "kind": "moment",
                "due_at": "2030-01-01T12:00",
                "time_zone": "Europe/London",
            },
        ),
        TEACHERS_GO,
    ),
    "POST courses:extension-revoke": Case(page("POST", extension_url), TEACHERS_GO),
    # Accommodations: the course's staff see them; teachers give and remove them.
    "GET courses:accommodations": Case(page("GET", url("courses:accommodations", slug)), STAFF_ONLY),
    "POST courses:accommodations": Case(
        page(
            "POST",
            url("courses:accommodations", slug),
            lambda c: {
                "learner": c.world.learner_membership.pk,
                "time_multiplier": "1.5",
                "extra_attempts": "1",
                "extension_days": "2",
            },
        ),
        TEACHERS_GO,
    ),
    "POST courses:accommodation-remove": Case(page("POST", accommodation_remove_url), TEACHERS_GO),
    # Assignments: teachers set them; only learners submit; a submission is seen by its learner, staff, observer.
    "GET assessment:assignment-edit": Case(
        page("GET", content_url("assessment:assignment-edit", assignment_item)), TEACHERS_ONLY
    ),
    "POST assessment:assignment-edit": Case(
        page("POST", content_url("assessment:assignment-edit", assignment_item), assignment_settings_form),
        TEACHERS_GO,
    ),
    "POST assessment:draft": Case(
        page("POST", content_url("assessment:draft", assignment_item), lambda c: {"text": "Half"}),
        LEARNER_ONLY_GO,
    ),
    "POST assessment:submit": Case(
        page("POST", content_url("assessment:submit", assignment_item), lambda c: {"key": "k", "text": "Essay"}),
        LEARNER_ONLY_GO,
    ),
    "GET assessment:receipt": Case(page("GET", submission_url("assessment:receipt")), MEMBERS_OK),
    "GET assessment:submission-file": Case(page("GET", submission_url("assessment:submission-file")), MEMBERS_OK),
    # Grading: teachers and TAs grade; teachers release grades and write rubrics.
    "GET assessment:feedback-file": Case(page("GET", feedback_file_url), MEMBERS_OK),
    "GET assessment:gradebook": Case(page("GET", lambda c: reverse("assessment:gradebook", args=[c.slug])), STAFF_ONLY),
    "GET assessment:gradebook-export": Case(
        page("GET", lambda c: reverse("assessment:gradebook-export", args=[c.slug])), STAFF_ONLY
    ),
    "GET assessment:gradebook-setup": Case(
        page("GET", lambda c: reverse("assessment:gradebook-setup", args=[c.slug])), TEACHERS_ONLY
    ),
    "POST assessment:gradebook-setup": Case(
        page(
            "POST",
            lambda c: reverse("assessment:gradebook-setup", args=[c.slug]),
            lambda c: {"categories": "Quizzes: 50", "letters": "A 90"},
        ),
        TEACHERS_GO,
    ),
    "GET assessment:grade-override": Case(
        page("GET", lambda c: reverse("assessment:grade-override", args=[c.slug, quiz(c).pk, c.world.learner.pk])),
        TEACHERS_ONLY,
    ),
    "POST assessment:grade-override": Case(
        page(
            "POST",
            lambda c: reverse("assessment:grade-override", args=[c.slug, quiz(c).pk, c.world.learner.pk]),
            lambda c: {"percent": "80", "reason": "Appeal"},
        ),
        TEACHERS_GO,
    ),
    "GET assessment:my-grades": Case(page("GET", lambda c: reverse("assessment:my-grades", args=[c.slug])), MEMBERS_OK),
    "GET assessment:quiz-analysis": Case(page("GET", content_url("assessment:quiz-analysis", quiz)), STAFF_ONLY),
    "GET assessment:grading-queue": Case(
        page("GET", lambda c: reverse("assessment:grading-queue", args=[c.slug])), STAFF_ONLY
    ),
    "GET assessment:grade-submission": Case(
        page(
            "GET", lambda c: submission_url("assessment:receipt")(c).replace("/submissions/", "/grading/submissions/")
        ),
        STAFF_ONLY,
    ),
    "POST assessment:grade-submission": Case(
        page(
            "POST",
            lambda c: submission_url("assessment:receipt")(c).replace("/submissions/", "/grading/submissions/"),
            lambda c: {"points": "50", "comment": "Good"},
        ),
        STAFF_GO,
    ),
    "GET assessment:grade-attempt": Case(page("GET", essay_attempt_url), STAFF_ONLY),
    "POST assessment:grade-attempt": Case(page("POST", essay_attempt_url, lambda c: {"points-1": "1"}), STAFF_GO),
    "POST assessment:release-grades": Case(
        page("POST", content_url("assessment:release-grades", assignment_item)), TEACHERS_GO
    ),
    "GET assessment:rubrics": Case(page("GET", lambda c: reverse("assessment:rubrics", args=[c.slug])), STAFF_ONLY),
    "POST assessment:rubrics": Case(
        page(
            "POST",
            lambda c: reverse("assessment:rubrics", args=[c.slug]),
            lambda c: {"title": "Essay", "source": "Argument\n- 2 Clear\n- 0 Missing"},
        ),
        TEACHERS_GO,
    ),
    # The question bank is the staff's; teachers change it, TAs read it.
    "GET assessment:bank": Case(page("GET", lambda c: reverse("assessment:bank", args=[c.slug])), STAFF_ONLY),
    "GET assessment:question-create": Case(
        page("GET", lambda c: reverse("assessment:question-create", args=[c.slug]) + "?type=single"), TEACHERS_ONLY
    ),
    "POST assessment:question-create": Case(
        page(
            "POST",
            lambda c: reverse("assessment:question-create", args=[c.slug]) + "?type=true_false",
            tf_question_form,
        ),
        TEACHERS_GO,
    ),
    "GET assessment:question-preview": Case(page("GET", bank_url("assessment:question-preview")), STAFF_ONLY),
    "POST assessment:question-preview": Case(
        page("POST", bank_url("assessment:question-preview"), lambda c: {"q-choice": "0"}), STAFF_ONLY
    ),
    "GET assessment:question-edit": Case(page("GET", bank_url("assessment:question-edit")), TEACHERS_ONLY),
    "POST assessment:question-edit": Case(
        page(
            "POST",
            bank_url("assessment:question-edit"),
            lambda c: {
                "text": "Which?",
                "points": "1",
                "options-TOTAL_FORMS": "2",
                "options-INITIAL_FORMS": "0",
                "options-0-text": "A",
                "options-0-credit": "100",
                "options-1-text": "B",
                "options-1-credit": "0",
            },
        ),
        TEACHERS_GO,
    ),
    "POST assessment:question-archive": Case(
        page("POST", bank_url("assessment:question-archive"), lambda c: {"archived": "1"}), TEACHERS_GO
    ),
    "GET assessment:gift-import": Case(
        page("GET", lambda c: reverse("assessment:gift-import", args=[c.slug])), TEACHERS_ONLY
    ),
    "POST assessment:gift-import": Case(
        page(
            "POST",
            lambda c: reverse("assessment:gift-import", args=[c.slug]),
            lambda c: {"text": "Is it? {T}", "action": "preview"},
        ),
        TEACHERS_ONLY,
    ),
    "GET assessment:gift-export": Case(
        page("GET", lambda c: reverse("assessment:gift-export", args=[c.slug])), STAFF_ONLY
    ),
    "GET assessment:csv-export": Case(
        page("GET", lambda c: reverse("assessment:csv-export", args=[c.slug])), STAFF_ONLY
    ),
    # Quizzes: teachers build them; a learner's attempt is theirs to answer; staff and observers may look.
    "GET assessment:quiz-edit": Case(page("GET", content_url("assessment:quiz-edit", quiz)), TEACHERS_ONLY),
    "POST assessment:slot-add": Case(
        page("POST", content_url("assessment:slot-add", quiz), lambda c: {"question": bank_question(c).pk}),
        TEACHERS_GO,
    ),
    "POST assessment:slot-remove": Case(page("POST", slot_url("assessment:slot-remove")), TEACHERS_GO),
    "POST assessment:slot-move": Case(
        page("POST", slot_url("assessment:slot-move"), lambda c: {"direction": "up"}), TEACHERS_GO
    ),
    "POST assessment:attempt-start": Case(
        page("POST", content_url("assessment:attempt-start", quiz)), Row(LOGIN, 403, GO, GO, GO, GO, REFUSED)
    ),
    "GET assessment:attempt": Case(page("GET", attempt_url("assessment:attempt")), MEMBERS_OK),
    "POST assessment:attempt-save": Case(
        page("POST", attempt_url("assessment:attempt-save"), lambda c: {"q1-choice": "0"}), LEARNER_GO
    ),
    "POST assessment:attempt-check": Case(
        page("POST", attempt_url("assessment:attempt-check"), lambda c: {"q1-choice": "0", "position": "1"}),
        LEARNER_GO,
    ),
    "POST assessment:attempt-submit": Case(
        page("POST", attempt_url("assessment:attempt-submit"), lambda c: {"q1-choice": "0"}), LEARNER_GO
    ),
    "POST content:step-tick": Case(
        page("POST", step_tick_url, lambda c: {"ticked": "1"}), Row(LOGIN, 403, GO, GO, GO, GO, 403)
    ),
    # Progress: only learners' activity counts, so staff and observers are told so and sent back.
    "POST progress:item-done": Case(
        page("POST", lambda c: reverse("progress:item-done", args=[c.slug, c.done_by_learner_item().pk])),
        Row(LOGIN, 403, GO, REFUSED, REFUSED, REFUSED, REFUSED),
    ),
    "GET progress:item-status": Case(
        page("GET", lambda c: reverse("progress:item-status", args=[c.slug, c.world.items[0].pk])),
        Row(LOGIN, 403, OK, OK, OK, OK, OK),
    ),
    "POST progress:item-review": Case(
        page(
            "POST",
            lambda c: reverse("progress:item-review", args=[c.slug, c.world.items[0].pk]),
            lambda c: {"marked": "1"},
        ),
        Row(LOGIN, 403, GO, GO, GO, GO, GO),
    ),
    # Notes are private: anyone who may see the item keeps their own; a note of someone else is 404.
    "POST progress:note-add": Case(
        page(
            "POST",
            lambda c: reverse("progress:note-add", args=[c.slug, c.world.items[0].pk]),
            lambda c: {"body": "A note", "quote": "", "at": ""},
        ),
        Row(LOGIN, 403, GO, GO, GO, GO, GO),
    ),
    "GET progress:note-list": Case(page("GET", url("progress:note-list", slug)), Row(LOGIN, 403, OK, OK, OK, OK, OK)),
    "GET progress:note-export": Case(
        page("GET", url("progress:note-export", slug)), Row(LOGIN, 403, OK, OK, OK, OK, OK)
    ),
    "POST progress:note-delete [own note]": Case(
        page("POST", lambda c: reverse("progress:note-delete", args=[c.slug, c.note_of(c.someone()).pk])),
        Row(LOGIN, 403, GO, GO, GO, GO, GO),
    ),
    "POST progress:note-delete [someone else's note]": Case(
        page("POST", lambda c: reverse("progress:note-delete", args=[c.slug, c.note_of(c.world.learner).pk])),
        Row(LOGIN, 403, GO, 404, 404, 404, 404),
    ),
    "GET progress:item-release": Case(
        page("GET", lambda c: reverse("progress:item-release", args=[c.slug, c.world.items[1].pk])), TEACHERS_ONLY
    ),
    "POST progress:item-release": Case(
        page(
            "POST",
            lambda c: reverse("progress:item-release", args=[c.slug, c.world.items[1].pk]),
            lambda c: {"after_item": c.world.items[0].pk, "zone_basis": "learner"},
        ),
        TEACHERS_GO,
    ),
    "POST progress:item-override": Case(
        page(
            "POST",
            lambda c: reverse("progress:item-override", args=[c.slug, c.world.items[1].pk]),
            lambda c: {"learner": c.world.learner.pk},
        ),
        TEACHERS_GO,
    ),
    "GET progress:module-release": Case(
        page("GET", lambda c: reverse("progress:module-release", args=[c.slug, c.world.modules[1].pk])),
        TEACHERS_ONLY,
    ),
    "POST progress:module-release": Case(
        page(
            "POST",
            lambda c: reverse("progress:module-release", args=[c.slug, c.world.modules[1].pk]),
            lambda c: {"after_module": c.world.modules[0].pk, "zone_basis": "course"},
        ),
        TEACHERS_GO,
    ),
    "POST progress:module-override": Case(
        page(
            "POST",
            lambda c: reverse("progress:module-override", args=[c.slug, c.world.modules[1].pk]),
            lambda c: {"learner": c.world.learner.pk},
        ),
        TEACHERS_GO,
    ),
    "POST progress:override-revoke": Case(
        page("POST", lambda c: reverse("progress:override-revoke", args=[c.slug, c.override().pk])), TEACHERS_GO
    ),
}


ENDPOINTS: dict[str, Case] = {
    "GET /api/v1/openapi.json": Case(call("GET", const("/openapi.json")), everyone(200)),
    "GET /api/v1/docs": Case(call("GET", const("/docs")), everyone(200)),
    "GET /api/v1/": Case(call("GET", const("/")), everyone(404)),  # ninja's placeholder for the API's root
    "GET /api/v1/me": Case(call("GET", const("/me")), signed_in(200, anonymous=401)),
    "PATCH /api/v1/me": Case(
        call("PATCH", const("/me"), lambda c: {"display_name": "Renamed"}), signed_in(200, anonymous=401)
    ),
    "GET /api/v1/courses": Case(call("GET", const("/courses")), signed_in(200, anonymous=401)),
    "POST /api/v1/courses": Case(
        call("POST", const("/courses"), lambda c: {"title": "Statistics", "slug": "statistics"}),
        Row(401, 403, 403, 403, 403, 201, 403),
    ),
    "GET /api/v1/courses/{course_id}": Case(call("GET", course_path()), signed_in(200, anonymous=401)),
    "PATCH /api/v1/courses/{course_id}": Case(
        call("PATCH", course_path(), lambda c: {"title": "Renamed"}), API_COURSE_EDIT
    ),
    "POST /api/v1/courses/{course_id}/join": Case(
        call("POST", course_path("/join"), lambda c: {}), Row(401, 201, 409, 409, 409, 201, 409)
    ),
    "GET /api/v1/courses/{course_id}/modules": Case(
        call("GET", course_path("/modules")), Row(401, 403, 200, 200, 200, 200, 200)
    ),
    "POST /api/v1/courses/{course_id}/modules": Case(
        call("POST", course_path("/modules"), lambda c: {"title": "Module 3"}), Row(401, 403, 403, 403, 201, 201, 403)
    ),
    "PUT /api/v1/courses/{course_id}/modules/order": Case(
        call("PUT", course_path("/modules/order"), lambda c: {"ids": [m.pk for m in reversed(c.world.modules)]}),
        API_COURSE_EDIT,
    ),
    "GET /api/v1/modules/{module_id}": Case(call("GET", module_path()), API_READ),
    "PATCH /api/v1/modules/{module_id}": Case(call("PATCH", module_path(), lambda c: {"title": "Renamed"}), API_EDIT),
    "DELETE /api/v1/modules/{module_id}": Case(
        call("DELETE", lambda c: f"/modules/{c.fresh_module().pk}"), Row(401, 404, 403, 403, 204, 204, 403)
    ),
    "GET /api/v1/modules/{module_id}/items": Case(call("GET", module_path("/items")), API_READ),
    "POST /api/v1/modules/{module_id}/items": Case(
        call("POST", module_path("/items"), lambda c: {"kind": "lesson", "title": "Reading"}),
        Row(401, 404, 403, 403, 201, 201, 403),
    ),
    "PUT /api/v1/modules/{module_id}/items/order": Case(
        call(
            "PUT",
            module_path("/items/order"),
            lambda c: {"ids": [i.pk for i in reversed(c.world.items) if i.module_id == c.world.modules[0].pk]},
        ),
        API_EDIT,
    ),
    "GET /api/v1/items/{item_id}": Case(call("GET", item_path), API_READ),
    "GET /api/v1/items/{item_id} [unpublished item]": Case(
        call("GET", lambda c: f"/items/{c.fresh_item(is_published=False).pk}"), Row(401, 404, 404, 200, 200, 200, 404)
    ),
    "PATCH /api/v1/items/{item_id}": Case(call("PATCH", item_path, lambda c: {"title": "Renamed"}), API_EDIT),
    "DELETE /api/v1/items/{item_id}": Case(
        call("DELETE", lambda c: f"/items/{c.fresh_item().pk}"), Row(401, 404, 403, 403, 204, 204, 403)
    ),
    # Activity from anyone who may see the item is stored (only learners' changes their progress).
    "POST /api/v1/progress/events": Case(
        call(
            "POST",
            lambda c: "/progress/events",
            lambda c: {"events": [{"id": f"matrix-{c.actor}-1", "verb": "heartbeat", "item": c.world.items[0].pk}]},
        ),
        Row(401, 403, 202, 202, 202, 202, 202),
    ),
    # Learners and observers get 200 with only the rows they may see: see test_membership_list_is_scoped.
    "GET /api/v1/courses/{course_id}/memberships": Case(
        call("GET", course_path("/memberships")), Row(401, 403, 200, 200, 200, 200, 200)
    ),
    "POST /api/v1/courses/{course_id}/memberships": Case(
        call("POST", course_path("/memberships"), lambda c: {"email": "new@example.org"}),
        Row(401, 403, 403, 403, 202, 202, 403),
    ),
    # The learner's own membership: the observer is linked to it.
    "GET /api/v1/memberships/{membership_id}": Case(
        call("GET", learner_membership_path), Row(401, 404, 200, 200, 200, 200, 200)
    ),
    "GET /api/v1/memberships/{membership_id} [another learner]": Case(
        call("GET", lambda c: f"/memberships/{c.fresh_learner().pk}"), Row(401, 404, 404, 200, 200, 200, 404)
    ),
    # Learners see their own membership but may not change or remove it.
    "PATCH /api/v1/memberships/{membership_id}": Case(
        call("PATCH", learner_membership_path, lambda c: {"role": "ta"}), Row(401, 404, 403, 403, 200, 200, 403)
    ),
    "DELETE /api/v1/memberships/{membership_id}": Case(
        call("DELETE", learner_membership_path), Row(401, 404, 403, 403, 204, 204, 403)
    ),
}

# Run once more with a personal token instead of the session (anonymous: a made-up token).
TOKEN_CASES = (
    "GET /api/v1/me",
    "GET /api/v1/courses/{course_id}",
    "PATCH /api/v1/courses/{course_id}",
    "DELETE /api/v1/items/{item_id}",
    "GET /api/v1/memberships/{membership_id}",
    "PATCH /api/v1/memberships/{membership_id}",
)


# --- Discovery --------------------------------------------------------------------------------------
def _walk(patterns: list[URLPattern | URLResolver], prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str]]:
    """(route, name) of every URL pattern, names qualified by their namespace."""
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = ":".join(n for n in (namespace, pattern.namespace or "") if n)
            yield from _walk(pattern.url_patterns, route, inner)
        else:
            name = pattern.name or f"<unnamed {route}>"
            yield route, f"{namespace}:{name}" if namespace else name


def _route_of(key: str) -> str:
    """The route a row tests: "POST courses:item-move [x]" -> "courses:item-move"; API rows keep the method."""
    method, rest = key.split(" ", 1)
    target = rest.split(" [", 1)[0]
    return f"{method} {target}" if target.startswith("/") else target


def discovered_pages() -> set[str]:
    """Every named page, leaving out the API (below) and the admin's own pages beyond its index."""
    names = set()
    for route, name in _walk(get_resolver().url_patterns):
        if route.startswith("api/v1/"):
            continue
        if name.startswith("admin:") and name != "admin:index":
            continue
        names.add(name)
    return names


def discovered_api_operations() -> set[str]:
    schema = api.get_openapi_schema()
    operations = {f"{method.upper()} {path}" for path, methods in schema["paths"].items() for method in methods}
    root = f"{API}/"
    assert api.openapi_url is not None
    assert api.docs_url is not None
    return operations | {
        f"GET {root}{api.openapi_url.lstrip('/')}",
        f"GET {root}{api.docs_url.lstrip('/')}",
        f"GET {root}",
    }


# Each app keeps its own rows beside its tests.
for _app_rows in (
    community_rows,
    core_rows,
    courses_rows,
    families_rows,
    insights_rows,
    messaging_rows,
    notifications_rows,
    privacy_rows,
):
    PAGES |= _app_rows.PAGES
    ENDPOINTS |= _app_rows.ENDPOINTS


def test_every_cell_is_a_known_outcome() -> None:
    known = ALLOWED | DENIED | SERVED_BUT_REFUSED
    for key, case in (PAGES | ENDPOINTS).items():
        unknown = {actor: outcome for actor, outcome in case.expect._asdict().items() if outcome not in known}
        assert not unknown, key


def test_every_page_is_in_the_matrix() -> None:
    tested = {_route_of(key) for key in PAGES}
    found = discovered_pages()
    assert not found - tested, "pages missing from the authorisation matrix"
    assert not tested - found, "matrix rows for pages that no longer exist"


def test_every_api_operation_is_in_the_matrix() -> None:
    tested = {_route_of(key) for key in ENDPOINTS}
    found = discovered_api_operations()
    assert not found - tested, "API operations missing from the authorisation matrix"
    assert not tested - found, "matrix rows for API operations that no longer exist"


def test_every_api_url_pattern_is_a_discovered_operation() -> None:
    """The schema is how API routes are found; make sure no URL under /api/v1/ escapes it."""
    paths = {op.split(" ", 1)[1] for op in discovered_api_operations()}
    for route, _name in _walk(get_resolver().url_patterns):
        if route.startswith("api/v1/"):
            assert "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route) in paths, route


# --- The matrix -------------------------------------------------------------------------------------
def _signin_url() -> str:
    return str(resolve_url("accounts:login"))


def _error_messages(response: HttpResponse) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request) if m.level >= message_levels.WARNING]


def check(response: HttpResponse, expected: Outcome, client: Client) -> None:
    status = response.status_code
    location = response.get("Location", "")
    if expected == LOGIN:
        assert status == 302, status
        assert location.startswith(_signin_url() + "?next="), location
    elif expected == ADMIN_LOGIN:
        assert status == 302, status
        assert location.startswith(reverse("admin:login") + "?next="), location
    elif expected == SIGNED_OUT:
        assert status == 302, status
        assert location == _signin_url(), location
        assert "_auth_user_id" not in client.session
    elif expected == GO:
        assert status in (301, 302, 303), status
        assert not location.startswith(_signin_url()), location
        assert not _error_messages(response)
    elif expected == REFUSED:
        assert status == 302, status
        assert _error_messages(response)
    else:
        assert status == expected, (status, response.content[:500])


def _cases(table: Mapping[str, Case]) -> list[Any]:
    return [pytest.param(key, actor, id=f"{key} | {actor}") for key in table for actor in ACTORS]


def _client_for(client: Client, world: CourseWorld, actor: str) -> None:
    user = world.user(actor)
    if user is not None:
        client.force_login(user)


@pytest.mark.parametrize(("key", "actor"), _cases(PAGES))
def test_page(client: Client, world: CourseWorld, key: str, actor: str) -> None:
    case = PAGES[key]
    _client_for(client, world, actor)
    req = case.build(Ctx(world, actor))
    if req.method == "GET":
        response = client.get(req.url)
    else:
        assert req.method == "POST"
        response = client.post(req.url, req.data)
    check(response, getattr(case.expect, actor), client)


def _api_request(client: Client, req: Req, headers: Mapping[str, str] | None = None) -> HttpResponse:
    body = json.dumps(req.data) if req.method in ("POST", "PUT", "PATCH") else ""
    return client.generic(req.method, req.url, body, content_type="application/json", headers=headers)


@pytest.mark.parametrize(("key", "actor"), _cases(ENDPOINTS))
def test_api_with_session(client: Client, world: CourseWorld, key: str, actor: str) -> None:
    case = ENDPOINTS[key]
    _client_for(client, world, actor)
    response = _api_request(client, case.build(Ctx(world, actor)))
    check(response, getattr(case.expect, actor), client)


@pytest.mark.parametrize(("key", "actor"), [p for p in _cases(ENDPOINTS) if p.values[0] in TOKEN_CASES])
def test_api_with_token(client: Client, world: CourseWorld, key: str, actor: str) -> None:
    case = ENDPOINTS[key]
    user = world.user(actor)
    secret = create_api_token(user=user, name="matrix").secret if user else "cdn_not-a-real-token"
    response = _api_request(client, case.build(Ctx(world, actor)), {"Authorization": f"Bearer {secret}"})
    check(response, getattr(case.expect, actor), client)


# --- Details the matrix cannot show ----------------------------------------------------------------
@pytest.mark.parametrize(("actor", "visible"), [("learner", {"learner"}), ("observer", {"learner", "observer"})])
def test_membership_list_is_scoped(client: Client, world: CourseWorld, actor: str, visible: set[str]) -> None:
    other = MembershipFactory.create(course=world.course, role=Role.LEARNER)
    client.force_login(getattr(world, actor))
    response = client.get(f"{API}/courses/{world.course.pk}/memberships")
    assert response.status_code == 200
    ids = {row["user"]["id"] for row in response.json()["items"]}
    assert ids == {getattr(world, role).pk for role in visible}
    assert other.user_id not in ids


def test_revoked_token_is_refused(client: Client, world: CourseWorld) -> None:
    issued = create_api_token(user=world.teacher, name="old")
    issued.token.revoked_at = timezone.now()
    issued.token.save(update_fields=["revoked_at"])
    response = client.get(f"{API}/me", headers={"Authorization": f"Bearer {issued.secret}"})
    assert response.status_code == 401


def test_session_writes_need_csrf_but_token_writes_do_not(world: CourseWorld) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.teacher)
    patch = {"path": f"{API}/courses/{world.course.pk}", "data": '{"title": "Renamed"}'}
    refused = client.patch(**patch, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json() == {"detail": "CSRF check Failed"}
    secret = create_api_token(user=world.teacher, name="cli").secret
    token_client = Client(enforce_csrf_checks=True)
    response = token_client.patch(
        **patch, content_type="application/json", headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status_code == 200

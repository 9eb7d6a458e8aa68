"""Bank and quiz pages: forms, GIFT and CSV round trips, and that answers never reach a page too early."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cadence.assessment.models import Attempt, AttemptState, Question
from cadence.assessment.services import quizzes
from cadence.assessment.tests.factories import CAPITAL, ESSAY, MEAN, question, quiz_item
from cadence.core.testing.queries import serve, writes, written_table
from cadence.courses.tests.factories import ItemFactory
from conftest import CourseWorld

pytestmark = pytest.mark.django_db

GIFT = """// Week 1
$CATEGORY: Week 1

::Averages::Which average do outliers pull most? {
=The mean#Yes.
~The median#No.
~The mode
}

::Midpoint::The middle value of sorted data is the {=median =the median}.

::Pi::Pi to two decimals? {#3.14:0.005}
"""


def _url(name: str, world: CourseWorld, *args: object) -> str:
    return reverse(f"assessment:{name}", args=[world.course.slug, *args])


# --- The bank -------------------------------------------------------------------------------------------
def test_teacher_adds_a_single_choice_question_through_the_form(client, world: CourseWorld):
    client.force_login(world.teacher)
    url = _url("question-create", world) + "?type=single"
    assert "Answers" in client.get(url).content.decode()
    form = {
        "title": "Spread", "text": "Which measures spread?", "points": "2", "category": "", "new_category": "Week 2",
        "concepts": "Spread, range", "general_feedback": "Range and IQR measure spread.",
        "options-TOTAL_FORMS": "3", "options-INITIAL_FORMS": "0", "options-MIN_NUM_FORMS": "0", "options-MAX_NUM_FORMS": "50",
        "options-0-text": "Range", "options-0-credit": "100", "options-0-feedback": "Yes.",
        "options-1-text": "Mean", "options-1-credit": "0", "options-2-text": "",
    }  # fmt: skip
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    saved = Question.objects.get()
    definition = saved.as_def()
    assert [o.text for o in definition.options] == ["Range", "Mean"] and definition.options[0].fraction == 1
    assert (
        saved.category is not None
        and saved.category.name == "Week 2"
        and sorted(c.name for c in saved.concepts.all()) == ["range", "spread"]
    )
    form["options-0-credit"] = "50"  # no right answer now
    bad = client.post(reverse("assessment:question-edit", args=[world.course.slug, saved.pk]), form)
    assert bad.status_code == 400 and "Mark one answer as right" in bad.content.decode()
    saved.refresh_from_db()
    assert saved.version == 1


def test_learners_never_see_the_bank(client, world: CourseWorld):
    q = question(world.teacher, world.course)
    client.force_login(world.learner)
    for url in (_url("bank", world), _url("question-preview", world, q.pk), _url("gift-export", world)):
        assert client.get(url).status_code == 403


def test_preview_checks_an_answer_with_feedback(client, world: CourseWorld):
    q = question(world.teacher, world.course)
    client.force_login(world.ta)
    page = client.get(_url("question-preview", world, q.pk)).content.decode()
    assert "SECRET-FEEDBACK-MEDIAN" not in page
    choice = _shown_value(page, "The median")
    checked = client.post(_url("question-preview", world, q.pk), {"q-choice": choice}).content.decode()
    assert "Not right." in checked and "SECRET-FEEDBACK-MEDIAN" in checked and "EXPLANATION-OUTLIERS" in checked


def _shown_value(page: str, label: str) -> str:
    """The value of the input whose label is `label` (values are shown positions, not answers)."""
    before = page.split(f">{label}</label>")[0]
    return before.rsplit('value="', 1)[1].split('"', 1)[0]


def test_gift_import_previews_then_imports_everything(client, world: CourseWorld):
    client.force_login(world.teacher)
    url = _url("gift-import", world)
    preview = client.post(url, {"text": GIFT, "action": "preview"})
    page = preview.content.decode()
    assert preview.status_code == 200 and "3 questions read" in page and Question.objects.count() == 0
    done = client.post(url, {"text": GIFT, "action": "import"})
    assert done.status_code == 302 and Question.objects.count() == 3
    assert set(Question.objects.values_list("qtype", flat=True)) == {"single", "short", "numeric"}


def test_gift_with_an_error_imports_nothing_and_names_the_line(client, world: CourseWorld):
    client.force_login(world.teacher)
    broken = GIFT + "\n::Broken::Unclosed answer block {=yes ~no\n"
    response = client.post(_url("gift-import", world), {"text": broken, "action": "import"})
    assert response.status_code == 400 and "Line 14 (Broken)" in response.content.decode()
    assert Question.objects.count() == 0
    upload = SimpleUploadedFile("q.gift", "é".encode("latin-1"))
    response = client.post(_url("gift-import", world), {"file": upload, "action": "preview"})
    assert response.status_code == 400 and "not UTF-8" in response.content.decode()


def test_gift_export_reimports_the_same_questions(client, world: CourseWorld):
    question(world.teacher, world.course)
    question(world.teacher, world.course, CAPITAL)
    client.force_login(world.teacher)
    exported = client.get(_url("gift-export", world))
    assert exported["Content-Disposition"].startswith("attachment;")
    text = exported.content.decode()
    before = sorted(q.as_def().text for q in Question.objects.all())
    Question.objects.all().delete()
    client.post(_url("gift-import", world), {"text": text, "action": "import"})
    assert sorted(q.as_def().text for q in Question.objects.all()) == before


@pytest.mark.parametrize("payload", ["=HYPERLINK(evil)", "+1+1", "-1+1", "@SUM(A1)", "\t=1+1", "\r=1+1"])
def test_csv_export_streams_and_defuses_formulas(client, world: CourseWorld, payload: str):
    question(world.teacher, world.course, MEAN.with_changes(title=payload, text=payload + " text"))
    client.force_login(world.ta)
    response = client.get(_url("csv-export", world))
    assert response.streaming and response["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert ",".join(rows[0]).startswith("id,type,category,concepts,title")
    title, text = rows[1][4], rows[1][5]
    assert (title, text) == ("'" + payload, "'" + payload + " text")


def test_bank_page_queries_do_not_grow_with_questions(client, world: CourseWorld):
    client.force_login(world.teacher)
    question(world.teacher, world.course)
    with CaptureQueriesContext(connection) as few:
        client.get(_url("bank", world))
    for n in range(20):
        question(world.teacher, world.course, CAPITAL.with_changes(title=f"Q{n}", tags=(f"c{n}",)))
    with CaptureQueriesContext(connection) as many:
        client.get(_url("bank", world))
    assert len(few) == len(many) <= 12


# --- Taking a quiz ------------------------------------------------------------------------------------
def _start(client, world: CourseWorld, item) -> Attempt:
    response = client.post(reverse("assessment:attempt-start", args=[world.course.slug, item.pk]))
    assert response.status_code == 302
    return Attempt.objects.get(user=world.learner, state=AttemptState.IN_PROGRESS)


def test_a_learner_takes_a_quiz_through_plain_forms(client, world: CourseWorld):
    item, _quiz = quiz_item(
        world.teacher,
        world.modules[0],
        question(world.teacher, world.course),
        question(world.teacher, world.course, CAPITAL),
    )
    client.force_login(world.learner)
    item_page = client.get(reverse("courses:item-detail", args=[world.course.slug, item.pk])).content.decode()
    assert "Start the quiz" in item_page and "2 questions" in item_page
    attempt = _start(client, world, item)
    page = client.get(_url("attempt", world, attempt.pk)).content.decode()
    mean = _shown_value(page, "The mean")
    saved = client.post(_url("attempt-save", world, attempt.pk), {"q1-choice": mean, "q2-text": "median"})
    assert saved.status_code == 302
    assert attempt.questions.get(position=1).response == {"choice": 0}
    assert attempt.questions.get(position=1).answered_at is not None
    client.post(_url("attempt-submit", world, attempt.pk), {"q1-choice": mean, "q2-text": "median"})
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.SUBMITTED and attempt.percent == 100
    review = client.get(_url("attempt", world, attempt.pk)).content.decode()
    assert "2 / 2" in review and "EXPLANATION-OUTLIERS" in review


def test_autosave_answers_in_json_and_refuses_after_the_end(client, world: CourseWorld):
    item, _quiz = quiz_item(
        world.teacher,
        world.modules[0],
        question(world.teacher, world.course, CAPITAL),
        time_limit_minutes=1,
        grace_seconds=0,
    )
    client.force_login(world.learner)
    attempt = _start(client, world, item)
    url = _url("attempt-save", world, attempt.pk)
    ok = client.post(url, {"q1-text": "medi", "position": "1", "sequence": "5"}, HTTP_X_AUTOSAVE="1")
    assert ok.status_code == 200 and "saved_at" in ok.json()
    Attempt.objects.filter(pk=attempt.pk).update(ends_at=timezone.now() - timedelta(seconds=5))
    late = client.post(url, {"q1-text": "median", "position": "1", "sequence": "6"}, HTTP_X_AUTOSAVE="1")
    assert late.status_code == 409 and late.json()["closed"] is True
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.SUBMITTED and attempt.questions.get().response == {"text": "medi"}


def _transactions(sql: list[str]) -> int:
    """Transactions a request opened (savepoints inside the test's own transaction)."""
    return sum(1 for statement in sql if statement.startswith("SAVEPOINT"))


def test_an_autosave_is_one_transaction_and_showing_the_attempt_none(client, world: CourseWorld):
    """Each takes the write lock on SQLite (and the attempt's row lock on PostgreSQL): a burst of learners
    saving at once queues behind as few of them as the work needs."""
    item, _quiz = quiz_item(
        world.teacher, world.modules[0], question(world.teacher, world.course, CAPITAL), time_limit_minutes=30
    )
    client.force_login(world.learner)
    attempt = _start(client, world, item)
    shown = serve(client, _url("attempt", world, attempt.pk))
    assert _transactions(shown.sql) == 0 and shown.writes == []
    url = _url("attempt-save", world, attempt.pk)
    with CaptureQueriesContext(connection) as captured:
        saved = client.post(url, {"q1-text": "median", "position": "1", "sequence": "7"}, HTTP_X_AUTOSAVE="1")
    assert saved.json()["saved_at"]
    sql = [q["sql"] for q in captured.captured_queries]
    assert _transactions(sql) == 1 and [written_table(w) for w in writes(sql)] == ["assessment_attemptquestion"]


def test_no_feedback_or_right_answer_reaches_the_page_before_it_is_allowed(client, world: CourseWorld):
    q = question(world.teacher, world.course)
    item, _quiz = quiz_item(world.teacher, world.modules[0], q, feedback_timing="after_due")
    item.due_at = timezone.now() + timedelta(days=1)
    item.save()
    client.force_login(world.learner)
    attempt = _start(client, world, item)
    secrets = (
        "SECRET-FEEDBACK-MEDIAN",
        "EXPLANATION-OUTLIERS",
        "Yes: every value counts",
        "right answer",
        "data-correct",
    )

    def assert_hidden(html: str) -> None:
        for secret in secrets:
            assert secret not in html, secret

    page = client.get(_url("attempt", world, attempt.pk)).content.decode()
    assert_hidden(page)
    # The values are shown positions; with shuffling off, they are just 0, 1, 2 in the order shown.
    median = _shown_value(page, "The median")
    client.post(_url("attempt-submit", world, attempt.pk), {"q1-choice": median})
    review = client.get(_url("attempt", world, attempt.pk)).content.decode()
    assert_hidden(review)
    assert "after the due date" in review and "1 / 1" not in review and "0 / 1" not in review
    item.due_at = timezone.now() - timedelta(minutes=1)
    item.save()
    after_due = client.get(_url("attempt", world, attempt.pk)).content.decode()
    assert "SECRET-FEEDBACK-MEDIAN" in after_due and "EXPLANATION-OUTLIERS" in after_due


def test_immediate_feedback_shows_only_the_checked_question(client, world: CourseWorld):
    item, _quiz = quiz_item(
        world.teacher,
        world.modules[0],
        question(world.teacher, world.course),
        question(world.teacher, world.course, CAPITAL),
    )
    client.force_login(world.learner)
    attempt = _start(client, world, item)
    page = client.get(_url("attempt", world, attempt.pk)).content.decode()
    median = _shown_value(page, "The median")
    client.post(_url("attempt-check", world, attempt.pk), {"q1-choice": median, "position": "1"})
    page = client.get(_url("attempt", world, attempt.pk)).content.decode()
    assert "SECRET-FEEDBACK-MEDIAN" in page and "Not right." in page
    assert page.count("question-feedback") == 1  # question 2 is not revealed


def test_a_learner_cannot_open_another_learners_attempt(client, world: CourseWorld):
    from cadence.accounts.tests.factories import UserFactory
    from cadence.courses.tests.factories import MembershipFactory

    _item, quiz = quiz_item(world.teacher, world.modules[0], question(world.teacher, world.course))
    attempt = quizzes.start_attempt(user=world.learner, quiz=quiz, now=timezone.now())
    other = UserFactory()
    MembershipFactory(user=other, course=world.course, role="learner")
    client.force_login(other)
    assert client.get(_url("attempt", world, attempt.pk)).status_code == 404
    assert client.post(_url("attempt-submit", world, attempt.pk)).status_code == 404
    client.force_login(world.observer)  # follows world.learner
    assert client.get(_url("attempt", world, attempt.pk)).status_code == 200
    client.force_login(world.teacher)
    assert client.get(_url("attempt", world, attempt.pk)).status_code == 200


def test_teacher_builds_a_quiz_from_the_bank(client, world: CourseWorld):
    q = question(world.teacher, world.course)
    item = ItemFactory(module=world.modules[0], kind="quiz", title="Quiz")
    client.force_login(world.teacher)
    edit = reverse("assessment:quiz-edit", args=[world.course.slug, item.pk])
    assert client.get(edit).status_code == 200
    client.post(reverse("assessment:slot-add", args=[world.course.slug, item.pk]), {"question": q.pk})
    response = client.post(
        edit,
        {"attempts_allowed": 2, "grading_method": "highest", "time_limit_minutes": 20, "feedback_timing": "after_submit",
         "shuffle_options": "on", "show_right_answers": "on", "grace_seconds": 60},
    )  # fmt: skip
    assert response.status_code == 302
    quiz = quizzes.quiz_for(item)
    assert quiz.time_limit_minutes == 20 and quiz.slots.count() == 1
    bad = client.post(
        edit,
        {"attempts_allowed": 2, "grading_method": "highest", "feedback_timing": "after_submit", "grace_seconds": 60,
         "opens_at": "2026-12-02T10:00", "closes_at": "2026-12-01T10:00"},
    )  # fmt: skip
    assert bad.status_code == 400 and "must close after it opens" in bad.content.decode()


def test_essay_answers_show_as_waiting(client, world: CourseWorld):
    item, _quiz = quiz_item(world.teacher, world.modules[0], question(world.teacher, world.course, ESSAY))
    client.force_login(world.learner)
    attempt = _start(client, world, item)
    client.post(_url("attempt-submit", world, attempt.pk), {"q1-text": "The median ignores extremes."})
    page = client.get(reverse("courses:item-detail", args=[world.course.slug, item.pk])).content.decode()
    assert "waiting for your teacher" in page


def test_staff_see_the_item_analysis_and_learners_do_not(client, world: CourseWorld):
    item, quiz = quiz_item(world.teacher, world.modules[0], question(world.teacher, world.course))
    attempt = quizzes.start_attempt(user=world.learner, quiz=quiz, now=timezone.now())
    quizzes.submit_attempt(user=world.learner, attempt_id=attempt.pk, now=timezone.now())
    url = reverse("assessment:quiz-analysis", args=[world.course.slug, item.pk])
    client.force_login(world.ta)
    page = client.get(url).content.decode()
    assert "Facility" in page and "The median" in page and "1 learner" in page
    client.force_login(world.learner)
    assert client.get(url).status_code == 403

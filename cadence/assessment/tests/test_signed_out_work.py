"""Work survives an expired session (issue 11, section 5): the server side.

A page's script gets a machine-readable 401 (never the sign-in page) when the session has ended; a
plain form POST from a signed-out browser keeps the work for the person who wrote it, who sends it
once after signing in; work is never stored under another account than the one that opened the page.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cadence.accounts.tests.factories import PASSWORD, UserFactory
from cadence.assessment.models import AssignmentDraft, Attempt, AttemptQuestion, AttemptState, Submission
from cadence.assessment.services import assignments, quizzes
from cadence.assessment.tests.factories import ESSAY, question, quiz_item
from cadence.core import work
from cadence.courses.tests.factories import ItemFactory
from conftest import CourseWorld

pytestmark = pytest.mark.django_db
ESSAY_TEXT = "The median stays put when one value runs away; the mean follows it."


class _FormReader(HTMLParser):
    """The action and fields of the form posting to `action` on a page (what a browser would send)."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action = action
        self.inside = False
        self.found = False
        self.fields: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form" and a.get("action") == self.action:
            self.inside = self.found = True
        elif tag == "input" and self.inside and a.get("name") and a.get("type") != "file":
            self.fields.append((a["name"] or "", a.get("value") or ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False


def form_fields(html: str, action: str) -> dict[str, str]:
    reader = _FormReader(action)
    reader.feed(html)
    assert reader.found, f"no form posting to {action}"
    return dict(reader.fields)


def _assignment(world: CourseWorld):
    item = ItemFactory(module=world.modules[0], kind="assignment", title="Essay", completion_rule="submitted")
    assignments.save_settings(actor=world.teacher, item=item, data={"accept_files": False, "accept_url": True})
    return assignments.assignment_for(item)


def _sign_in(client: Client, email: str, next_url: str) -> str:
    response = client.post(reverse("accounts:login"), {"username": email, "password": PASSWORD, "next": next_url})
    assert response.status_code == 302, response.content[:500]
    return response["Location"]


def test_autosave_after_the_session_ended_gets_a_401_for_the_script_not_the_sign_in_page(
    client: Client, world: CourseWorld
):
    assignment = _assignment(world)
    draft_url = reverse("assessment:draft", args=[world.course.slug, assignment.item.pk])
    response = client.post(draft_url, {"text": ESSAY_TEXT, "for_user": world.learner.pk}, HTTP_X_AUTOSAVE="1")
    assert response.status_code == 401
    body = response.json()
    assert body["signed_out"] is True and body["sign_in_url"] == reverse("accounts:login")
    assert "Sign in again" in body["detail"]
    assert not AssignmentDraft.objects.exists()
    # htmx and fetch calls asking for JSON are answered the same way, on any page.
    assert client.get(reverse("home"), HTTP_HX_REQUEST="true").status_code == 401
    assert client.get(reverse("home"), HTTP_ACCEPT="application/json").status_code == 401
    assert client.get(reverse("home")).status_code == 302  # a person navigating still goes to sign in


def test_a_signed_out_submit_is_kept_and_sent_once_after_signing_in(client: Client, world: CourseWorld):
    """Without JavaScript: Submit with an expired session, sign in, send: one submission with every word."""
    assignment = _assignment(world)
    slug, item_id = world.course.slug, assignment.item.pk
    submit_url = reverse("assessment:submit", args=[slug, item_id])
    sent = {"key": "k-essay", "text": ESSAY_TEXT, "url": "", "for_user": str(world.learner.pk)}
    response = client.post(submit_url, sent)
    assert response.status_code == 302
    login, _, next_url = response["Location"].partition("?next=")
    assert login == reverse("accounts:login") and next_url.startswith("/work/")
    assert not Submission.objects.exists() and not AssignmentDraft.objects.exists()

    assert _sign_in(client, world.learner.email, next_url) == next_url
    page = client.get(next_url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Your work is safe" in html and ESSAY_TEXT in html
    fields = form_fields(html, submit_url)
    assert fields["key"] == "k-essay" and fields["text"] == ESSAY_TEXT and fields["for_user"] == str(world.learner.pk)

    response = client.post(submit_url, fields)
    submission = Submission.objects.get()
    assert response["Location"] == reverse("assessment:receipt", args=[slug, submission.pk])
    assert submission.text == ESSAY_TEXT and submission.user == world.learner
    client.post(submit_url, fields)  # a second press of the button: still one submission
    assert Submission.objects.count() == 1
    assert client.get(next_url).status_code == 404  # sent: nothing left to send


def test_a_signed_out_quiz_submit_is_kept_and_submits_the_attempt_once(client: Client, world: CourseWorld):
    _item, quiz = quiz_item(world.teacher, world.modules[0], question(world.teacher, world.course, ESSAY))
    attempt = quizzes.start_attempt(user=world.learner, quiz=quiz, now=timezone.now())
    submit_url = reverse("assessment:attempt-submit", args=[world.course.slug, attempt.pk])
    response = client.post(submit_url, {"q1-text": ESSAY_TEXT, "for_user": world.learner.pk})
    next_url = response["Location"].partition("?next=")[2]
    assert next_url.startswith("/work/")
    _sign_in(client, world.learner.email, next_url)
    fields = form_fields(client.get(next_url).content.decode(), submit_url)
    client.post(submit_url, fields)
    client.post(submit_url, fields)
    attempt = Attempt.objects.get()
    assert attempt.state == AttemptState.SUBMITTED and attempt.closed_by == "learner"
    assert AttemptQuestion.objects.get(attempt=attempt).response == {"text": ESSAY_TEXT}


def test_kept_work_is_shown_only_to_the_account_that_wrote_it(client: Client, world: CourseWorld):
    """A shared computer: someone else signs in after the learner's session ended."""
    assignment = _assignment(world)
    submit_url = reverse("assessment:submit", args=[world.course.slug, assignment.item.pk])
    response = client.post(submit_url, {"key": "k", "text": ESSAY_TEXT, "for_user": world.learner.pk})
    next_url = response["Location"].partition("?next=")[2]
    classmate = UserFactory()
    _sign_in(client, classmate.email, next_url)
    page = client.get(next_url)
    assert page.status_code == 404 and ESSAY_TEXT not in page.content.decode()


def test_work_for_one_account_is_never_stored_under_another(client: Client, world: CourseWorld):
    assignment = _assignment(world)
    other = UserFactory()
    from cadence.courses.models import Role
    from cadence.courses.tests.factories import MembershipFactory

    MembershipFactory(course=world.course, user=other, role=Role.LEARNER)
    client.force_login(other)
    draft_url = reverse("assessment:draft", args=[world.course.slug, assignment.item.pk])
    submit_url = reverse("assessment:submit", args=[world.course.slug, assignment.item.pk])
    mine = {"key": "k", "text": ESSAY_TEXT, "for_user": world.learner.pk}
    autosave = client.post(draft_url, mine, HTTP_X_AUTOSAVE="1")
    assert autosave.status_code == 409 and autosave.json()["wrong_account"] is True
    page = client.post(submit_url, mine)
    assert page.status_code == 409
    assert ESSAY_TEXT in page.content.decode()  # shown back to be copied, not stored
    assert not AssignmentDraft.objects.exists() and not Submission.objects.exists()
    # Their own page's work is saved as usual.
    assert client.post(draft_url, mine | {"for_user": other.pk}, HTTP_X_AUTOSAVE="1").status_code == 200


def test_signing_out_forgets_kept_work(client: Client, world: CourseWorld):
    assignment = _assignment(world)
    submit_url = reverse("assessment:submit", args=[world.course.slug, assignment.item.pk])
    response = client.post(submit_url, {"key": "k", "text": ESSAY_TEXT, "for_user": world.learner.pk})
    next_url = response["Location"].partition("?next=")[2]
    _sign_in(client, world.learner.email, next_url)
    client.post(reverse("accounts:logout"))
    _sign_in(client, world.learner.email, "/")
    assert client.get(next_url).status_code == 404


def test_a_post_that_names_no_account_goes_to_sign_in_as_before(client: Client, world: CourseWorld):
    assignment = _assignment(world)
    submit_url = reverse("assessment:submit", args=[world.course.slug, assignment.item.pk])
    response = client.post(submit_url, {"key": "k", "text": ESSAY_TEXT})
    assert response["Location"] == f"{reverse('accounts:login')}?next={submit_url}"
    assert work.SESSION_KEY not in client.session


def test_kept_work_is_bounded_per_browser(client: Client, world: CourseWorld):
    assignment = _assignment(world)
    submit_url = reverse("assessment:submit", args=[world.course.slug, assignment.item.pk])
    for n in range(work.MAX_ENTRIES + 2):
        client.post(submit_url, {"key": f"k{n}", "text": f"Version {n}", "for_user": world.learner.pk})
    kept = client.session[work.SESSION_KEY]
    assert len(kept) == work.MAX_ENTRIES
    assert {entry["fields"][1][1] for entry in kept.values()} == {f"Version {n}" for n in range(2, 7)}
    too_big = {"key": "k", "text": "x" * (work.MAX_CHARS + 1), "for_user": world.learner.pk}
    response = client.post(submit_url, too_big)
    assert response["Location"] == f"{reverse('accounts:login')}?next={submit_url}"


def test_the_resume_page_reads_without_writing_within_its_query_budget(
    client: Client, world: CourseWorld, django_assert_max_num_queries
):
    assignment = _assignment(world)
    submit_url = reverse("assessment:submit", args=[world.course.slug, assignment.item.pk])
    next_url = client.post(submit_url, {"key": "k", "text": ESSAY_TEXT, "for_user": world.learner.pk})[
        "Location"
    ].partition("?next=")[2]
    _sign_in(client, world.learner.email, next_url)
    with django_assert_max_num_queries(6):
        response = client.get(next_url)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert client.get(next_url).status_code == 200  # still there: reading it changed nothing


def test_the_session_state_tells_the_page_who_is_signed_in_with_a_fresh_csrf_token(
    client: Client, world: CourseWorld, django_assert_max_num_queries
):
    url = reverse("core:session-detail")
    anonymous = client.get(url)
    assert anonymous.json()["signed_in"] is False and anonymous.json()["user"] is None
    assert anonymous.json()["csrf_token"]
    assert "no-store" in anonymous["Cache-Control"]
    client.force_login(world.learner)
    with django_assert_max_num_queries(2):  # the session and the user, nothing else
        state = client.get(url).json()
    assert state == {"signed_in": True, "user": world.learner.pk, "csrf_token": state["csrf_token"]}
    assert client.post(url).status_code == 405


def test_pages_with_the_autosave_script_stay_small(client: Client, world: CourseWorld):
    """The dialog, the restore notice and the script fit in the 60 KB page budget."""
    from cadence.core.tests.test_page_weight import BUDGET, _weight

    assignment = _assignment(world)
    _item, quiz = quiz_item(world.teacher, world.modules[0], question(world.teacher, world.course, ESSAY))
    attempt = quizzes.start_attempt(user=world.learner, quiz=quiz, now=timezone.now())
    client.force_login(world.learner)
    for url in (
        reverse("courses:item-detail", args=[world.course.slug, assignment.item.pk]),
        reverse("assessment:attempt", args=[world.course.slug, attempt.pk]),
    ):
        html = client.get(url).content.decode()
        assert "assessment/autosave" in html and 'id="signin-dialog"' in html
        assert _weight(html) < BUDGET

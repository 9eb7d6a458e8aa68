"""Work survives an expired session (issue 11, section 5), in a real browser.

The session cookie is deleted mid-essay (as when a session times out); the learner keeps typing, presses
the button, signs in again in the dialog without leaving the page, and the work arrives whole, once.
Also: a reload puts back what this browser kept, signing out clears it, and without JavaScript the
server keeps the work until sign-in.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from cadence.accounts.models import User
from cadence.accounts.tests.factories import PASSWORD, UserFactory
from cadence.assessment.models import AssignmentDraft, Attempt, AttemptQuestion, AttemptState, Submission
from cadence.assessment.services import assignments
from cadence.assessment.tests.factories import ESSAY, question, quiz_item
from cadence.courses.models import Course, Item, Role
from cadence.courses.tests.factories import CourseFactory, ItemFactory, MembershipFactory, ModuleFactory
from cadence.tests.browser.helpers import NewPage, check_a11y, log_for, sign_in, submit, visit, watch

pytestmark = pytest.mark.browser

FIRST = "The median stays put when one value runs away. "
SECOND = "The mean follows the runaway value, because every value counts in it."


def _course() -> tuple[Course, User, User]:
    course = CourseFactory(title="Averages", slug="averages")
    teacher = UserFactory()
    learner = UserFactory(display_name="Lin")
    MembershipFactory(course=course, user=teacher, role=Role.TEACHER)
    MembershipFactory(course=course, user=learner, role=Role.LEARNER)
    return course, teacher, learner


def _assignment(course: Course, teacher: User) -> Item:
    item = ItemFactory(module=ModuleFactory(course=course), kind="assignment", title="Explain the median")
    assignments.save_settings(actor=teacher, item=item, data={"accept_files": True})
    return item


def _end_session(page: Page) -> None:
    """What a session timeout does to the browser: its session cookie no longer signs anyone in."""
    page.context.clear_cookies(name="sessionid")


def _expected_401s(page: Page) -> None:
    """Requests sent while signed out answer 401 by design (htmx logs it too); any other failure still fails."""
    log = log_for(page)
    log.errors = [
        error
        for error in log.errors
        if not error.endswith("answered 401") and "Response Status Error Code 401 from" not in error
    ]


def _sign_in_in_dialog(page: Page, user: User) -> None:
    dialog = page.get_by_role("dialog", name="Sign in to keep your work")
    expect(dialog).to_be_visible()
    check_a11y(page)
    dialog.get_by_label("Email address").fill(user.email)
    dialog.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        dialog.get_by_role("button", name="Sign in and save my work").click()
    check_a11y(page)


def test_an_essay_typed_after_the_session_expired_is_submitted_whole_and_once(
    live_server: LiveServer, page: Page
) -> None:
    course, teacher, learner = _course()
    item = _assignment(course, teacher)
    sign_in(page, live_server.url, learner)
    visit(page, f"{live_server.url}/courses/averages/items/{item.pk}/")
    answer = page.get_by_label("Your answer")
    answer.fill(FIRST)
    expect(page.locator("#draft-status")).to_contain_text("Draft saved at")

    _end_session(page)
    answer.press_sequentially(SECOND, delay=5)
    status = page.locator("#draft-status")
    expect(status).to_contain_text("you have been signed out")
    expect(status).to_contain_text("kept in this browser")
    expect(page).to_have_url(f"{live_server.url}/courses/averages/items/{item.pk}/")  # never sent away
    check_a11y(page)

    page.get_by_role("button", name="Submit", exact=True).click()
    _sign_in_in_dialog(page, learner)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Received: Explain the median")
    submission = Submission.objects.get()
    assert submission.text == (FIRST + SECOND).strip() and submission.user == learner
    assert not AssignmentDraft.objects.exists()
    assert page.evaluate("window.localStorage.length") == 0  # the server has it: nothing kept any more
    _expected_401s(page)


def test_quiz_answers_typed_after_the_session_expired_are_submitted_once(live_server: LiveServer, page: Page) -> None:
    course, teacher, learner = _course()
    item, _quiz = quiz_item(teacher, ModuleFactory(course=course), question(teacher, course, ESSAY))
    sign_in(page, live_server.url, learner)
    visit(page, f"{live_server.url}/courses/averages/items/{item.pk}/")
    submit(page, page.get_by_role("button", name="Start the quiz"))
    answer = page.get_by_label("Your answer")
    answer.fill(FIRST)
    expect(page.locator("#autosave-status")).to_contain_text("Saved at")

    _end_session(page)
    answer.press_sequentially(SECOND, delay=5)
    expect(page.locator("#autosave-status")).to_contain_text("you have been signed out")
    page.once("dialog", lambda confirm: confirm.accept())  # "Submit this attempt?"
    page.get_by_role("button", name="Submit the attempt").click()
    _sign_in_in_dialog(page, learner)
    expect(page.get_by_role("region", name="Result")).to_be_visible()
    attempt = Attempt.objects.get()
    assert attempt.state == AttemptState.SUBMITTED and attempt.closed_by == "learner"
    assert AttemptQuestion.objects.get(attempt=attempt).response == {"text": FIRST + SECOND}
    _expected_401s(page)


def test_a_reload_offers_back_what_the_browser_kept_and_signing_out_forgets_it(
    live_server: LiveServer, page: Page
) -> None:
    course, teacher, learner = _course()
    item = _assignment(course, teacher)
    url = f"{live_server.url}/courses/averages/items/{item.pk}/"
    draft_url = f"/courses/averages/items/{item.pk}/assignment/draft/"
    sign_in(page, live_server.url, learner)
    visit(page, url)
    page.route(f"**{draft_url}", lambda route: route.abort("internetdisconnected"))
    page.get_by_label("Your answer").fill(FIRST + SECOND)
    expect(page.locator("#draft-status")).to_contain_text("no connection")
    assert not AssignmentDraft.objects.exists()

    page.unroute(f"**{draft_url}")
    visit(page, url)  # a reload, a crash, a closed tab: the page comes back from the server without the text
    expect(page.get_by_label("Your answer")).to_have_value("")
    notice = page.get_by_role("region", name="Work kept in this browser")
    expect(notice).to_be_visible()
    check_a11y(page)
    notice.get_by_role("button", name="Put it back").click()
    expect(page.get_by_label("Your answer")).to_have_value(FIRST + SECOND)
    expect(page.locator("#draft-status")).to_contain_text("Draft saved at")
    assert AssignmentDraft.objects.get().text == FIRST + SECOND

    # Kept again while offline, then the learner signs out: nothing of theirs stays in this browser.
    page.route(f"**{draft_url}", lambda route: route.abort("internetdisconnected"))
    page.get_by_label("Your answer").press_sequentially(" More.", delay=5)
    expect(page.locator("#draft-status")).to_contain_text("no connection")
    assert page.evaluate("window.localStorage.length") == 1
    submit(page, page.get_by_role("button", name="Sign out"))
    assert page.evaluate("window.localStorage.length") == 0


def test_without_javascript_a_signed_out_submit_is_kept_until_sign_in(
    live_server: LiveServer, new_page: NewPage
) -> None:
    course, teacher, learner = _course()
    item = _assignment(course, teacher)
    page = new_page(java_script_enabled=False)
    sign_in(page, live_server.url, learner)
    visit(page, f"{live_server.url}/courses/averages/items/{item.pk}/")
    page.get_by_label("Your answer").fill(FIRST + SECOND)
    _end_session(page)
    submit(page, page.get_by_role("button", name="Submit", exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    page.get_by_label("Email address").fill(learner.email)
    page.get_by_label("Password").fill(PASSWORD)
    submit(page, page.get_by_role("main").get_by_role("button", name="Sign in"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your work is safe")
    expect(page.get_by_label("What you wrote")).to_have_value(FIRST + SECOND)
    submit(page, page.get_by_role("button", name="Send my work"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Received: Explain the median")
    assert Submission.objects.get().text == (FIRST + SECOND).strip()


def test_each_autosave_failure_says_what_happened_and_what_to_do(live_server: LiveServer, page: Page) -> None:
    course, teacher, learner = _course()
    item = _assignment(course, teacher)
    draft_url = f"**/courses/averages/items/{item.pk}/assignment/draft/"
    sign_in(page, live_server.url, learner)
    visit(page, f"{live_server.url}/courses/averages/items/{item.pk}/")
    answer = page.get_by_label("Your answer")
    status = page.locator("#draft-status")
    expect(status).to_have_attribute("aria-live", "polite")
    failures = [
        (lambda route: route.abort("internetdisconnected"), "no connection"),
        (lambda route: route.fulfill(status=413, body="Too large"), "too large to send"),
        (lambda route: route.fulfill(status=502, body="Bad gateway"), "Cadence had a problem"),
        (
            lambda route: route.fulfill(
                status=400, json={"detail": "The text is too long (at most 200000 characters)."}
            ),
            "The text is too long",
        ),
    ]
    for n, (answer_with, message) in enumerate(failures):
        page.route(draft_url, answer_with)
        answer.press_sequentially(f" {n}", delay=5)
        expect(status).to_contain_text(message)
        expect(status).to_contain_text("kept in this browser")
        page.unroute(draft_url)
    answer.press_sequentially(" done", delay=5)
    expect(status).to_contain_text("Draft saved at")
    assert AssignmentDraft.objects.get().text == " 0 1 2 3 done"
    assert page.evaluate("window.localStorage.length") == 0
    log = log_for(page)
    log.errors = [e for e in log.errors if not e.endswith(("answered 413", "answered 502", "answered 400"))]


def test_sign_in_in_a_new_tab_then_continue_and_another_account_gets_nothing(
    live_server: LiveServer, new_page: NewPage
) -> None:
    course, teacher, learner = _course()
    item = _assignment(course, teacher)
    classmate = UserFactory(display_name="Sam")
    MembershipFactory(course=course, user=classmate, role=Role.LEARNER)
    page = new_page(viewport={"width": 360, "height": 740})
    sign_in(page, live_server.url, learner)
    visit(page, f"{live_server.url}/courses/averages/items/{item.pk}/")
    page.get_by_label("Your answer").fill(FIRST)
    expect(page.locator("#draft-status")).to_contain_text("Draft saved at")
    _end_session(page)
    page.get_by_label("Your answer").press_sequentially(SECOND, delay=5)
    page.get_by_role("button", name="Submit", exact=True).click()
    dialog = page.get_by_role("dialog", name="Sign in to keep your work")
    expect(dialog).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # fits a small phone
    check_a11y(page)

    # Someone else signs in from the dialog: the work is not theirs, so nothing is sent.
    dialog.get_by_label("Email address").fill(classmate.email)
    dialog.get_by_label("Password").fill(PASSWORD)
    dialog.get_by_role("button", name="Sign in and save my work").click()
    expect(dialog.get_by_role("alert")).to_contain_text("another account")
    assert not Submission.objects.exists() and not AssignmentDraft.objects.filter(user=classmate).exists()
    page.context.clear_cookies(name="sessionid")

    # The learner signs in in a new tab, comes back and continues: submitted whole, once.
    with page.expect_popup() as opened:
        dialog.get_by_role("link", name="sign in in a new tab").click()
    tab = opened.value
    tab.wait_for_load_state()
    watch(tab)
    check_a11y(tab)
    tab.get_by_label("Email address").fill(learner.email)
    tab.get_by_label("Password").fill(PASSWORD)
    submit(tab, tab.get_by_role("main").get_by_role("button", name="Sign in"))
    with page.expect_navigation():
        dialog.get_by_role("button", name="continue here once you have signed in").click()
    check_a11y(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Received: Explain the median")
    submission = Submission.objects.get()
    assert submission.user == learner and submission.text == (FIRST + SECOND).strip()
    assert not log_for(tab).errors
    _expected_401s(page)


def test_an_htmx_request_after_the_session_ended_says_so_and_leaves_the_page(
    live_server: LiveServer, page: Page
) -> None:
    course, _teacher, learner = _course()
    lesson = ItemFactory(module=ModuleFactory(course=course), title="Medians")
    url = f"{live_server.url}/courses/averages/items/{lesson.pk}/"
    sign_in(page, live_server.url, learner)
    visit(page, url)
    _end_session(page)
    with page.expect_response(lambda response: response.status == 401):
        page.evaluate("htmx.trigger(document.body, 'progress-changed')")
    expect(page.locator("#messages")).to_contain_text("You have been signed out. Sign in again")
    expect(page).to_have_url(url)
    check_a11y(page)
    _expected_401s(page)

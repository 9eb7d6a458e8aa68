"""Forums in a real browser: a corpus of script payloads never runs on any forum page, and a Q&A flow
(post first, then see the others' answers; a teacher endorses; unread markers clear on reading)."""

from __future__ import annotations

import datetime as dt
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings
from django.utils import formats, timezone
from playwright.sync_api import Request, expect
from pytest_django.live_server_helper import LiveServer

from cadence.accounts.tests.factories import UserFactory
from cadence.community import services
from cadence.community.models import Forum, ForumKind
from cadence.content.tests.factories import upload
from cadence.core.testing.smtp import SmtpServer
from cadence.courses.models import Role
from cadence.courses.tests.factories import CourseFactory, MembershipFactory
from cadence.notifications import delivery as notification_delivery
from cadence.notifications import services as notification_services
from cadence.notifications.models import Kind, Notification, Timing
from cadence.tests.browser.helpers import NewPage, check_a11y, sign_in, submit, visit
from cadence.tests.browser.xss import PAYLOADS, assert_nothing_ran, watch_for_dialogs

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n% payload\n"
SAO_PAULO = ZoneInfo("America/Sao_Paulo")


@override_settings(COMMUNITY_POSTS_PER_MINUTE=1000)
def test_xss_payloads_never_run_on_forum_pages(live_server: LiveServer, new_page: NewPage, tmp_path: Path,
                                                settings: Any) -> None:  # fmt: skip
    settings.MEDIA_ROOT = str(tmp_path / "media")
    course = CourseFactory(title="Safe Course", slug="safe-course")
    teacher = UserFactory(display_name="Teacher")
    attacker = UserFactory(display_name='<img src=x onerror="window.__xss=1">')
    MembershipFactory(course=course, user=teacher, role=Role.TEACHER)
    MembershipFactory(course=course, user=attacker, role=Role.LEARNER)
    forum = Forum.objects.create(course=course, kind=ForumKind.QA, title="<script>window.__xss=1</script> Forum")
    now = timezone.now()
    thread = services.create_thread(actor=attacker, forum=forum, title=PAYLOADS[1] + " payload", body="\n\n".join(PAYLOADS),
                                    now=now)  # fmt: skip
    for payload in PAYLOADS:
        services.create_thread(actor=attacker, forum=forum, title=f"payload {payload}"[:200], body=payload, now=now)
    post = services.create_reply(
        actor=attacker, thread=thread, body="payload attached " + PAYLOADS[5], now=now,
        upload=upload('<svg onload=window.__xss=1>".pdf', PDF),
    )  # fmt: skip
    services.report_post(actor=attacker, post=post, reason=PAYLOADS[0] + PAYLOADS[1], now=now)

    page = new_page()
    dialogs = watch_for_dialogs(page)
    sign_in(page, live_server.url, teacher)
    base = f"{live_server.url}/courses/safe-course"
    for url in (
        f"{base}/forums/",
        f"{base}/forums/{forum.pk}/",
        f"{base}/threads/{thread.pk}/",
        f"{base}/threads/{thread.pk}/?quote={post.pk}",
        f"{base}/forums/search/?q=payload",
        f"{base}/forums/reports/",
        f"{live_server.url}/notifications/",  # the report's notification names the payload thread
        f"{base}/posts/{post.pk}/history/",
    ):
        visit(page, url)
        assert_nothing_ran(page, dialogs)
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit history")
    visit(page, f"{base}/forums/search/?q=payload")
    expect(page.locator(".search-hit").first).to_be_visible()
    assert_nothing_ran(page, dialogs)


@override_settings(COMMUNITY_POSTS_PER_MINUTE=1000)
def test_qa_post_first_endorse_and_unread_markers(
    live_server: LiveServer, new_page: NewPage, smtp_server: SmtpServer
) -> None:
    course = CourseFactory(title="Stats", slug="stats")
    teacher = UserFactory(display_name="Tess Teacher")
    asker = UserFactory(display_name="Ana Asker", time_zone="America/Sao_Paulo")
    # The asker reads replies and endorsements in an evening digest at 18:00 their time.
    notification_services.set_preferences(
        user=asker, timings={Kind.REPLY: Timing.DAILY, Kind.ENDORSED: Timing.DAILY}, email_enabled=True,
        quiet_start=None, quiet_end=None, digest_time=dt.time(18), weekly_day=4,
    )  # fmt: skip
    peer = UserFactory(display_name="Pat Peer")
    MembershipFactory(course=course, user=teacher, role=Role.TEACHER)
    MembershipFactory(course=course, user=asker, role=Role.LEARNER)
    MembershipFactory(course=course, user=peer, role=Role.LEARNER)
    forum = Forum.objects.create(course=course, kind=ForumKind.QA, title="Questions", post_first=True)
    services.create_thread(actor=teacher, forum=forum, title="What does a median measure?", body="Think.",
                           now=timezone.now())  # fmt: skip
    base = f"{live_server.url}/courses/stats"

    # The asker sees a similar question suggested as they type, then asks their own.
    page = new_page()
    sign_in(page, live_server.url, asker)
    visit(page, f"{base}/forums/{forum.pk}/")
    submit(page, page.get_by_role("link", name="Ask a question"))
    page.get_by_label("Title").press_sequentially("How do I find the median")
    expect(page.locator("#similar-threads")).to_contain_text("What does a median measure?")
    page.get_by_label("Message").fill("With an even number of values, which one is the median?")
    submit(page, page.get_by_role("button", name="Post", exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text("How do I find the median")
    thread_url = page.url

    # The teacher answers; the peer cannot see the answer until they post their own.
    teacher_page = new_page()
    sign_in(teacher_page, live_server.url, teacher)
    visit(teacher_page, thread_url)
    teacher_page.get_by_label("Your reply").fill("Average the two middle values.")
    submit(teacher_page, teacher_page.get_by_role("button", name="Post reply"))

    peer_page = new_page()
    sign_in(peer_page, live_server.url, peer)
    visit(peer_page, thread_url)
    expect(peer_page.get_by_text("Post your own answer to see the others' replies.")).to_be_visible()
    expect(peer_page.get_by_text("Average the two middle values.")).to_have_count(0)
    peer_page.get_by_label("Your reply").fill("I think it is the lower one.")
    submit(peer_page, peer_page.get_by_role("button", name="Post reply"))
    expect(peer_page.get_by_text("Average the two middle values.")).to_be_visible()

    # The teacher endorses the answer.
    visit(teacher_page, thread_url)
    answer = teacher_page.locator("article", has_text="Average the two middle values.")
    submit(teacher_page, answer.get_by_role("button", name="Endorse answer"))
    expect(teacher_page.locator("article", has_text="Average the two middle values.")).to_contain_text(
        "Endorsed by staff"
    )

    # The asker sees two new replies in the index; reading the thread clears the markers.
    visit(page, f"{base}/forums/{forum.pk}/")
    row = page.locator("li", has_text="How do I find the median")
    expect(row).to_contain_text("2 new replies")
    submit(page, row.get_by_role("link", name="How do I find the median"))
    expect(page.locator("article.post-new")).to_have_count(2)
    check_a11y(page)
    visit(page, f"{base}/forums/{forum.pk}/")
    expect(page.locator("li", has_text="How do I find the median")).not_to_contain_text("new repl")
    visit(page, thread_url)
    expect(page.locator("article.post-new")).to_have_count(0)

    # The asker was told at once in the notification centre...
    expect(page.locator("#notifications-link")).to_have_text("Notifications 3 unread")
    visit(page, f"{live_server.url}/notifications/")
    submit(page, page.get_by_role("link", name="An answer to your question “How do I find the median” was endorsed"))
    assert page.url.startswith(thread_url)
    expect(page.locator("#notifications-link")).to_have_text("Notifications 2 unread")
    # ...and by email in the evening digest, each event at its time in the asker's own zone.
    told = list(Notification.objects.filter(recipient=asker).order_by("created_at", "pk"))
    assert [n.kind for n in told] == [Kind.REPLY, Kind.REPLY, Kind.ENDORSED]
    due = {n.email_due_at for n in told}
    assert len(due) == 1
    evening = due.pop()
    assert evening is not None and evening.astimezone(SAO_PAULO).time() == dt.time(18)
    assert smtp_server.messages == []  # nothing before the digest time
    (claimed,) = notification_delivery.claim_due(now=evening)
    assert notification_delivery.send_once(claimed, now=evening) == "sent"
    (digest,) = smtp_server.messages
    assert digest.recipients == [asker.email] and digest.subject == "Your daily digest: 3 updates"
    for n in told:
        local = formats.date_format(n.created_at.astimezone(SAO_PAULO), "DATETIME_FORMAT")
        assert f"- {local} (America/Sao_Paulo): {n.title}" in digest.text


@override_settings(COMMUNITY_POSTS_PER_MINUTE=1000)
def test_without_javascript_similar_questions_quote_and_upvote(live_server: LiveServer, new_page: NewPage) -> None:
    course = CourseFactory(title="Plain", slug="plain")
    teacher = UserFactory(display_name="Tess Teacher")
    learner = UserFactory(display_name="Lee Learner")
    MembershipFactory(course=course, user=teacher, role=Role.TEACHER)
    MembershipFactory(course=course, user=learner, role=Role.LEARNER)
    forum = Forum.objects.create(course=course, kind=ForumKind.QA, title="Questions")
    thread = services.create_thread(actor=teacher, forum=forum, title="Which chart shows a distribution?",
                                    body="A histogram shows it.", now=timezone.now())  # fmt: skip
    base = f"{live_server.url}/courses/plain"

    page = new_page(java_script_enabled=False)
    sign_in(page, live_server.url, learner)
    visit(page, f"{base}/forums/{forum.pk}/new/")
    page.get_by_label("Title").fill("distribution chart")
    page.get_by_label("Message").fill("My draft stays.")
    submit(page, page.get_by_role("button", name="Check for similar questions"))
    expect(page.locator("#similar-threads")).to_contain_text("Which chart shows a distribution?")
    expect(page.get_by_label("Message")).to_have_value("My draft stays.")

    visit(page, f"{base}/threads/{thread.pk}/")
    opening = page.locator("article", has_text="A histogram shows it.")
    submit(page, opening.get_by_role("button", name="Upvote"))
    expect(page.locator("article", has_text="A histogram shows it.")).to_contain_text("1 upvote")
    submit(page, page.locator("article", has_text="A histogram shows it.").get_by_role("link", name="Quote"))
    expect(page.get_by_label("Your reply")).to_have_value("> **Tess Teacher** wrote:\n>\n> A histogram shows it.\n\n")
    page.get_by_label("Your reply").fill("> **Tess Teacher** wrote:\n>\n> A histogram shows it.\n\nThanks!")
    submit(page, page.get_by_role("button", name="Post reply"))
    expect(page.locator("article", has_text="Thanks!").locator("blockquote")).to_contain_text("A histogram shows it.")


def _note_similar_request(sent: list[str], request: Request) -> None:
    if "/similar/" in request.url:
        sent.append(request.url)


def test_checking_for_similar_questions_sends_only_the_title(live_server: LiveServer, new_page: NewPage) -> None:
    """With and without JavaScript, the learner's draft and the CSRF token never reach the address bar."""
    course = CourseFactory(title="Plain", slug="plain")
    teacher, learner = UserFactory(display_name="Tess Teacher"), UserFactory(display_name="Lee Learner")
    MembershipFactory(course=course, user=teacher, role=Role.TEACHER)
    MembershipFactory(course=course, user=learner, role=Role.LEARNER)
    forum = Forum.objects.create(course=course, kind=ForumKind.QA, title="Questions")
    services.create_thread(actor=teacher, forum=forum, title="Which chart shows a distribution?",
                           body="A histogram shows it.", now=timezone.now())  # fmt: skip
    form_url = f"{live_server.url}/courses/plain/forums/{forum.pk}/new/"

    for javascript in (True, False):
        page = new_page(java_script_enabled=javascript)
        sign_in(page, live_server.url, learner)
        visit(page, form_url)
        sent: list[str] = []
        page.on("request", partial(_note_similar_request, sent))
        page.get_by_label("Title").fill("distribution chart")
        page.get_by_label("Message").fill("My private draft")
        check = page.get_by_role("button", name="Check for similar questions")
        if javascript:
            check.click()  # htmx fills #similar-threads in place
        else:
            submit(page, check)
        expect(page.locator("#similar-threads")).to_contain_text("Which chart shows a distribution?")
        expect(page.get_by_label("Message")).to_have_value("My private draft")
        assert sent, "the check asked the server"
        for url in [*sent, page.url]:
            assert "draft" not in url.replace("distribution", "") and "csrf" not in url.lower(), url
        if javascript:
            assert all(url.split("?", 1)[1] == "title=distribution%20chart" for url in sent), sent
            assert page.url == form_url
        else:
            assert "?" not in page.url
        check_a11y(page)

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.utils import timezone

from cadence.community import services
from cadence.community.models import ForumKind, Post, PostRevision, Report, Subscription, Thread, ThreadRead
from cadence.community.services import posting
from cadence.community.tests import factories as f
from cadence.core.errors import Conflict, InvalidInput, NotAllowed
from cadence.core.models import AuditEntry
from cadence.courses.models import Role
from cadence.courses.tests.factories import CourseFactory, GroupFactory, MembershipFactory
from cadence.notifications.models import Notification
from conftest import CourseWorld

pytestmark = pytest.mark.django_db


def kinds_for(user: object) -> list[str]:
    return sorted(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def test_thread_keeps_counters_subscribes_author_and_marks_it_read(world: CourseWorld) -> None:
    forum = f.forum(world.course)
    thread = f.thread(world.learner, forum)
    assert thread.post_count == 1
    assert thread.last_post_id == Post.objects.get(thread=thread, is_opening=True).pk
    assert Subscription.objects.filter(user=world.learner, thread=thread).exists()
    assert ThreadRead.objects.get(user=world.learner, thread=thread).read_count == 1
    post = f.reply(world.ta, thread)
    thread.refresh_from_db()
    assert (thread.post_count, thread.last_post_id) == (2, post.pk)
    own = f.reply(world.ta, thread)
    assert not ThreadRead.objects.filter(user=world.ta).exists()  # the TA never opened the thread
    f.reply(world.learner, thread)
    read = ThreadRead.objects.get(user=world.learner, thread=thread)
    assert read.read_count == 1 and read.last_read_post_id < post.pk < own.pk  # the TA's posts are still unread
    services.mark_thread_read(user=world.learner, thread=Thread.objects.get(pk=thread.pk), now=timezone.now())
    f.reply(world.learner, thread)
    assert ThreadRead.objects.get(user=world.learner, thread=thread).read_count == 5  # up to date, own reply too


def test_reply_to_a_reply_attaches_to_the_top_level_reply(world: CourseWorld) -> None:
    thread = f.thread(world.learner, f.forum(world.course))
    top = f.reply(world.ta, thread)
    child = f.reply(world.teacher, thread, parent=top)
    grandchild = f.reply(world.learner, thread, parent=child)
    assert child.parent_id == top.pk
    assert grandchild.parent_id == top.pk


def test_posting_to_a_locked_thread_is_refused(world: CourseWorld) -> None:
    thread = f.thread(world.learner, f.forum(world.course))
    services.set_locked(actor=world.teacher, thread=thread, locked=True)
    with pytest.raises(Conflict, match="locked"):
        f.reply(world.learner, thread)
    assert Post.objects.filter(thread=thread).count() == 1
    assert AuditEntry.objects.filter(verb="community.thread_locked").exists()


def test_another_courses_forum_is_refused(world: CourseWorld) -> None:
    other = f.forum(CourseFactory())
    with pytest.raises(NotAllowed):
        f.thread(world.learner, other)


def test_another_groups_thread_is_refused(world: CourseWorld) -> None:
    forum = f.forum(world.course, group_separated=True)
    red, blue = GroupFactory(course=world.course, name="Red"), GroupFactory(course=world.course, name="Blue")
    world.learner_membership.groups.add(red)
    other = MembershipFactory(course=world.course, role=Role.LEARNER)
    other.groups.add(blue)
    thread = f.thread(other.user, forum)
    assert thread.group == blue
    with pytest.raises(NotAllowed):
        f.reply(world.learner, thread)
    with pytest.raises(InvalidInput, match="own group"):
        f.thread(world.learner, forum, group=blue)


def test_learner_without_a_group_cannot_post_in_a_separated_forum(world: CourseWorld) -> None:
    with pytest.raises(InvalidInput, match="not in a group"):
        f.thread(world.learner, f.forum(world.course, group_separated=True))


def test_mentioning_a_non_member_is_an_error_and_nothing_is_posted(world: CourseWorld) -> None:
    thread = f.thread(world.learner, f.forum(world.course))
    with pytest.raises(InvalidInput, match="not a member"):
        f.reply(world.learner, thread, "Ask @Nobody about it")
    with pytest.raises(InvalidInput, match="not a member"):
        f.reply(world.learner, thread, "Ask @Outsider about it")  # not in the course
    assert Post.objects.filter(thread=thread).count() == 1


def test_mentions_notify_members_once(world: CourseWorld) -> None:
    thread = f.thread(world.learner, f.forum(world.course))
    with TestCase.captureOnCommitCallbacks(execute=True):
        post = f.reply(world.learner, thread, "Thanks @Teacher and @[Ta]! (email me at x@example.org)")
        services.edit_post(actor=world.learner, post=post, body=post.body + " @Teacher", now=timezone.now())
    assert kinds_for(world.teacher) == ["mention"]
    assert kinds_for(world.ta) == ["mention"]


def test_reply_notifies_the_author_and_followers_once_each(world: CourseWorld) -> None:
    forum = f.forum(world.course)
    services.set_subscription(actor=world.ta, forum=forum, subscribed=True, now=timezone.now())
    thread = f.thread(world.learner, forum)
    assert kinds_for(world.ta) == ["forum_activity"]
    f.reply(world.teacher, thread)
    assert kinds_for(world.learner) == ["reply"]
    assert kinds_for(world.ta) == ["forum_activity", "forum_activity"]


def test_post_first_replies_are_not_told_to_followers_who_have_not_answered(world: CourseWorld) -> None:
    """A notification carries an excerpt: it must not show a learner answers they may not read yet."""
    forum = f.forum(world.course, kind=ForumKind.QA, post_first=True)
    other = MembershipFactory(course=world.course, role=Role.LEARNER).user
    services.set_subscription(actor=other, forum=forum, subscribed=True, now=timezone.now())
    question = f.thread(world.learner, forum)
    assert kinds_for(other) == ["forum_activity"]  # the question itself: anyone may read it
    f.reply(world.teacher, question, body="Read the bars.")
    assert kinds_for(other) == ["forum_activity"]  # not told of an answer they cannot see
    assert kinds_for(world.learner) == ["reply"]  # the asker is
    f.reply(other, question, body="My own answer.")
    f.reply(world.ta, question)
    assert kinds_for(other) == ["forum_activity", "forum_activity"]  # having answered, they hear of the rest


@pytest.mark.usefixtures("one_instant")
def test_flooding_is_refused(world: CourseWorld, settings: Any) -> None:
    settings.COMMUNITY_POSTS_PER_MINUTE = 2
    with TestCase.captureOnCommitCallbacks(execute=True):
        thread = f.thread(world.learner, f.forum(world.course))
    with TestCase.captureOnCommitCallbacks(execute=True):
        f.reply(world.learner, thread)
    with pytest.raises(services.Flooding, match="too quickly"):
        f.reply(world.learner, thread)
    assert Post.objects.filter(thread=thread).count() == 2
    f.reply(world.ta, thread)  # the limit is per person


def test_learners_cannot_post_announcements_and_members_are_told(world: CourseWorld) -> None:
    forum = f.forum(world.course, kind=ForumKind.ANNOUNCEMENTS)
    with pytest.raises(NotAllowed):
        f.thread(world.learner, forum)
    thread = f.thread(world.teacher, forum, title="Welcome", body="Hello all")
    for person in (world.learner, world.ta, world.observer):
        assert kinds_for(person) == ["announcement"]
    with pytest.raises(NotAllowed):
        f.reply(world.learner, thread)


def test_observers_read_but_do_not_post(world: CourseWorld) -> None:
    with pytest.raises(NotAllowed):
        f.thread(world.observer, f.forum(world.course))


def test_edit_keeps_a_revision_and_updates_the_title(world: CourseWorld) -> None:
    thread = f.thread(world.learner, f.forum(world.course))
    opening = Post.objects.get(thread=thread, is_opening=True)
    services.edit_post(actor=world.learner, post=opening, body="Better text", title="Better title", now=timezone.now())
    thread.refresh_from_db()
    assert thread.title == "Better title"
    revision = PostRevision.objects.get(post=opening)
    assert (revision.title, revision.body) == ("How do I read a histogram?", "Please help.")
    with pytest.raises(NotAllowed):
        services.edit_post(actor=world.ta, post=opening, body="TA edit", now=timezone.now())


def test_soft_delete_keeps_replies(world: CourseWorld) -> None:
    thread = f.thread(world.learner, f.forum(world.course))
    top = f.reply(world.ta, thread)
    f.reply(world.learner, thread, parent=top)
    services.delete_post(actor=world.ta, post=top, now=timezone.now())
    assert Post.objects.filter(thread=thread).count() == 3
    top.refresh_from_db()
    assert top.is_deleted
    other = f.reply(world.ta, thread)
    with pytest.raises(NotAllowed):
        services.delete_post(actor=world.learner, post=other, now=timezone.now())


def test_one_upvote_per_user_and_not_ones_own(world: CourseWorld) -> None:
    thread = f.thread(world.learner, f.forum(world.course))
    post = f.reply(world.ta, thread)
    assert services.toggle_vote(actor=world.learner, post=post, now=timezone.now()) is True
    post.refresh_from_db()
    assert post.upvote_count == 1
    assert services.toggle_vote(actor=world.learner, post=post, now=timezone.now()) is False
    post.refresh_from_db()
    assert post.upvote_count == 0
    with pytest.raises(Conflict):
        services.toggle_vote(actor=world.ta, post=post, now=timezone.now())


def test_qa_endorse_and_answered(world: CourseWorld) -> None:
    forum = f.forum(world.course, kind=ForumKind.QA)
    thread = f.thread(world.learner, forum)
    answer = f.reply(world.ta, thread)
    with pytest.raises(NotAllowed):
        services.set_endorsed(actor=world.learner, post=answer, endorsed=True, now=timezone.now())
    services.set_endorsed(actor=world.teacher, post=answer, endorsed=True, now=timezone.now())
    assert "endorsed" in kinds_for(world.ta)
    # The asker hears of it too, even when the teacher endorses their own answer.
    told = Notification.objects.get(recipient=world.learner, kind="endorsed")
    assert told.title == f"An answer to your question “{thread.title}” was endorsed"
    own = f.reply(world.teacher, thread, body="Also: count the bars.")
    services.set_endorsed(actor=world.teacher, post=own, endorsed=True, now=timezone.now())
    assert kinds_for(world.learner).count("endorsed") == 2
    services.set_answered(actor=world.learner, thread=thread, answered=True, now=timezone.now())
    assert Thread.objects.get(pk=thread.pk).is_answered
    other = MembershipFactory(course=world.course, role=Role.LEARNER).user
    with pytest.raises(NotAllowed):
        services.set_answered(actor=other, thread=thread, answered=False, now=timezone.now())


def test_endorsing_outside_qa_is_refused(world: CourseWorld) -> None:
    thread = f.thread(world.learner, f.forum(world.course))
    with pytest.raises(Conflict):
        services.set_endorsed(actor=world.teacher, post=f.reply(world.ta, thread), endorsed=True, now=timezone.now())


def test_report_notifies_staff_and_is_handled_once(world: CourseWorld) -> None:
    thread = f.thread(world.learner, f.forum(world.course))
    post = f.reply(world.ta, thread)
    report = services.report_post(actor=world.learner, post=post, reason="Rude", now=timezone.now())
    assert "report" in kinds_for(world.teacher)
    with pytest.raises(Conflict):
        services.report_post(actor=world.learner, post=post, reason="Again", now=timezone.now())
    with pytest.raises(InvalidInput):
        services.report_post(actor=world.observer, post=post, reason="  ", now=timezone.now())
    with pytest.raises(NotAllowed):
        services.handle_report(actor=world.learner, report=report, status="resolved", now=timezone.now())
    services.handle_report(actor=world.ta, report=report, status="dismissed", now=timezone.now())
    assert Report.objects.get(pk=report.pk).status == "dismissed"
    with pytest.raises(Conflict):
        services.handle_report(actor=world.ta, report=report, status="resolved", now=timezone.now())
    assert AuditEntry.objects.filter(verb="community.report_dismissed").exists()


def test_hide_and_restore_are_audited(world: CourseWorld) -> None:
    post = f.reply(world.ta, f.thread(world.learner, f.forum(world.course)))
    services.set_hidden(actor=world.teacher, post=post, hidden=True, now=timezone.now())
    services.set_hidden(actor=world.teacher, post=post, hidden=False, now=timezone.now())
    verbs = set(AuditEntry.objects.values_list("verb", flat=True))
    assert {"community.post_hidden", "community.post_restored"} <= verbs
    with pytest.raises(NotAllowed):
        services.set_hidden(actor=world.learner, post=post, hidden=True, now=timezone.now())


def test_a_retried_write_posts_once(world: CourseWorld) -> None:
    forum = f.forum(world.course)
    first = f.thread(world.learner, forum, key="k-1")
    again = f.thread(world.learner, forum, key="k-1")
    assert first.pk == again.pk
    reply = f.reply(world.learner, first, key="k-2")
    assert f.reply(world.learner, first, key="k-2").pk == reply.pk
    assert Post.objects.filter(thread=first).count() == 2


def test_a_concurrent_twin_gets_the_winners_post(world: CourseWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    forum = f.forum(world.course)
    thread = f.thread(world.learner, forum, key="t")
    first = f.reply(world.learner, thread, key="r")
    real = posting._existing
    looked: list[str] = []

    def not_yet_committed(actor: Any, key: str) -> Post | None:  # the twin looked before the winner committed
        looked.append(key)
        return None if len(looked) == 1 else real(actor, key)

    monkeypatch.setattr(posting, "_existing", not_yet_committed)
    assert f.reply(world.learner, thread, key="r").pk == first.pk
    looked.clear()
    assert f.thread(world.learner, forum, key="t").pk == thread.pk
    assert Post.objects.filter(thread=thread).count() == 2 and Thread.objects.count() == 1


def test_attachment_is_checked_like_library_files(world: CourseWorld) -> None:
    thread = f.thread(world.learner, f.forum(world.course))
    good = SimpleUploadedFile("notes.pdf", b"%PDF-1.4\n% notes\n", content_type="application/pdf")
    post = f.reply(world.learner, thread, upload=good)
    assert post.filename == "notes.pdf"
    assert post.content_type == "application/pdf"
    bad = SimpleUploadedFile("evil.pdf", b"<script>alert(1)</script>", content_type="application/pdf")
    with pytest.raises(InvalidInput):
        f.reply(world.learner, thread, upload=bad)
    assert Post.objects.filter(thread=thread).count() == 2


def test_mark_forum_read_covers_every_visible_thread(world: CourseWorld) -> None:
    forum = f.forum(world.course)
    threads = f.bulk_threads(forum, world.teacher, 30)
    services.mark_forum_read(user=world.learner, threads=threads, now=timezone.now())
    assert ThreadRead.objects.filter(user=world.learner).count() == 30


def test_discussion_item_gets_its_forum(world: CourseWorld) -> None:
    from cadence.courses.tests.factories import ItemFactory

    item = ItemFactory(module=world.modules[0], kind="discussion", title="Week 1 talk")
    forum = services.ensure_item_forum(item)
    assert forum is not None and forum.course == world.course and forum.title == "Week 1 talk"
    assert services.ensure_item_forum(item) == forum

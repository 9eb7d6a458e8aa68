from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cadence.community import services
from cadence.community.models import ForumKind, Post, Thread
from cadence.community.tests import factories as f
from cadence.content.tests.factories import upload
from cadence.core.testing.queries import count_queries
from cadence.courses.models import Role
from cadence.courses.tests.factories import GroupFactory, ItemFactory, MembershipFactory
from conftest import CourseWorld

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n% notes\n"


def forum_url(forum: Any) -> str:
    return reverse("community:forum-detail", args=[forum.course.slug, forum.pk])


def thread_url(thread: Thread) -> str:
    return reverse("community:thread-detail", args=[thread.course.slug, thread.pk])


def test_forum_index_runs_a_constant_number_of_queries_with_5000_threads(client: Client, world: CourseWorld) -> None:
    small, large = f.forum(world.course, title="Small"), f.forum(world.course, title="Large")
    f.bulk_threads(small, world.teacher, 3)
    f.bulk_threads(large, world.teacher, 5000)
    client.force_login(world.learner)
    assert count_queries(client, forum_url(small)) == count_queries(client, forum_url(large))
    response = client.get(forum_url(large) + "?page=7")
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.num_pages == 100
    assert len(response.context["rows"]) == 50
    assert 'aria-current="page">7<' in response.content.decode()


def test_thread_with_2000_posts_runs_a_constant_number_of_queries(client: Client, world: CourseWorld) -> None:
    forum = f.forum(world.course)
    short, long = f.thread(world.teacher, forum, title="Short"), f.thread(world.teacher, forum, title="Long")
    f.bulk_replies(short, [world.ta, world.learner], 3)
    f.bulk_replies(long, [world.ta, world.learner], 2000)
    top = Post.objects.filter(thread=long, is_opening=False).first()
    assert top is not None
    Post.objects.bulk_create(
        Post(
            thread=long, course=world.course, author=world.ta, parent=top, body=f"child {n}", created_at=timezone.now()
        )
        for n in range(5)
    )
    client.force_login(world.learner)
    assert count_queries(client, thread_url(short)) == count_queries(client, thread_url(long))
    response = client.get(thread_url(long) + "?page=40")
    assert response.context["page_obj"].paginator.num_pages == 40
    assert "Reply number 1999" in response.content.decode()
    first = client.get(thread_url(long)).content.decode()
    assert "Reply number 1999" not in first and "child 4" in first


def test_unread_markers_show_and_clear(client: Client, world: CourseWorld) -> None:
    forum = f.forum(world.course)
    thread = f.thread(world.teacher, forum)
    client.force_login(world.learner)
    assert "New" in client.get(forum_url(forum)).content.decode()
    client.get(thread_url(thread))
    assert ">New<" not in client.get(forum_url(forum)).content.decode()
    f.reply(world.ta, thread)
    f.reply(world.ta, thread)
    assert "2 new replies" in client.get(forum_url(forum)).content.decode()
    page = client.get(thread_url(thread)).content.decode()
    assert page.count("post-new") == 2
    assert "Jump to the first new post" in page
    assert "new repl" not in client.get(forum_url(forum)).content.decode()
    assert "post-new" not in client.get(thread_url(thread)).content.decode()


def test_mark_all_read_and_unread_filter(client: Client, world: CourseWorld) -> None:
    forum = f.forum(world.course)
    f.thread(world.teacher, forum, title="First topic")
    client.force_login(world.learner)
    assert "First topic" in client.get(forum_url(forum) + "?show=unread").content.decode()
    client.post(reverse("community:forum-mark-read", args=[world.course.slug, forum.pk]))
    assert "First topic" not in client.get(forum_url(forum) + "?show=unread").content.decode()


def test_filters_unanswered_and_mine(client: Client, world: CourseWorld) -> None:
    forum = f.forum(world.course, kind=ForumKind.QA)
    mine = f.thread(world.learner, forum, title="My question")
    answered = f.thread(world.ta, forum, title="Answered question")
    services.set_answered(actor=world.ta, thread=answered, answered=True, now=timezone.now())
    client.force_login(world.learner)
    unanswered = client.get(forum_url(forum) + "?show=unanswered").content.decode()
    assert "My question" in unanswered and "Answered question" not in unanswered
    own = client.get(forum_url(forum) + "?show=mine").content.decode()
    assert mine.title in own and "Answered question" not in own
    fragment = client.get(forum_url(forum) + "?show=mine", headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment and "My question" in fragment


def test_quote_prefills_the_reply_with_attribution(client: Client, world: CourseWorld) -> None:
    thread = f.thread(world.learner, f.forum(world.course))
    post = f.reply(world.ta, thread, "Bars are counts.\nWidth matters.")
    client.force_login(world.learner)
    page = client.get(thread_url(thread) + f"?quote={post.pk}").content.decode()
    assert "&gt; **Ta** wrote:" in page
    assert "&gt; Bars are counts.\n&gt; Width matters." in page


def test_reply_with_markdown_is_sanitised(client: Client, world: CourseWorld) -> None:
    thread = f.thread(world.learner, f.forum(world.course))
    client.force_login(world.learner)
    body = '**bold** <script>window.__xss=1</script> <img src=x onerror="alert(1)"> [x](javascript:alert(1))'
    response = client.post(reverse("community:post-create", args=[world.course.slug, thread.pk]), {"body": body})
    assert response.status_code == 302
    page = client.get(thread_url(thread)).content.decode()
    assert "<strong>bold</strong>" in page
    assert "<script>window" not in page
    assert "onerror" not in page
    assert 'href="javascript' not in page


def test_mentioning_a_non_member_shows_the_error_and_keeps_the_text(client: Client, world: CourseWorld) -> None:
    thread = f.thread(world.learner, f.forum(world.course))
    client.force_login(world.learner)
    response = client.post(
        reverse("community:post-create", args=[world.course.slug, thread.pk]), {"body": "Hi @Stranger, see this"}
    )
    assert response.status_code == 400
    assert "not a member" in response.content.decode()
    assert "Hi @Stranger, see this" in response.content.decode()
    assert Post.objects.filter(thread=thread).count() == 1


@pytest.mark.usefixtures("one_instant")
def test_flooding_is_a_form_error(
    client: Client, world: CourseWorld, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.COMMUNITY_POSTS_PER_MINUTE = 1
    thread = f.thread(world.learner, f.forum(world.course))
    client.force_login(world.ta)
    url = reverse("community:post-create", args=[world.course.slug, thread.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"body": "One"}).status_code == 302
    response = client.post(url, {"body": "Two"})
    assert response.status_code == 400
    assert "too quickly" in response.content.decode()


def test_post_first_hides_replies_until_the_learner_answers(client: Client, world: CourseWorld) -> None:
    forum = f.forum(world.course, kind=ForumKind.QA, post_first=True)
    thread = f.thread(world.teacher, forum, title="Explain the median")
    f.reply(world.ta, thread, "The middle value, secret answer")
    client.force_login(world.learner)
    page = client.get(thread_url(thread)).content.decode()
    assert "secret answer" not in page and "Post your own answer" in page
    client.post(reverse("community:post-create", args=[world.course.slug, thread.pk]), {"body": "My own answer"})
    page = client.get(thread_url(thread)).content.decode()
    assert "secret answer" in page and "My own answer" in page


def test_hidden_post_is_a_placeholder_for_learners_and_marked_for_staff(client: Client, world: CourseWorld) -> None:
    thread = f.thread(world.learner, f.forum(world.course))
    post = f.reply(world.ta, thread, "Rude words")
    services.set_hidden(actor=world.teacher, post=post, hidden=True, now=timezone.now())
    client.force_login(world.learner)
    page = client.get(thread_url(thread)).content.decode()
    assert "Rude words" not in page and "hidden by a moderator" in page
    client.force_login(world.teacher)
    page = client.get(thread_url(thread)).content.decode()
    assert "Rude words" in page and "Hidden from learners" in page


def test_deleted_post_is_a_placeholder_and_its_replies_stay(client: Client, world: CourseWorld) -> None:
    thread = f.thread(world.learner, f.forum(world.course))
    top = f.reply(world.ta, thread, "Soon gone")
    f.reply(world.learner, thread, "Still here", parent=top)
    services.delete_post(actor=world.ta, post=top, now=timezone.now())
    client.force_login(world.learner)
    page = client.get(thread_url(thread)).content.decode()
    assert "Soon gone" not in page and "This post was deleted." in page and "Still here" in page


def test_edit_history_is_shown(client: Client, world: CourseWorld) -> None:
    thread = f.thread(world.learner, f.forum(world.course))
    post = f.reply(world.learner, thread, "First words")
    client.force_login(world.learner)
    client.post(reverse("community:post-edit", args=[world.course.slug, post.pk]), {"body": "Second words"})
    page = client.get(thread_url(thread)).content.decode()
    history = reverse("community:post-history", args=[world.course.slug, post.pk])
    assert history in page
    client.force_login(world.observer)
    shown = client.get(history).content.decode()
    assert "First words" in shown and "Second words" in shown


def test_group_separated_forum_shows_learners_their_group_and_staff_all(client: Client, world: CourseWorld) -> None:
    forum = f.forum(world.course, group_separated=True)
    red, blue = GroupFactory(course=world.course, name="Red"), GroupFactory(course=world.course, name="Blue")
    world.learner_membership.groups.add(red)
    other = MembershipFactory(course=world.course, role=Role.LEARNER)
    other.groups.add(blue)
    f.thread(world.learner, forum, title="Red thread")
    f.thread(other.user, forum, title="Blue thread")
    client.force_login(world.learner)
    page = client.get(forum_url(forum)).content.decode()
    assert "Red thread" in page and "Blue thread" not in page
    client.force_login(world.ta)
    page = client.get(forum_url(forum)).content.decode()
    assert "Red thread" in page and "Blue thread" in page
    page = client.get(forum_url(forum) + f"?group={blue.pk}").content.decode()
    assert "Red thread" not in page and "Blue thread" in page


def test_search_respects_visibility(client: Client, world: CourseWorld) -> None:
    forum = f.forum(world.course)
    thread = f.thread(world.learner, forum, title="Histogram bins", body="How many bins?")
    hidden = f.reply(world.ta, thread, "Histogram secret hidden")
    deleted = f.reply(world.ta, thread, "Histogram secret deleted")
    services.set_hidden(actor=world.teacher, post=hidden, hidden=True, now=timezone.now())
    services.delete_post(actor=world.ta, post=deleted, now=timezone.now())
    qa = f.forum(world.course, kind=ForumKind.QA, post_first=True)
    question = f.thread(world.teacher, qa, title="Quiz question")
    f.reply(world.ta, question, "Histogram answer only after posting")
    client.force_login(world.learner)
    url = reverse("community:forum-search", args=[world.course.slug])
    page = client.get(url + "?q=histogram").content.decode()
    assert "Histogram bins" in page
    assert "secret" not in page and "only after posting" not in page
    client.force_login(world.teacher)
    page = client.get(url + "?q=histogram").content.decode()
    assert "secret hidden" in page.replace("<mark>", "").replace("</mark>", "")
    assert "secret deleted" not in page.replace("<mark>", "").replace("</mark>", "")


def test_similar_questions_are_suggested_with_and_without_javascript(client: Client, world: CourseWorld) -> None:
    forum = f.forum(world.course, kind=ForumKind.QA)
    f.thread(world.teacher, forum, title="What is a median?", body="The middle value")
    client.force_login(world.learner)
    url = reverse("community:thread-suggest", args=[world.course.slug, forum.pk])
    fragment = client.get(url + "?title=median", headers={"HX-Request": "true"}).content.decode()
    assert "What is a median?" in fragment and "<html" not in fragment
    page = client.post(url, {"title": "median", "body": "draft text", "key": "k-1"}).content.decode()
    assert "What is a median?" in page and "draft text" in page and "<html" in page


def test_checking_for_similar_questions_never_puts_the_draft_or_csrf_token_in_the_address(
    client: Client, world: CourseWorld
) -> None:
    forum = f.forum(world.course, kind=ForumKind.QA)
    f.thread(world.teacher, forum, title="What is a median?", body="The middle value")
    client.force_login(world.learner)
    suggest = reverse("community:thread-suggest", args=[world.course.slug, forum.pk])
    form_page = client.get(reverse("community:thread-create", args=[world.course.slug, forum.pk])).content.decode()
    button = next(b for b in form_page.split("<button")[1:] if "Check for similar questions" in b)
    # Without JavaScript the button POSTs the form (no file upload) to the check; with htmx it GETs the title only.
    assert 'formmethod="post"' in button and 'formmethod="get"' not in button
    assert 'formenctype="application/x-www-form-urlencoded"' in button
    assert f'hx-get="{suggest}"' in button and 'hx-include="#id_title"' in button

    threads = Thread.objects.count()
    response = client.post(suggest, {"title": "median", "body": "My private draft", "key": "draft-key-1"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "What is a median?" in page and "My private draft" in page
    assert 'value="draft-key-1"' in page  # the same idempotency key: posting later still posts once
    assert Thread.objects.count() == threads  # checking writes nothing
    # A draft in an address is never read into the form.
    page = client.get(suggest + "?title=median&body=leaked+draft").content.decode()
    assert "leaked draft" not in page and "What is a median?" in page


def test_report_queue_lists_open_reports(client: Client, world: CourseWorld) -> None:
    post = f.reply(world.ta, f.thread(world.learner, f.forum(world.course)))
    services.report_post(actor=world.learner, post=post, reason="Off topic", now=timezone.now())
    client.force_login(world.teacher)
    assert "Off topic" in client.get(reverse("community:report-list", args=[world.course.slug])).content.decode()


def test_attachment_is_served_only_while_the_post_is_shown(client: Client, world: CourseWorld) -> None:
    thread = f.thread(world.learner, f.forum(world.course))
    post = f.reply(world.ta, thread, upload=upload("notes.pdf", PDF))
    url = reverse("community:post-file", args=[world.course.slug, post.pk, post.filename])
    client.force_login(world.learner)
    response = client.get(url)
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    services.set_hidden(actor=world.teacher, post=post, hidden=True, now=timezone.now())
    assert client.get(url).status_code == 404


def test_discussion_item_page_links_to_its_forum(client: Client, world: CourseWorld) -> None:
    item = ItemFactory(module=world.modules[0], kind="discussion", title="Week 1 talk")
    client.force_login(world.learner)
    page = client.get(reverse("courses:item-detail", args=[world.course.slug, item.pk])).content.decode()
    assert "Open the discussion" in page


def test_posting_into_another_courses_thread_is_404(client: Client, world: CourseWorld) -> None:
    from cadence.courses.tests.factories import CourseFactory

    other_course = CourseFactory()
    MembershipFactory(course=other_course, user=world.teacher, role=Role.TEACHER)
    thread = f.thread(world.teacher, f.forum(other_course))
    client.force_login(world.learner)
    url = reverse("community:post-create", args=[world.course.slug, thread.pk])
    assert client.post(url, {"body": "Hello"}).status_code == 404


def test_upvote_with_htmx_answers_with_the_fragment(client: Client, world: CourseWorld) -> None:
    post = f.reply(world.ta, f.thread(world.learner, f.forum(world.course)))
    client.force_login(world.learner)
    url = reverse("community:post-vote", args=[world.course.slug, post.pk])
    fragment = client.post(url, headers={"HX-Request": "true"}).content.decode()
    assert f'id="post-{post.pk}-votes"' in fragment and "1 upvote" in fragment and 'aria-pressed="true"' in fragment
    assert "<html" not in fragment
    fragment = client.post(url, headers={"HX-Request": "true"}).content.decode()
    assert "0 upvotes" in fragment and 'aria-pressed="false"' in fragment


def test_names_are_escaped_once(client: Client, world: CourseWorld) -> None:
    world.ta.display_name = "Ana <b>& Bo"
    world.ta.save(update_fields=["display_name"])
    post = f.reply(world.ta, f.thread(world.learner, f.forum(world.course)))
    client.force_login(world.learner)
    page = client.get(thread_url(post.thread)).content.decode()
    assert "the post by Ana &lt;b&gt;&amp; Bo" in page
    assert "<b>&" not in page and "&amp;lt;" not in page

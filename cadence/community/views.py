"""Forum pages. Thin: fetch through the policy (404 unseen, 403 not allowed), call one service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cadence import policy
from cadence.access import allowed, get_course, signed_in
from cadence.community import selectors, services
from cadence.community.forms import EditForm, ForumForm, ReplyForm, ReportForm, ThreadForm, fresh_key
from cadence.community.models import Forum, Post, ReportStatus, Thread
from cadence.core import uploads
from cadence.core.errors import Conflict, DomainError
from cadence.core.htmx import is_htmx, render_page_or_fragment, varies_with_htmx
from cadence.courses.models import Course


# --- Fetching -------------------------------------------------------------------------------------------
def _forum(request: HttpRequest, course: Course, forum_id: int, action: str = "view") -> Forum:
    return allowed(request, selectors.forum_in_course(signed_in(request), course, forum_id), action)


def _thread(request: HttpRequest, course: Course, thread_id: int, action: str = "view") -> Thread:
    return allowed(request, selectors.thread_in_course(signed_in(request), course, thread_id), action)


def _post(request: HttpRequest, course: Course, post_id: int, action: str = "view") -> Post:
    return allowed(request, selectors.post_in_course(signed_in(request), course, post_id), action)


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _page_links(page: Page[Any]) -> list[int | str]:
    return list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))


def _back_to_thread(thread: Thread, post: Post | None = None) -> HttpResponse:
    return redirect(services.thread_url(thread, post))


# --- Forums ---------------------------------------------------------------------------------------------
def forum_list(request: HttpRequest, slug: str) -> HttpResponse:
    user = signed_in(request)
    course = get_course(request, slug, "view")
    forums = selectors.forums_for_course(user, course)
    return render(
        request,
        "community/forum_list.html",
        {
            "course": course,
            "course_forums": [f for f in forums if f.item_id is None],
            "item_forums": [f for f in forums if f.item_id is not None],
            "may_create": policy.can(user, "edit", course),
            "may_moderate": policy.can(user, "moderate", course),
        },
    )


def _forum_input(form: ForumForm) -> services.ForumInput:
    data = form.cleaned_data
    return services.ForumInput(
        title=data["title"], kind=data["kind"], description=data["description"], post_first=data["post_first"],
        group_separated=data["group_separated"],
    )  # fmt: skip


def forum_create(request: HttpRequest, slug: str) -> HttpResponse:
    user = signed_in(request)
    course = get_course(request, slug, "edit")
    form = ForumForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            forum = services.create_forum(actor=user, course=course, data=_forum_input(form))
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Forum created."))
            return redirect("community:forum-detail", slug=course.slug, forum_id=forum.pk)
    return render(request, "community/forum_form.html", {"course": course, "form": form, "forum": None},
                  status=400 if form.errors else 200)  # fmt: skip


def forum_edit(request: HttpRequest, slug: str, forum_id: int) -> HttpResponse:
    user = signed_in(request)
    course = get_course(request, slug, "view")
    forum = _forum(request, course, forum_id, "edit")
    initial = {"title": forum.title, "kind": forum.kind, "description": forum.description,
               "post_first": forum.post_first, "group_separated": forum.group_separated}  # fmt: skip
    form = ForumForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_forum(actor=user, forum=forum, data=_forum_input(form))
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Forum saved."))
            return redirect("community:forum-detail", slug=course.slug, forum_id=forum.pk)
    return render(request, "community/forum_form.html", {"course": course, "form": form, "forum": forum},
                  status=400 if form.errors else 200)  # fmt: skip


def forum_detail(request: HttpRequest, slug: str, forum_id: int) -> HttpResponse:
    user = signed_in(request)
    course = get_course(request, slug, "view")
    forum = _forum(request, course, forum_id)
    show = request.GET.get("show", "all")
    show = show if show in selectors.FILTERS else "all"
    moderator = selectors.is_moderator(user, course)
    group_id = _int(request.GET.get("group")) if moderator and forum.group_separated else None
    rows, page = selectors.thread_list(user, forum, show=show, group_id=group_id, page=request.GET.get("page"))
    context = {
        "course": course,
        "forum": forum,
        "rows": rows,
        "page_obj": page,
        "page_links": _page_links(page),
        "show": show,
        "filters": [("all", _("All")), ("unanswered", _("Unanswered")), ("mine", _("My posts")),
                    ("unread", _("Unread"))],
        "group_id": group_id,
        "groups": selectors.course_groups(course) if moderator and forum.group_separated else [],
        "may_post": policy.can(user, "post", forum),
        "may_edit": policy.can(user, "edit", forum),
        "subscribed": forum.is_announcements or selectors.is_subscribed(user, forum=forum),
    }  # fmt: skip
    return render_page_or_fragment(request, "community/forum_detail.html", "thread-list", context)


@require_POST
def forum_mark_read(request: HttpRequest, slug: str, forum_id: int) -> HttpResponse:
    user = signed_in(request)
    course = get_course(request, slug, "view")
    forum = _forum(request, course, forum_id)
    count = services.mark_forum_read(user=user, threads=selectors.unread_threads(user, forum), now=timezone.now())
    messages.success(request, _("Marked %(n)s threads read.") % {"n": count})
    return redirect("community:forum-detail", slug=course.slug, forum_id=forum.pk)


@require_POST
def forum_subscribe(request: HttpRequest, slug: str, forum_id: int) -> HttpResponse:
    user = signed_in(request)
    course = get_course(request, slug, "view")
    forum = _forum(request, course, forum_id)
    on = request.POST.get("subscribed", "1") == "1"
    if forum.is_announcements:
        messages.error(request, _("Every member follows announcements; change how you hear about them in your "
                                  "notification settings."))  # fmt: skip
    else:
        services.set_subscription(actor=user, forum=forum, subscribed=on, now=timezone.now())
        messages.success(request, _("You follow this forum.") if on else _("You no longer follow this forum."))
    return redirect("community:forum-detail", slug=course.slug, forum_id=forum.pk)


# --- Threads --------------------------------------------------------------------------------------------
def _thread_form(request: HttpRequest, user: Any, forum: Forum, *, draft: dict[str, str] | None = None) -> ThreadForm:
    """The new-thread form: bound to a posted thread, or unbound showing a `draft` brought back by "Check
    for similar questions" (only a title ever comes in the address: a draft is never put in a URL)."""
    groups: list[Any] = []
    if forum.group_separated:
        groups = (selectors.course_groups(forum.course) if selectors.is_moderator(user, forum.course)
                  else selectors.groups_of(user, forum.course))  # fmt: skip
    if request.method == "POST" and draft is None:
        form = ThreadForm(request.POST, request.FILES, groups=groups)
    else:
        typed = draft if draft is not None else {"title": request.GET.get("title", "")[:200]}
        form = ThreadForm(initial={**typed, "key": typed.get("key") or fresh_key()}, groups=groups)
    # While the title is typed, similar threads are fetched into #similar-threads.
    form.fields["title"].widget.attrs.update({
        "hx-get": reverse("community:thread-suggest", args=[forum.course.slug, forum.pk]),
        "hx-trigger": "keyup changed delay:400ms", "hx-target": "#similar-threads", "hx-swap": "outerHTML",
        "autocomplete": "off",
    })  # fmt: skip
    return form


def _thread_form_page(
    request: HttpRequest, course: Course, forum: Forum, form: ThreadForm, similar: list[Thread], checked: bool
) -> HttpResponse:
    return render(
        request,
        "community/thread_form.html",
        {"course": course, "forum": forum, "form": form, "similar": similar, "checked": checked},
        status=400 if form.errors else 200,
    )


def thread_create(request: HttpRequest, slug: str, forum_id: int) -> HttpResponse:
    user = signed_in(request)
    course = get_course(request, slug, "view")
    forum = _forum(request, course, forum_id, "post")
    form = _thread_form(request, user, forum)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            thread = services.create_thread(
                actor=user, forum=forum, title=data["title"], body=data["body"], group=data.get("group"),
                upload=data.get("file"), key=data.get("key") or "", now=timezone.now(),
            )  # fmt: skip
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Posted."))
            return _back_to_thread(thread)
    return _thread_form_page(request, course, forum, form, [], False)


DRAFT_FIELDS = ("title", "body", "group", "key")


@require_http_methods(["GET", "POST"])
@varies_with_htmx
def thread_suggest(request: HttpRequest, slug: str, forum_id: int) -> HttpResponse:
    """Threads like the one being typed. With JavaScript: a GET carrying only the title, answered with the
    #similar-threads fragment. Without: the form is POSTed here (so the draft and the CSRF token stay out of
    the address bar, history and server logs), nothing is saved, and the form page comes back with the
    draft in it and the similar threads listed."""
    user = signed_in(request)
    course = get_course(request, slug, "view")
    forum = _forum(request, course, forum_id)
    source = request.POST if request.method == "POST" else request.GET
    title = source.get("title", "")[:200]
    similar = selectors.similar_threads(user, forum, title) if title.strip() else []
    if is_htmx(request) and request.method == "GET":
        return render(request, "community/thread_form.html#similar-threads",
                      {"course": course, "forum": forum, "similar": similar, "checked": bool(title.strip())})  # fmt: skip
    if not policy.can(user, "post", forum):
        raise PermissionDenied
    draft = {name: request.POST.get(name, "")[:20000] for name in DRAFT_FIELDS} if request.method == "POST" else None
    form = _thread_form(request, user, forum, draft=draft)
    return _thread_form_page(request, course, forum, form, similar, True)


def _quote(user: Any, thread: Thread, post_id: int | None) -> str:
    if post_id is None:
        return ""
    post = selectors.post_in_course(user, thread.course, post_id)
    if post is None or post.thread_id != thread.pk or post.is_deleted or post.is_hidden:
        return ""
    lines = "\n".join(f"> {line}" if line else ">" for line in post.body.splitlines())
    return _("> **%(name)s** wrote:\n") % {"name": post.author.display_name} + ">\n" + lines + "\n\n"


def _render_thread(request: HttpRequest, course: Course, thread: Thread, form: ReplyForm | None = None) -> HttpResponse:
    user = signed_in(request)
    sort = request.GET.get("sort", "oldest")
    sort = sort if sort in selectors.SORTS else "oldest"
    page: Any = request.GET.get("page")
    target = _int(request.GET.get("post"))
    if target is not None and page is None and sort == "oldest":
        page = selectors.page_of_post(user, thread, target)
    view = selectors.thread_page(user, thread, page=page, sort=sort)
    if form is None:
        reply_to = _int(request.GET.get("reply_to"))
        initial = {"key": fresh_key(), "parent": reply_to, "body": _quote(user, thread, _int(request.GET.get("quote")))}
        form = ReplyForm(initial=initial)
    services.mark_thread_read(user=user, thread=thread, now=timezone.now())
    return render(
        request,
        "community/thread_detail.html",
        {
            "course": course,
            "forum": thread.forum,
            "thread": thread,
            "view": view,
            "page_obj": view.page,
            "page_links": _page_links(view.page),
            "form": form,
            "may_reply": policy.can(user, "reply", thread) and not thread.is_locked,
            "moderator": selectors.is_moderator(user, course),
            "may_mark_answered": thread.forum.is_qa and policy.can(user, "mark_answered", thread),
            "may_vote": policy.can(user, "vote", view.opening.post),
            "subscribed": selectors.is_subscribed(user, thread=thread),
            "user_id": user.pk,
        },
        status=400 if form.errors else 200,
    )


def thread_detail(request: HttpRequest, slug: str, thread_id: int) -> HttpResponse:
    course = get_course(request, slug, "view")
    return _render_thread(request, course, _thread(request, course, thread_id))


@require_POST
def post_create(request: HttpRequest, slug: str, thread_id: int) -> HttpResponse:
    user = signed_in(request)
    course = get_course(request, slug, "view")
    thread = _thread(request, course, thread_id, "reply")
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        parent = None
        if data.get("parent"):
            parent = selectors.post_in_course(user, course, data["parent"])
            if parent is None:
                raise Http404
        try:
            post = services.create_reply(
                actor=user, thread=thread, body=data["body"], parent=parent, upload=data.get("file"),
                key=data.get("key") or "", now=timezone.now(),
            )  # fmt: skip
        except Conflict as exc:
            messages.error(request, exc.message)
            return _back_to_thread(thread)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Reply posted."))
            return _back_to_thread(thread, post)
    return _render_thread(request, course, thread, form)


@require_POST
def thread_subscribe(request: HttpRequest, slug: str, thread_id: int) -> HttpResponse:
    user = signed_in(request)
    course = get_course(request, slug, "view")
    thread = _thread(request, course, thread_id)
    on = request.POST.get("subscribed", "1") == "1"
    services.set_subscription(actor=user, thread=thread, subscribed=on, now=timezone.now())
    messages.success(request, _("You follow this thread.") if on else _("You no longer follow this thread."))
    return _back_to_thread(thread)


def _flag(request: HttpRequest, name: str) -> bool:
    return request.POST.get(name, "1") == "1"


@require_POST
def thread_lock(request: HttpRequest, slug: str, thread_id: int) -> HttpResponse:
    course = get_course(request, slug, "view")
    thread = _thread(request, course, thread_id, "moderate")
    locked = _flag(request, "locked")
    services.set_locked(actor=signed_in(request), thread=thread, locked=locked)
    messages.success(request, _("Thread locked.") if locked else _("Thread unlocked."))
    return _back_to_thread(thread)


@require_POST
def thread_pin(request: HttpRequest, slug: str, thread_id: int) -> HttpResponse:
    course = get_course(request, slug, "view")
    thread = _thread(request, course, thread_id, "moderate")
    pinned = _flag(request, "pinned")
    services.set_pinned(actor=signed_in(request), thread=thread, pinned=pinned)
    messages.success(request, _("Thread pinned.") if pinned else _("Thread unpinned."))
    return _back_to_thread(thread)


@require_POST
def thread_answered(request: HttpRequest, slug: str, thread_id: int) -> HttpResponse:
    course = get_course(request, slug, "view")
    thread = _thread(request, course, thread_id, "mark_answered")
    answered = _flag(request, "answered")
    try:
        services.set_answered(actor=signed_in(request), thread=thread, answered=answered, now=timezone.now())
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Marked answered.") if answered else _("Marked unanswered."))
    return _back_to_thread(thread)


# --- Posts ----------------------------------------------------------------------------------------------
def post_edit(request: HttpRequest, slug: str, post_id: int) -> HttpResponse:
    user = signed_in(request)
    course = get_course(request, slug, "view")
    post = _post(request, course, post_id, "edit")
    initial = {"title": post.thread.title, "body": post.body}
    form = EditForm(request.POST or None, initial=initial, with_title=post.is_opening)
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_post(actor=user, post=post, body=form.cleaned_data["body"],
                               title=form.cleaned_data.get("title"), now=timezone.now())  # fmt: skip
        except Conflict as exc:
            messages.error(request, exc.message)
            return _back_to_thread(post.thread, post)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Saved. The earlier text is kept in the post's history."))
            return _back_to_thread(post.thread, post)
    return render(request, "community/post_form.html", {"course": course, "post": post, "form": form},
                  status=400 if form.errors else 200)  # fmt: skip


def post_history(request: HttpRequest, slug: str, post_id: int) -> HttpResponse:
    course = get_course(request, slug, "view")
    post = _post(request, course, post_id)
    moderator = selectors.is_moderator(signed_in(request), course)
    readable = not post.is_deleted and (not post.is_hidden or moderator)
    return render(
        request,
        "community/post_history.html",
        {"course": course, "post": post, "readable": readable,
         "revisions": selectors.revisions(post) if readable else []},
    )  # fmt: skip


@require_POST
def post_delete(request: HttpRequest, slug: str, post_id: int) -> HttpResponse:
    course = get_course(request, slug, "view")
    post = _post(request, course, post_id, "delete")
    services.delete_post(actor=signed_in(request), post=post, now=timezone.now())
    messages.success(request, _("Post deleted."))
    return _back_to_thread(post.thread, post)


@require_POST
@varies_with_htmx
def post_vote(request: HttpRequest, slug: str, post_id: int) -> HttpResponse:
    user = signed_in(request)
    course = get_course(request, slug, "view")
    post = _post(request, course, post_id, "vote")
    error, voted = "", False
    try:
        voted = services.toggle_vote(actor=user, post=post, now=timezone.now())
    except DomainError as exc:
        error = exc.message
    if is_htmx(request):
        post.refresh_from_db(fields=["upvote_count"])
        context = {"course": course, "post": post, "voted": voted, "may_vote": True, "user_id": user.pk,
                   "vote_error": error}  # fmt: skip
        return render(request, "community/vote.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Upvoted.") if voted else _("Upvote taken back."))
    return _back_to_thread(post.thread, post)


@require_POST
def post_endorse(request: HttpRequest, slug: str, post_id: int) -> HttpResponse:
    course = get_course(request, slug, "view")
    post = _post(request, course, post_id, "moderate")
    endorsed = _flag(request, "endorsed")
    try:
        services.set_endorsed(actor=signed_in(request), post=post, endorsed=endorsed, now=timezone.now())
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Answer endorsed.") if endorsed else _("Endorsement removed."))
    return _back_to_thread(post.thread, post)


@require_POST
def post_hide(request: HttpRequest, slug: str, post_id: int) -> HttpResponse:
    course = get_course(request, slug, "view")
    post = _post(request, course, post_id, "moderate")
    hidden = _flag(request, "hidden")
    services.set_hidden(actor=signed_in(request), post=post, hidden=hidden, now=timezone.now())
    messages.success(request, _("Post hidden from learners.") if hidden else _("Post restored."))
    if request.POST.get("back") == "reports":
        return redirect("community:report-list", slug=course.slug)
    return _back_to_thread(post.thread, post)


def post_report(request: HttpRequest, slug: str, post_id: int) -> HttpResponse:
    user = signed_in(request)
    course = get_course(request, slug, "view")
    post = _post(request, course, post_id, "report")
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_post(actor=user, post=post, reason=form.cleaned_data["reason"], now=timezone.now())
        except Conflict as exc:
            messages.error(request, exc.message)
            return _back_to_thread(post.thread, post)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Thank you. The course staff will look at this post."))
            return _back_to_thread(post.thread, post)
    return render(request, "community/post_report.html", {"course": course, "post": post, "form": form},
                  status=400 if form.errors else 200)  # fmt: skip


def post_file(request: HttpRequest, slug: str, post_id: int, filename: str) -> HttpResponse:
    course = get_course(request, slug, "view")
    post = _post(request, course, post_id)
    moderator = selectors.is_moderator(signed_in(request), course)
    if not post.file or post.filename != filename or post.is_deleted or (post.is_hidden and not moderator):
        raise Http404
    return uploads.serve_stored_file(  # type: ignore[return-value]
        name=post.file.name, content_type=post.content_type, filename=post.filename,
        range_header=request.headers.get("Range", ""), attachment=True,
    )  # fmt: skip


# --- Search and moderation ------------------------------------------------------------------------
def forum_search(request: HttpRequest, slug: str) -> HttpResponse:
    user = signed_in(request)
    course = get_course(request, slug, "view")
    query = request.GET.get("q", "")[:200]
    hits = selectors.search_posts(user, course, query) if query.strip() else []
    return render(request, "community/search.html", {"course": course, "query": query, "hits": hits})


def report_list(request: HttpRequest, slug: str) -> HttpResponse:
    course = get_course(request, slug, "moderate")
    page = selectors.open_reports(course, page=request.GET.get("page"))
    return render(
        request, "community/report_list.html", {"course": course, "page_obj": page, "page_links": _page_links(page)}
    )


@require_POST
def report_handle(request: HttpRequest, slug: str, report_id: int) -> HttpResponse:
    course = get_course(request, slug, "moderate")
    report = selectors.report_in_course(course, report_id)
    if report is None:
        raise Http404
    status = request.POST.get("status", ReportStatus.RESOLVED)
    try:
        services.handle_report(actor=signed_in(request), report=report, status=status, now=timezone.now())
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Report resolved.") if status == ReportStatus.RESOLVED else _("Report dismissed."))
    return redirect("community:report-list", slug=course.slug)

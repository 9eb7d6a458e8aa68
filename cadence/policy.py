"""The one permission policy: "may this user do this to that object?" and "which rows may they list?".

Every view, template tag, API endpoint and service asks here. Rules are small named predicates kept
in one table keyed by (model, action), so the whole matrix reads in one place. `can` answers for one
object; `scope` filters a queryset in SQL with the same rules, so lists and detail pages agree.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.db.models import Model, Q, QuerySet

from cadence.accounts.models import ApiToken, User
from cadence.assessment.models import Attempt, Question, Quiz, Submission
from cadence.community.models import Forum, ForumKind, Post, Thread
from cadence.content.models import Resource
from cadence.core.errors import NotAllowed
from cadence.courses.models import (
    STAFF_ROLES,
    Course,
    Group,
    Invitation,
    Item,
    Membership,
    Module,
    Role,
    Visibility,
)
from cadence.messaging.models import Conversation, Participant
from cadence.messaging.models import Kind as ConversationKind

Action = Literal[
    "view",  # see the object (course home, module, item, a membership)
    "discover",  # see a course's catalogue entry
    "join",  # join a course as a learner
    "edit",  # change the object or its content
    "preview",  # see the course as a learner does
    "view_people",  # see a course's roster
    "manage_people",  # add, import, invite, change roles, remove
    "create_course",  # site-level: start a new course
    "manage",  # own things such as API tokens
    "grade",  # grade learners' work and see the grading queue
    "post",  # community: start a thread in a forum
    "moderate",  # community: pin, lock, hide, endorse; see the report queue
    "vote",  # community: upvote a post
    "report",  # community: report a post to the staff
    "delete",  # community: delete a post (soft)
    "mark_answered",  # community: mark a question answered
    "ask",  # messaging: ask a course's teachers a private question
    "message",  # messaging: send direct messages within a course
    "answer",  # messaging: see and answer a course's questions, change their status
    "reply",  # messaging: write in a conversation
    "restore",  # bring a course, module or item back from the course archive
    "purge",  # delete an archived course, module or item for good (site administrators, after retention)
]
AnyUser = User | AnonymousUser
M = TypeVar("M", bound=Model)

_ROLE_CACHE = "_cadence_course_roles"
_LIVE = (Visibility.PUBLISHED, Visibility.ARCHIVED)


# --- Facts about a user ---------------------------------------------------------------------------
def is_admin(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def role_in(user: AnyUser, course_id: int) -> str | None:
    """The user's role in a course. All of a user's roles are loaded with one query per request."""
    if not user.is_authenticated:
        return None
    roles: dict[int, str] | None = getattr(user, _ROLE_CACHE, None)
    if roles is None:
        roles = dict(Membership.objects.filter(user_id=user.pk).values_list("course_id", "role"))
        setattr(user, _ROLE_CACHE, roles)
    return roles.get(course_id)


def forget_roles(user: AnyUser) -> None:
    """Call after changing a user's memberships so later checks in the same request see it."""
    if hasattr(user, _ROLE_CACHE):
        delattr(user, _ROLE_CACHE)


def _is_staff_of(user: AnyUser, course: Course) -> bool:
    return is_admin(user) or role_in(user, course.pk) in STAFF_ROLES


def _is_teacher_of(user: AnyUser, course: Course) -> bool:
    return is_admin(user) or role_in(user, course.pk) == Role.TEACHER


# --- The course archive (removed structure) ---------------------------------------------------------
# A removed course, module or item is seen by nobody, site administrators included, until restored; only
# "restore" applies to it. Learners' own work in it (receipts, attempts) stays theirs to see.
def in_archive(obj: Course | Module | Item) -> bool:
    if isinstance(obj, Course):
        return obj.removed_at is not None
    if isinstance(obj, Module):
        return obj.removed_at is not None or obj.course.removed_at is not None
    return obj.removed_at is not None or obj.module.removed_at is not None or obj.course.removed_at is not None


def _course_restore(user: AnyUser, course: Course) -> bool:
    return course.removed_at is not None and _is_teacher_of(user, course)


def _structure_restore(user: AnyUser, obj: Module | Item) -> bool:
    """An archived module or item of a live course: its teachers restore it."""
    return obj.removed_at is not None and obj.course.removed_at is None and _is_teacher_of(user, obj.course)


def _live_q(model: type[Model], prefix: str = "") -> Q | None:
    """Rows not in the archive, for models that hang on course structure; None for other models."""
    course = Q(**{f"{prefix}course__removed_at__isnull": True})
    if model is Course:
        return Q(**{f"{prefix}removed_at__isnull": True})
    if model is Module:
        return Q(**{f"{prefix}removed_at__isnull": True}) & course
    if model is Item:
        return Q(**{f"{prefix}removed_at__isnull": True, f"{prefix}module__removed_at__isnull": True}) & course
    if model in (Resource, Forum):
        item = _live_q(Item, f"{prefix}item__")
        assert item is not None
        return course & (Q(**{f"{prefix}item__isnull": True}) | item)
    if model is Thread:
        return _live_q(Forum, f"{prefix}forum__")
    if model is Post:
        return _live_q(Forum, f"{prefix}thread__forum__")
    if model in (Membership, Conversation):
        return course
    return None


def _archive_q(model: type[Model], action: str) -> Q | None:
    """ "restore" lists rows in the archive; every other action only live rows."""
    if action != "restore":
        return _live_q(model)
    if model is Course:
        return Q(removed_at__isnull=False)
    if model in (Module, Item):
        return Q(removed_at__isnull=False, course__removed_at__isnull=True)
    return None


# --- Predicates per model -------------------------------------------------------------------------
def _course_view(user: AnyUser, course: Course) -> bool:
    if course.removed_at is not None:
        return False  # in the archive: gone for everyone until restored
    if _is_staff_of(user, course):
        return True
    return role_in(user, course.pk) is not None and course.visibility in _LIVE


def _course_discover(user: AnyUser, course: Course) -> bool:
    return (course.visibility == Visibility.PUBLISHED and course.removed_at is None) or _course_view(user, course)


def _course_join(user: AnyUser, course: Course) -> bool:
    return (
        user.is_authenticated
        and course.visibility == Visibility.PUBLISHED
        and course.removed_at is None
        and role_in(user, course.pk) is None
    )


def _module_view(user: AnyUser, module: Module) -> bool:
    if module.removed_at is not None or module.course.removed_at is not None:
        return False
    if _is_staff_of(user, module.course):
        return True
    return module.is_published and _course_view(user, module.course)


def _item_view(user: AnyUser, item: Item) -> bool:
    if in_archive(item):
        return False
    if _is_staff_of(user, item.course):
        return True
    return item.is_published and item.module.is_published and _course_view(user, item.course)


def _resource_view(user: AnyUser, resource: Resource) -> bool:
    """A resource shown by a file or link item follows that item; others are seen when published."""
    if resource.item_id is not None:
        return _item_view(user, resource.item)  # type: ignore[arg-type]
    if _is_staff_of(user, resource.course):
        return True
    return resource.is_published and _course_view(user, resource.course)


def _learner_work_view(user: AnyUser, course: Course, learner_id: int) -> bool:
    """A learner's own work; the course's staff see all; an observer sees the learner they follow."""
    if learner_id == user.pk:
        return True
    if _is_staff_of(user, course):
        return True
    if role_in(user, course.pk) != Role.OBSERVER:
        return False
    return Membership.objects.filter(course=course, user_id=learner_id, observers__user_id=user.pk or 0).exists()


def _membership_view(user: AnyUser, membership: Membership) -> bool:
    if membership.user_id == user.pk or _is_staff_of(user, membership.course):
        return True
    if role_in(user, membership.course_id) != Role.OBSERVER:
        return False
    return membership.observers.filter(user_id=user.pk or 0).exists()


def _membership_edit(user: AnyUser, membership: Membership) -> bool:
    return _is_teacher_of(user, membership.course)


def _course_ask(user: AnyUser, course: Course) -> bool:
    return role_in(user, course.pk) == Role.LEARNER and course.visibility in _LIVE


def _is_participant(user: AnyUser, conversation: Conversation) -> bool:
    return bool(user.pk) and Participant.objects.filter(conversation=conversation, user_id=user.pk or 0).exists()


def _conversation_view(user: AnyUser, conversation: Conversation) -> bool:
    """A question: its asker and the course's staff. A direct conversation: its participants only, site
    administrators included: private messages are nobody else's business."""
    if _is_participant(user, conversation):
        return True
    return conversation.kind == ConversationKind.QUESTION and _is_staff_of(user, conversation.course)


def _conversation_reply(user: AnyUser, conversation: Conversation) -> bool:
    """Staff answer questions; otherwise only people still in the course write (having left, they may still read)."""
    if conversation.kind == ConversationKind.QUESTION and _is_staff_of(user, conversation.course):
        return True
    if role_in(user, conversation.course_id) is None and not is_admin(user):
        return False
    if conversation.kind == ConversationKind.QUESTION:
        return conversation.started_by_id == user.pk
    return _is_participant(user, conversation)


# Community (forums): observers read, members who learn or teach write; staff see every group.
def _forum_writer(user: AnyUser, course: Course) -> bool:
    return is_admin(user) or role_in(user, course.pk) in (Role.TEACHER, Role.TA, Role.LEARNER)


def _forum_view(user: AnyUser, forum: Forum) -> bool:
    if forum.item_id is not None:
        return _item_view(user, forum.item)  # type: ignore[arg-type]
    return _course_view(user, forum.course)


def _forum_post(user: AnyUser, forum: Forum) -> bool:
    if not _forum_view(user, forum):
        return False
    if forum.kind == ForumKind.ANNOUNCEMENTS:
        return _is_staff_of(user, forum.course)
    return _forum_writer(user, forum.course)


def _thread_view(user: AnyUser, thread: Thread) -> bool:
    if not _forum_view(user, thread.forum):
        return False
    if not thread.forum.group_separated or thread.group_id is None or _is_staff_of(user, thread.course):
        return True
    return Membership.objects.filter(user_id=user.pk or 0, course_id=thread.course_id, groups=thread.group_id).exists()


def _post_view(user: AnyUser, post: Post) -> bool:
    thread = post.thread
    if not _thread_view(user, thread):
        return False
    if post.is_opening or not thread.forum.post_first or _is_staff_of(user, post.course):
        return True
    if user.pk in (post.author_id, thread.author_id):
        return True
    return Post.objects.filter(thread_id=thread.pk, author_id=user.pk or 0).exists()


def _post_edit(user: AnyUser, post: Post) -> bool:
    return _post_view(user, post) and (post.author_id == user.pk or _is_teacher_of(user, post.course))


def _post_delete(user: AnyUser, post: Post) -> bool:
    return _post_view(user, post) and (post.author_id == user.pk or _is_staff_of(user, post.course))


Rule = Callable[[Any, Any], bool]
RULES: dict[tuple[type[Model] | None, str], Rule] = {
    (None, "create_course"): lambda u, _: is_admin(u) or bool(u.is_authenticated and u.has_perm("courses.add_course")),
    (Course, "view"): _course_view,
    (Course, "discover"): _course_discover,
    (Course, "join"): _course_join,
    (Course, "edit"): _is_teacher_of,
    (Course, "preview"): _is_staff_of,
    (Course, "view_people"): _is_staff_of,
    (Course, "manage_people"): _is_teacher_of,
    (Course, "grade"): _is_staff_of,
    (Module, "view"): _module_view,
    (Module, "edit"): lambda u, m: _is_teacher_of(u, m.course),
    (Item, "view"): _item_view,
    (Item, "edit"): lambda u, i: _is_teacher_of(u, i.course),
    (Course, "restore"): _course_restore,
    (Module, "restore"): _structure_restore,
    (Item, "restore"): _structure_restore,
    (Course, "purge"): lambda u, c: is_admin(u) and c.removed_at is not None,
    (Module, "purge"): lambda u, m: is_admin(u) and m.removed_at is not None,
    (Item, "purge"): lambda u, i: is_admin(u) and i.removed_at is not None,
    (Resource, "view"): _resource_view,
    (Resource, "edit"): lambda u, r: _is_teacher_of(u, r.course),
    # The question bank is the staff's: learners meet questions only inside their own attempts.
    (Question, "view"): lambda u, q: _is_staff_of(u, q.course),
    (Question, "edit"): lambda u, q: _is_teacher_of(u, q.course),
    (Quiz, "edit"): lambda u, z: _is_teacher_of(u, z.item.course),
    (Attempt, "view"): lambda u, a: _learner_work_view(u, a.quiz.item.course, a.user_id),
    (Submission, "view"): lambda u, s: _learner_work_view(u, s.assignment.item.course, s.user_id),
    (Membership, "view"): _membership_view,
    (Membership, "edit"): _membership_edit,
    (Group, "view"): lambda u, g: _is_staff_of(u, g.course),
    (Group, "edit"): lambda u, g: _is_teacher_of(u, g.course),
    (Invitation, "manage"): lambda u, i: _is_teacher_of(u, i.course),
    (ApiToken, "manage"): lambda u, t: u.is_authenticated and t.user_id == u.pk,
    # Forums (the community app)
    (Course, "moderate"): _is_staff_of,
    (Forum, "view"): _forum_view,
    (Forum, "post"): _forum_post,
    (Forum, "edit"): lambda u, f: _is_teacher_of(u, f.course),
    (Forum, "moderate"): lambda u, f: _forum_view(u, f) and _is_staff_of(u, f.course),
    (Thread, "view"): _thread_view,
    (Thread, "reply"): lambda u, t: _thread_view(u, t) and _forum_post(u, t.forum),
    (Thread, "moderate"): lambda u, t: _thread_view(u, t) and _is_staff_of(u, t.course),
    (Thread, "mark_answered"): lambda u, t: _thread_view(u, t) and (t.author_id == u.pk or _is_staff_of(u, t.course)),
    (Post, "view"): _post_view,
    (Post, "edit"): _post_edit,
    (Post, "delete"): _post_delete,
    (Post, "moderate"): lambda u, p: _post_view(u, p) and _is_staff_of(u, p.course),
    (Post, "vote"): lambda u, p: _post_view(u, p) and _forum_writer(u, p.course),
    (Post, "report"): lambda u, p: _post_view(u, p) and (is_admin(u) or role_in(u, p.course_id) is not None),
    # Private conversations: questions to the teachers and direct messages.
    (Course, "ask"): _course_ask,
    (Course, "message"): _course_view,
    (Course, "answer"): _is_staff_of,
    (Conversation, "view"): _conversation_view,
    (Conversation, "reply"): _conversation_reply,
    (Conversation, "answer"): lambda u, c: c.kind == ConversationKind.QUESTION and _is_staff_of(u, c.course),
}


def can(user: AnyUser, action: str, obj: Model | None = None) -> bool:
    if not user.is_active and user.is_authenticated:
        return False
    rule = RULES.get((type(obj) if obj is not None else None, action))
    if rule is None:
        return False  # deny anything the table does not name
    return bool(rule(user, obj))


def require(user: AnyUser, action: str, obj: Model | None = None) -> None:
    """For services: raise NotAllowed unless the policy allows."""
    if not can(user, action, obj):
        raise NotAllowed("You do not have permission to do that.")


# --- Scopes: the same rules as SQL filters ---------------------------------------------------------
def _member_course_ids(user: AnyUser, roles: frozenset[str] | None = None) -> QuerySet[Membership, Any]:
    rows = Membership.objects.filter(user_id=user.pk or 0)
    if roles is not None:
        rows = rows.filter(role__in=roles)
    return rows.values("course_id")


def _visible_course_q(user: AnyUser, prefix: str = "") -> Q:
    staff = _member_course_ids(user, frozenset(STAFF_ROLES))
    member = _member_course_ids(user)
    return Q(**{f"{prefix}pk__in": staff}) | (
        Q(**{f"{prefix}pk__in": member}) & Q(**{f"{prefix}visibility__in": _LIVE})
    )


def _staff_course_q(user: AnyUser, prefix: str = "") -> Q:
    return Q(**{f"{prefix}pk__in": _member_course_ids(user, frozenset(STAFF_ROLES))})


def _forum_q(user: AnyUser, prefix: str = "") -> Q:
    item_live = Q(**{f"{prefix}item__is_published": True, f"{prefix}item__module__is_published": True})
    return _staff_course_q(user, f"{prefix}course__") | (
        _visible_course_q(user, f"{prefix}course__") & (Q(**{f"{prefix}item__isnull": True}) | item_live)
    )


def _thread_q(user: AnyUser, prefix: str = "") -> Q:
    my_groups = Group.objects.filter(memberships__user_id=user.pk or 0).values("pk")
    return _forum_q(user, f"{prefix}forum__") & (
        _staff_course_q(user, f"{prefix}course__")
        | Q(**{f"{prefix}forum__group_separated": False})
        | Q(**{f"{prefix}group__isnull": True})
        | Q(**{f"{prefix}group__in": my_groups})
    )


def _scope_filter(user: AnyUser, model: type[Model], action: str) -> Q | None:
    """A Q for the rows the user may act on; None means the table has no rule (deny all)."""
    if model is Course and action == "view":
        return _visible_course_q(user)
    if model is Course and action == "discover":
        return Q(visibility=Visibility.PUBLISHED) | _visible_course_q(user)
    if model is Course and action == "edit":
        return Q(pk__in=_member_course_ids(user, frozenset({Role.TEACHER})))
    if model is Module and action == "view":
        return _staff_course_q(user, "course__") | (Q(is_published=True) & _visible_course_q(user, "course__"))
    if model is Item and action == "view":
        return _staff_course_q(user, "course__") | (
            Q(is_published=True, module__is_published=True) & _visible_course_q(user, "course__")
        )
    if model is Resource and action == "view":
        return _staff_course_q(user, "course__") | (
            _visible_course_q(user, "course__")
            & (Q(item__isnull=True, is_published=True) | Q(item__is_published=True, item__module__is_published=True))
        )
    if model is Membership and action == "view":
        return (
            _staff_course_q(user, "course__")
            | Q(user_id=user.pk)
            | Q(observers__user_id=user.pk or 0, observers__role=Role.OBSERVER)
        )
    if model is Course and action == "restore":
        return Q(pk__in=_member_course_ids(user, frozenset({Role.TEACHER})))
    if model in (Module, Item) and action == "restore":
        return Q(course_id__in=_member_course_ids(user, frozenset({Role.TEACHER})))
    if model is ApiToken and action == "manage":
        return Q(user_id=user.pk)
    if model is Forum and action == "view":
        return _forum_q(user)
    if model is Thread and action == "view":
        return _thread_q(user)
    if model is Post and action == "view":
        mine = Post.objects.filter(author_id=user.pk or 0).values("thread_id")
        return _thread_q(user, "thread__") & (
            _staff_course_q(user, "course__")
            | Q(thread__forum__post_first=False)
            | Q(is_opening=True)
            | Q(author_id=user.pk)
            | Q(thread__author_id=user.pk)
            | Q(thread_id__in=mine)
        )
    if model is Conversation and action == "view":
        talks = Participant.objects.filter(user_id=user.pk or 0).values("conversation_id")
        questions = Q(kind=ConversationKind.QUESTION)
        return Q(pk__in=talks) | (questions if is_admin(user) else questions & _staff_course_q(user, "course__"))
    return None


# Rows even a site administrator lists only when they are theirs: tokens, and private conversations.
_OWN_ROWS_ONLY: tuple[type[Model], ...] = (ApiToken, Conversation)


def scope(user: AnyUser, action: str, qs: QuerySet[M]) -> QuerySet[M]:
    model = qs.model
    archive = _archive_q(model, action)
    if archive is not None:
        qs = qs.filter(archive)
    if model is Course and action == "discover" and not user.is_authenticated:
        return qs.filter(visibility=Visibility.PUBLISHED)
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    condition = _scope_filter(user, model, action)
    if condition is None:
        return qs.none()
    if is_admin(user) and model not in _OWN_ROWS_ONLY:
        return qs
    filtered = qs.filter(condition)
    # The observer join can repeat rows; other conditions are subqueries and never do.
    return filtered.distinct() if model is Membership else filtered

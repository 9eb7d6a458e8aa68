"""The one permission policy: "may this user do this to that object?", "which rows may they list?" and
"which of these people may be told about it?".

Every view, template tag, API endpoint, service and notification asks here. Each rule is a `Rule` kept
in one table keyed by (model, action): its object check (`check(user, obj)`) and its queryset filter
(`q(user)`) sit side by side, so `can` (one object), `scope` (lists, in SQL) and `audience` (who may be
told, the same checks run over many people with their facts loaded in a fixed number of queries) agree.
`cadence/tests/test_policy_parity.py` proves that for every rule, every role and the shared test world.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, Model, OuterRef, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cadence.accounts.models import ApiToken, User
from cadence.assessment.domain import availability
from cadence.assessment.models import Assignment, Attempt, AttemptState, Question, Quiz, QuizSlot, Submission
from cadence.community.models import Forum, ForumKind, Post, Thread
from cadence.content.models import Resource
from cadence.core.errors import NotAllowed
from cadence.courses.domain import accommodations
from cadence.courses.models import (
    STAFF_ROLES,
    Accommodation,
    Course,
    Group,
    Invitation,
    Item,
    Membership,
    Module,
    Role,
    Visibility,
)
from cadence.families.models import FollowRequest, RequestStatus
from cadence.insights.models import CheckInLog, CheckInRule, CheckInTemplate, LearnerStats
from cadence.messaging.models import Conversation, CourseMessaging, Participant
from cadence.messaging.models import Kind as ConversationKind
from cadence.privacy.ages import PARENTAL_CONSENT_AGE, is_under, latest_birth_date_under
from cadence.privacy.models import DataExport, DeletionRequest
from cadence.progress import release

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
    "answer",  # messaging: see and answer a course's questions; assessment: answer in one's own attempt
    "reply",  # messaging: write in a conversation
    "check_in",  # messaging: write to a quiet learner (a membership) as their teacher
    "learn",  # take part as a learner: progress is tracked, deadlines and grades count
    "take",  # assessment: take a quiz (start attempts; see `may_start_attempt` for when)
    "submit",  # assessment: submit to an assignment
    "tick",  # content: tick a checklist's steps
    "export_data",  # privacy: ask for a copy of a person's data
    "request_deletion",  # privacy: ask for one's own account to be deleted
    "download",  # privacy: download a prepared copy of data
    "cancel",  # privacy: withdraw one's own pending deletion request
    "decide",  # privacy: confirm or decline someone's deletion request
    "review_deletions",  # privacy, site-level: see the deletion requests waiting for a decision
    "restore",  # bring a course, module or item back from the course archive
    "purge",  # delete an archived course, module or item for good (site administrators, after retention)
    "follow",  # families: ask to follow a learner of a course one observes in
    "view_family",  # families: see a followed learner's progress, deadlines, released grades and activity
    "view_insights",  # insights: a course's health and learners' figures (Course); one learner's figures (Membership)
    "view_teaching_home",  # site-level: the teacher's home across the courses one teaches
    "configure_insights",  # insights: change a course's risk weights, thresholds and planned duration
    "view_accommodations",  # see learners' accommodations (Course: the page; Membership: one learner's)
    "manage_accommodations",  # give, change and remove accommodations in a course
    "manage_check_ins",  # insights: write a course's check-in templates and automated check-in rules
]
AnyUser = User | AnonymousUser
M = TypeVar("M", bound=Model)

_ROLE_CACHE = "_cadence_course_roles"
_LIVE = (Visibility.PUBLISHED, Visibility.ARCHIVED)


_TAKE_PART = frozenset({Role.TEACHER, Role.TA, Role.LEARNER})  # observers only watch
_ALL = Q(pk__isnull=False)  # a Q that every row meets (an empty Q() would vanish when combined)


# --- Facts, loaded for one person or, inside `audience`, for many at once ------------------------------
@dataclass
class _Facts:
    """The people an `audience` call is about, and what has been loaded for all of them so far."""

    user_ids: frozenset[int]
    loaded: dict[tuple[Any, ...], Any] = field(default_factory=dict)


_AUDIENCE: ContextVar[_Facts | None] = ContextVar("cadence_policy_audience", default=None)
T = TypeVar("T")


def _per_user(key: tuple[Any, ...], user: AnyUser, load: Callable[[Collection[int]], Mapping[int, T]], empty: T) -> T:
    """A fact about a user. Alone it is loaded for them; inside `audience`, once for everyone asked about."""
    facts = _AUDIENCE.get()
    if facts is None or user.pk not in facts.user_ids:
        return load([user.pk or 0]).get(user.pk or 0, empty)
    if key not in facts.loaded:
        facts.loaded[key] = load(facts.user_ids)
    rows: Mapping[int, T] = facts.loaded[key]
    return rows.get(user.pk, empty)


def _shared(key: tuple[Any, ...], load: Callable[[], T]) -> T:
    """A fact about an object that is the same for everyone: loaded once per `audience` call."""
    facts = _AUDIENCE.get()
    if facts is None:
        return load()
    if key not in facts.loaded:
        facts.loaded[key] = load()
    value: T = facts.loaded[key]
    return value


def _sets(rows: Iterable[tuple[int, Any]]) -> dict[int, frozenset[Any]]:
    out: dict[int, set[Any]] = {}
    for user_id, value in rows:
        out.setdefault(user_id, set()).add(value)
    return {user_id: frozenset(values) for user_id, values in out.items()}


def is_admin(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def _roles(user: AnyUser) -> dict[int, str]:
    """The user's role in each of their courses, loaded with one query per request."""
    if not user.is_authenticated:
        return {}
    roles: dict[int, str] | None = getattr(user, _ROLE_CACHE, None)
    if roles is None:
        roles = dict(Membership.objects.filter(user_id=user.pk).values_list("course_id", "role"))
        setattr(user, _ROLE_CACHE, roles)
    return roles


def role_in(user: AnyUser, course_id: int) -> str | None:
    """The user's role in a course. All of a user's roles are loaded with one query per request."""
    return _roles(user).get(course_id)


def remember_roles(user: AnyUser, memberships: Iterable[Membership]) -> None:
    """Keep the user's roles from membership rows a selector has read anyway: all of the user's, not a subset."""
    if user.is_authenticated:
        setattr(user, _ROLE_CACHE, {m.course_id: m.role for m in memberships if m.user_id == user.pk})


def forget_roles(user: AnyUser) -> None:
    """Call after changing a user's memberships so later checks in the same request see it."""
    if hasattr(user, _ROLE_CACHE):
        delattr(user, _ROLE_CACHE)


def learns_in(user: AnyUser, course_id: int) -> bool:
    """Whether the user takes part in the course as a learner: only their progress, deadlines and grades count."""
    return role_in(user, course_id) == Role.LEARNER


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
    if model in (Membership, Conversation, LearnerStats, Accommodation, CheckInTemplate, CheckInRule, CheckInLog):
        return course
    if model is FollowRequest:
        return Q(**{f"{prefix}learner__course__removed_at__isnull": True})
    return None


def _archive_q(model: type[Model], action: str) -> Q | None:
    """ "restore" and "purge" list rows in the archive; every other action only live rows."""
    if action == "purge" and model in (Course, Module, Item):
        return Q(removed_at__isnull=False)
    if action != "restore":
        return _live_q(model)
    if model is Course:
        return Q(removed_at__isnull=False)
    if model in (Module, Item):
        return Q(removed_at__isnull=False, course__removed_at__isnull=True)
    return None


def _takes_part(user: AnyUser, course: Course) -> bool:
    """Learners and staff take part (post, take quizzes, tick steps); observers follow a learner's work."""
    return is_admin(user) or role_in(user, course.pk) in _TAKE_PART


def _group_ids(user: AnyUser) -> frozenset[int]:
    def load(ids: Collection[int]) -> dict[int, frozenset[int]]:
        return _sets(Membership.objects.filter(user_id__in=ids, groups__isnull=False).values_list("user_id", "groups"))

    return _per_user(("groups",), user, load, frozenset())


def _observes(user: AnyUser, course_id: int, learner_id: int) -> bool:
    """Whether the user is an observer in the course linked to this learner."""
    if role_in(user, course_id) != Role.OBSERVER:
        return False

    def load(ids: Collection[int]) -> dict[int, frozenset[tuple[int, int]]]:
        rows = Membership.objects.filter(observers__user_id__in=ids, observers__role=Role.OBSERVER)
        return _sets((o, (c, u)) for o, c, u in rows.values_list("observers__user_id", "course_id", "user_id"))

    none: frozenset[tuple[int, int]] = frozenset()
    return (course_id, learner_id) in _per_user(("observed",), user, load, none)


def _has_posted_in(user: AnyUser, thread_id: int) -> bool:
    def load(ids: Collection[int]) -> dict[int, bool]:
        authors = Post.objects.filter(thread_id=thread_id, author_id__in=ids).values_list("author_id", flat=True)
        return dict.fromkeys(authors, True)

    return _per_user(("posted", thread_id), user, load, False)


def _is_participant(user: AnyUser, conversation: Conversation) -> bool:
    def load(ids: Collection[int]) -> dict[int, bool]:
        rows = Participant.objects.filter(conversation_id=conversation.pk, user_id__in=ids)
        return dict.fromkeys(rows.values_list("user_id", flat=True), True)

    return bool(user.pk) and _per_user(("participant", conversation.pk), user, load, False)


def _learners_message_learners(course: Course) -> bool:
    return _shared(
        ("learners_message", course.pk),
        lambda: CourseMessaging.objects.filter(course_id=course.pk, learners_may_message_learners=True).exists(),
    )


# --- Rules: each object check beside its queryset filter -------------------------------------------------
# A Q-builder takes the user and a prefix (the path from the listed model to the object the rule is about),
# so one rule's filter can be reused inside another's, just as the checks call each other.
def _member_course_ids(user: AnyUser, roles: Collection[str] | None = None) -> QuerySet[Membership, Any]:
    rows = Membership.objects.filter(user_id=user.pk or 0)
    if roles is not None:
        rows = rows.filter(role__in=roles)
    return rows.values("course_id")


def _role_course_q(user: AnyUser, roles: Collection[str] | None, prefix: str = "", *, admin: bool = True) -> Q:
    if admin and is_admin(user):
        return _ALL
    return Q(**{f"{prefix}pk__in": _member_course_ids(user, roles)})


def _staff_course_q(user: AnyUser, prefix: str = "") -> Q:
    return _role_course_q(user, STAFF_ROLES, prefix)


def _teacher_course_q(user: AnyUser, prefix: str = "") -> Q:
    return _role_course_q(user, {Role.TEACHER}, prefix)


def _takes_part_q(user: AnyUser, prefix: str = "") -> Q:
    return _role_course_q(user, _TAKE_PART, prefix)


def _learner_course_q(user: AnyUser, prefix: str = "") -> Q:
    return _role_course_q(user, {Role.LEARNER}, prefix, admin=False)


def _visible_course_q(user: AnyUser, prefix: str = "") -> Q:
    member = _member_course_ids(user)
    return _staff_course_q(user, prefix) | (Q(**{f"{prefix}pk__in": member}) & Q(**{f"{prefix}visibility__in": _LIVE}))


def _observed_q(user: AnyUser, course_field: str, learner_field: str) -> Q:
    """Rows about a learner whom the user follows as an observer in that course."""
    links = Membership.objects.filter(
        course_id=OuterRef(course_field),
        user_id=OuterRef(learner_field),
        observers__user_id=user.pk or 0,
        observers__role=Role.OBSERVER,
    )
    return Q(Exists(links))


# Courses
def _course_view(user: AnyUser, course: Course) -> bool:
    if course.removed_at is not None:
        return False  # in the archive: gone for everyone until restored
    if _is_staff_of(user, course):
        return True
    return role_in(user, course.pk) is not None and course.visibility in _LIVE


def _course_discover(user: AnyUser, course: Course) -> bool:
    return (course.visibility == Visibility.PUBLISHED and course.removed_at is None) or _course_view(user, course)


def _course_discover_q(user: AnyUser, prefix: str = "") -> Q:
    return Q(**{f"{prefix}visibility": Visibility.PUBLISHED}) | _visible_course_q(user, prefix)


def _course_join(user: AnyUser, course: Course) -> bool:
    return (
        user.is_authenticated
        and course.visibility == Visibility.PUBLISHED
        and course.removed_at is None
        and role_in(user, course.pk) is None
    )


def _course_join_q(user: AnyUser, prefix: str = "") -> Q:
    return Q(**{f"{prefix}visibility": Visibility.PUBLISHED}) & ~Q(**{f"{prefix}pk__in": _member_course_ids(user)})


def _course_ask(user: AnyUser, course: Course) -> bool:
    return role_in(user, course.pk) == Role.LEARNER and course.visibility in _LIVE


def _course_ask_q(user: AnyUser, prefix: str = "") -> Q:
    return _learner_course_q(user, prefix) & Q(**{f"{prefix}visibility__in": _LIVE})


def _course_learn(user: AnyUser, course: Course) -> bool:
    return learns_in(user, course.pk)


# Modules, items and library resources
def _module_view(user: AnyUser, module: Module) -> bool:
    if module.removed_at is not None or module.course.removed_at is not None:
        return False
    if _is_staff_of(user, module.course):
        return True
    return module.is_published and _course_view(user, module.course)


def _module_q(user: AnyUser, prefix: str = "") -> Q:
    return _staff_course_q(user, f"{prefix}course__") | (
        Q(**{f"{prefix}is_published": True}) & _visible_course_q(user, f"{prefix}course__")
    )


def _item_view(user: AnyUser, item: Item) -> bool:
    if in_archive(item):
        return False
    if _is_staff_of(user, item.course):
        return True
    return item.is_published and item.module.is_published and _course_view(user, item.course)


def _item_q(user: AnyUser, prefix: str = "") -> Q:
    return _staff_course_q(user, f"{prefix}course__") | (
        Q(**{f"{prefix}is_published": True, f"{prefix}module__is_published": True})
        & _visible_course_q(user, f"{prefix}course__")
    )


def _item_tick(user: AnyUser, item: Item) -> bool:
    return _item_view(user, item) and _takes_part(user, item.course)


def _item_tick_q(user: AnyUser, prefix: str = "") -> Q:
    return _item_q(user, prefix) & _takes_part_q(user, f"{prefix}course__")


def _resource_view(user: AnyUser, resource: Resource) -> bool:
    """A resource shown by a file or link item follows that item; others are seen when published."""
    if resource.item_id is not None:
        return _item_view(user, resource.item)  # type: ignore[arg-type]  # item_id is set, so item is an Item
    if _is_staff_of(user, resource.course):
        return True
    return resource.is_published and _course_view(user, resource.course)


def _resource_q(user: AnyUser, prefix: str = "") -> Q:
    return (Q(**{f"{prefix}item__isnull": False}) & _item_q(user, f"{prefix}item__")) | (
        Q(**{f"{prefix}item__isnull": True})
        & (
            _staff_course_q(user, f"{prefix}course__")
            | (Q(**{f"{prefix}is_published": True}) & _visible_course_q(user, f"{prefix}course__"))
        )
    )


# Learners' work: their own; the course's staff see all; an observer sees the learner they follow.
def _learner_work_view(user: AnyUser, course: Course, learner_id: int) -> bool:
    if learner_id == user.pk:
        return True
    if _is_staff_of(user, course):
        return True
    return _observes(user, course.pk, learner_id)


def _learner_work_q(user: AnyUser, course_prefix: str, learner_field: str = "user_id") -> Q:
    return (
        Q(**{learner_field: user.pk or 0})
        | _staff_course_q(user, course_prefix)
        | _observed_q(user, f"{course_prefix}pk", learner_field)
    )


# Quizzes and assignments: who takes part
def _quiz_take(user: AnyUser, quiz: Quiz) -> bool:
    return _item_view(user, quiz.item) and _takes_part(user, quiz.item.course)


def _quiz_take_q(user: AnyUser, prefix: str = "") -> Q:
    return _item_q(user, f"{prefix}item__") & _takes_part_q(user, f"{prefix}item__course__")


def _attempt_answer(user: AnyUser, attempt: Attempt) -> bool:
    """One answers (and submits) only in one's own attempt, while still taking part in the course. Unpublishing
    the quiz does not cut off an attempt in progress: what the learner is writing must not be lost."""
    return attempt.user_id == user.pk and _takes_part(user, attempt.quiz.item.course)


def _assignment_submit(user: AnyUser, assignment: Assignment) -> bool:
    return _item_view(user, assignment.item) and learns_in(user, assignment.item.course_id)


# Memberships: seeing one, writing to its person, checking in on a learner
def _membership_view(user: AnyUser, membership: Membership) -> bool:
    if membership.user_id == user.pk or _is_staff_of(user, membership.course):
        return True
    return _observes(user, membership.course_id, membership.user_id)


def _membership_message(user: AnyUser, membership: Membership) -> bool:
    """Staff may message anyone in the course, anyone may message staff, learners each other if the course allows."""
    course = membership.course
    if membership.user_id == user.pk or not _course_view(user, course):
        return False
    if _is_staff_of(user, course) or membership.role in STAFF_ROLES:
        return True
    return membership.role == Role.LEARNER and learns_in(user, course.pk) and _learners_message_learners(course)


def _membership_message_q(user: AnyUser) -> Q:
    learners_ok = (
        Q(role=Role.LEARNER)
        & _learner_course_q(user, "course__")
        & Q(course__messaging__learners_may_message_learners=True)
    )
    return (
        ~Q(user_id=user.pk or 0)
        & _visible_course_q(user, "course__")
        & (_staff_course_q(user, "course__") | Q(role__in=STAFF_ROLES) | learners_ok)
    )


def _membership_check_in(user: AnyUser, membership: Membership) -> bool:
    """A course's staff check in with its learners; a TA limited to groups, with those groups' learners."""
    return membership.user_id != user.pk and _learner_insights(user, membership)


def _membership_check_in_q(user: AnyUser) -> Q:
    return ~Q(user_id=user.pk or 0) & _learner_insights_q(user)


# Private conversations: questions to the teachers and direct messages
def _conversation_view(user: AnyUser, conversation: Conversation) -> bool:
    """A question: its asker and the course's staff. A direct conversation: its participants only, site
    administrators included: private messages are nobody else's business."""
    if _is_participant(user, conversation):
        return True
    return conversation.kind == ConversationKind.QUESTION and _is_staff_of(user, conversation.course)


def _participant_q(user: AnyUser) -> Q:
    return Q(pk__in=Participant.objects.filter(user_id=user.pk or 0).values("conversation_id"))


def _conversation_q(user: AnyUser) -> Q:
    return _participant_q(user) | (Q(kind=ConversationKind.QUESTION) & _staff_course_q(user, "course__"))


def _conversation_reply(user: AnyUser, conversation: Conversation) -> bool:
    """Staff answer questions; otherwise only people still in the course write (having left, they may still read)."""
    if conversation.kind == ConversationKind.QUESTION and _is_staff_of(user, conversation.course):
        return True
    if role_in(user, conversation.course_id) is None and not is_admin(user):
        return False
    if conversation.kind == ConversationKind.QUESTION:
        return conversation.started_by_id == user.pk
    return _is_participant(user, conversation)


def _conversation_reply_q(user: AnyUser) -> Q:
    questions = Q(kind=ConversationKind.QUESTION)
    still_in = _role_course_q(user, None, "course__")
    return (questions & _staff_course_q(user, "course__")) | (
        still_in & ((questions & Q(started_by_id=user.pk or 0)) | (~questions & _participant_q(user)))
    )


def _conversation_answer(user: AnyUser, conversation: Conversation) -> bool:
    return conversation.kind == ConversationKind.QUESTION and _is_staff_of(user, conversation.course)


# Community (forums): observers read, members who learn or teach write; staff see every group.
def _forum_writer(user: AnyUser, course: Course) -> bool:
    return _takes_part(user, course)


def _forum_view(user: AnyUser, forum: Forum) -> bool:
    if forum.item_id is not None:
        return _item_view(user, forum.item)  # type: ignore[arg-type]  # item_id is set, so item is an Item
    return _course_view(user, forum.course)


def _forum_q(user: AnyUser, prefix: str = "") -> Q:
    return (Q(**{f"{prefix}item__isnull": False}) & _item_q(user, f"{prefix}item__")) | (
        Q(**{f"{prefix}item__isnull": True}) & _visible_course_q(user, f"{prefix}course__")
    )


def _forum_post(user: AnyUser, forum: Forum) -> bool:
    if not _forum_view(user, forum):
        return False
    if forum.kind == ForumKind.ANNOUNCEMENTS:
        return _is_staff_of(user, forum.course)
    return _forum_writer(user, forum.course)


def _forum_post_q(user: AnyUser, prefix: str = "") -> Q:
    announcements = Q(**{f"{prefix}kind": ForumKind.ANNOUNCEMENTS})
    return _forum_q(user, prefix) & (
        (announcements & _staff_course_q(user, f"{prefix}course__"))
        | (~announcements & _takes_part_q(user, f"{prefix}course__"))
    )


def _thread_view(user: AnyUser, thread: Thread) -> bool:
    if not _forum_view(user, thread.forum):
        return False
    if not thread.forum.group_separated or thread.group_id is None or _is_staff_of(user, thread.course):
        return True
    return thread.group_id in _group_ids(user)


def _thread_q(user: AnyUser, prefix: str = "") -> Q:
    my_groups = Group.objects.filter(memberships__user_id=user.pk or 0).values("pk")
    return _forum_q(user, f"{prefix}forum__") & (
        _staff_course_q(user, f"{prefix}course__")
        | Q(**{f"{prefix}forum__group_separated": False})
        | Q(**{f"{prefix}group__isnull": True})
        | Q(**{f"{prefix}group__in": my_groups})
    )


def _post_view(user: AnyUser, post: Post) -> bool:
    thread = post.thread
    if not _thread_view(user, thread):
        return False
    if post.is_opening or not thread.forum.post_first or _is_staff_of(user, post.course):
        return True
    if user.pk in (post.author_id, thread.author_id):
        return True
    return _has_posted_in(user, thread.pk)


def _post_q(user: AnyUser) -> Q:
    mine = Post.objects.filter(author_id=user.pk or 0).values("thread_id")
    return _thread_q(user, "thread__") & (
        _staff_course_q(user, "course__")
        | Q(thread__forum__post_first=False)
        | Q(is_opening=True)
        | Q(author_id=user.pk or 0)
        | Q(thread__author_id=user.pk or 0)
        | Q(thread_id__in=mine)
    )


def _post_edit(user: AnyUser, post: Post) -> bool:
    return _post_view(user, post) and (post.author_id == user.pk or _is_teacher_of(user, post.course))


def _post_delete(user: AnyUser, post: Post) -> bool:
    return _post_view(user, post) and (post.author_id == user.pk or _is_staff_of(user, post.course))


def _post_report(user: AnyUser, post: Post) -> bool:
    return _post_view(user, post) and (is_admin(user) or role_in(user, post.course_id) is not None)


# Insights (facilitation): a course's teachers and TAs, also once it has finished.
# A TA whose membership is in groups is limited to those groups: they see the figures of their groups'
# learners only; a TA in no group, like a teacher, sees every learner of the course.
def _course_insights(user: AnyUser, course: Course) -> bool:
    """A course's staff, also once it has finished: looking back at a course is how the next one improves."""
    return _is_staff_of(user, course)


def _course_insights_q(user: AnyUser, prefix: str = "") -> Q:
    return _staff_course_q(user, prefix)


# A TA membership with groups is limited to them (the one statement of the rule; every use below filters by it).
_GROUP_LIMITED_TA = Q(role=Role.TA, groups__isnull=False)


def _ta_groups(user: AnyUser, course_id: int) -> frozenset[int] | None:
    """The groups a TA is limited to in a course, or None when they are not limited (teachers, TAs in no group)."""
    if is_admin(user) or role_in(user, course_id) != Role.TA:
        return None

    def load(ids: Collection[int]) -> dict[int, frozenset[tuple[int, int]]]:
        rows = Membership.objects.filter(_GROUP_LIMITED_TA, user_id__in=ids)
        return _sets((u, (c, g)) for u, c, g in rows.values_list("user_id", "course_id", "groups"))

    none: frozenset[tuple[int, int]] = frozenset()
    groups = frozenset(g for c, g in _per_user(("ta_groups",), user, load, none) if c == course_id)
    return groups or None


def insight_groups(user: AnyUser, course_id: int) -> frozenset[int] | None:
    """The groups whose learners a group-limited TA sees in a course's insights; None: every learner."""
    return _ta_groups(user, course_id)


def insight_scopes(course: Course) -> list[frozenset[int] | None]:
    """Every set of learners a course's insights are seen in: None (every learner: its teachers, its TAs in no
    group, site administrators) first, then each distinct set of groups a group-limited TA is limited to.
    Two TAs limited to the same groups share one scope."""
    limited = Membership.objects.filter(_GROUP_LIMITED_TA, course=course)
    groups = _sets(limited.values_list("pk", "groups"))
    return [None, *sorted(set(groups.values()), key=sorted)]


def insight_learners(course: Course, groups: frozenset[int] | None) -> QuerySet[Membership]:
    """The course's learner memberships seen in one scope (`insight_scopes`): all, or those in any of the groups."""
    learners = Membership.objects.filter(course=course, role=Role.LEARNER)
    return learners if groups is None else learners.filter(groups__in=groups).distinct()


def _learner_insights(user: AnyUser, membership: Membership) -> bool:
    if membership.role != Role.LEARNER or not _course_insights(user, membership.course):
        return False
    limit = _ta_groups(user, membership.course_id)
    return limit is None or bool(limit & set(membership.groups.values_list("pk", flat=True)))


def _learner_insights_q(user: AnyUser) -> Q:
    allowed = Q(role=Role.LEARNER) & _course_insights_q(user, "course__")
    if is_admin(user):
        return allowed
    mine = Membership.objects.filter(_GROUP_LIMITED_TA, user_id=user.pk or 0)
    in_my_groups = Membership.objects.filter(groups__in=mine.values("groups")).values("pk")
    return allowed & (~Q(course_id__in=mine.values("course_id")) | Q(pk__in=in_my_groups))


def _teaching_home(user: AnyUser, _: object) -> bool:
    """Anyone who teaches (as teacher or TA) in some course has a teacher's home; site administrators too."""
    return is_admin(user) or any(role in STAFF_ROLES for role in _roles(user).values())


def _stats_view(user: AnyUser, stats: LearnerStats) -> bool:
    """A learner's figures: whoever may see the learner's membership in the course's insights."""
    return _learner_insights(user, stats.membership)


def _stats_q(user: AnyUser) -> Q:
    return Q(membership_id__in=Membership.objects.filter(_learner_insights_q(user)).values("pk"))


# Accommodations (special educational needs): teachers give them; the course's staff see them beside the
# learner, a TA limited to groups only for their groups (and their learners); classmates and observers never.
def _accommodation_view(user: AnyUser, row: Accommodation) -> bool:
    if row.membership_id is not None:
        return _learner_insights(user, row.membership)  # type: ignore[arg-type]  # membership_id says it is there
    if not _is_staff_of(user, row.course):
        return False
    limit = _ta_groups(user, row.course_id)
    return limit is None or row.group_id in limit


def _accommodation_view_q(user: AnyUser) -> Q:
    learners = Q(membership_id__in=Membership.objects.filter(_learner_insights_q(user)).values("pk"))
    groups = Q(group__isnull=False)
    if not is_admin(user):
        mine = Membership.objects.filter(user_id=user.pk or 0, role=Role.TA, groups__isnull=False)
        groups &= ~Q(course_id__in=mine.values("course_id")) | Q(group_id__in=mine.values("groups"))
    return _staff_course_q(user, "course__") & (learners | groups)


def accommodation_of(user: AnyUser, course_id: int) -> accommodations.Effective:
    """What applies to a learner of the course (nothing to anyone else): for `may_start_attempt` when its
    caller has not read it (`courses.selectors.accommodation_for` is the same read). Two queries."""
    if not isinstance(user, User) or not learns_in(user, course_id):
        return accommodations.NONE
    membership = Membership.objects.filter(user_id=user.pk, course_id=course_id).with_accommodations().first()
    return membership.effective_accommodation if membership is not None else accommodations.NONE


# Check-ins: teachers write a course's templates and automated rules; its staff use the templates; the log
# of check-ins follows the learners table (a TA limited to groups sees those groups' learners' rows).
def _check_in_log_view(user: AnyUser, row: CheckInLog) -> bool:
    return _learner_insights(user, row.membership)


# --- The table ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Rule:
    """One (model, action): the check for one object and the same rule as a filter over a model's rows.

    `q` is None only for site-level rules that have no rows to list (creating a course).
    """

    check: Callable[[Any, Any], bool]
    q: Callable[[Any], Q] | None


def _admin_q(user: AnyUser) -> Q:
    return _ALL if is_admin(user) else Q(pk__in=[])


def _course_rule(check: Callable[[Any, Course], bool], q: Callable[[AnyUser, str], Q]) -> Rule:
    return Rule(check, lambda u: q(u, ""))


# Data rights: a person's own; a linked observer (parent) acts for a learner known to be under 16.
def _observes_person(user: AnyUser, subject: User) -> bool:
    return Membership.objects.filter(
        user_id=user.pk or 0, role=Role.OBSERVER, observed__user_id=subject.pk, observed__role=Role.LEARNER
    ).exists()


def _export_data(user: AnyUser, subject: User) -> bool:
    if not user.is_authenticated or not subject.is_active:
        return False
    if subject.pk == user.pk:
        return True
    under_age = is_under(subject.birth_date, PARENTAL_CONSENT_AGE, timezone.localdate())
    return under_age and _observes_person(user, subject)


def _export_data_q(user: AnyUser) -> Q:
    observed = Membership.objects.filter(
        observers__user_id=user.pk or 0, observers__role=Role.OBSERVER, role=Role.LEARNER
    ).values("user_id")
    too_young = Q(birth_date__gt=latest_birth_date_under(PARENTAL_CONSENT_AGE, timezone.localdate()))
    return Q(is_active=True) & (Q(pk=user.pk or 0) | (Q(pk__in=observed) & too_young))


def _deletion_decide_q(user: AnyUser) -> Q:
    return ~Q(user_id=user.pk or 0) if is_admin(user) else Q(pk__in=[])


RULES: dict[tuple[type[Model] | None, str], Rule] = {
    (None, "create_course"): Rule(
        # `may_create_courses` mirrors `has_perm("courses.add_course")` without its two queries per page.
        lambda u, _: (
            is_admin(u) or bool(u.is_authenticated and u.is_active and (u.is_superuser or u.may_create_courses))
        ),
        None,
    ),
    (Course, "view"): _course_rule(_course_view, _visible_course_q),
    (Course, "discover"): _course_rule(_course_discover, _course_discover_q),
    (Course, "join"): _course_rule(_course_join, _course_join_q),
    (Course, "edit"): _course_rule(_is_teacher_of, _teacher_course_q),
    (Course, "preview"): _course_rule(_is_staff_of, _staff_course_q),
    (Course, "view_people"): _course_rule(_is_staff_of, _staff_course_q),
    (Course, "manage_people"): _course_rule(_is_teacher_of, _teacher_course_q),
    (Course, "grade"): _course_rule(_is_staff_of, _staff_course_q),
    (Course, "learn"): _course_rule(_course_learn, _learner_course_q),
    (Module, "view"): Rule(_module_view, _module_q),
    (Module, "edit"): Rule(lambda u, m: _is_teacher_of(u, m.course), lambda u: _teacher_course_q(u, "course__")),
    (Item, "view"): Rule(_item_view, _item_q),
    (Item, "edit"): Rule(lambda u, i: _is_teacher_of(u, i.course), lambda u: _teacher_course_q(u, "course__")),
    (Item, "tick"): Rule(_item_tick, _item_tick_q),
    # The course archive: teachers restore; site administrators purge after the retention period.
    (Course, "restore"): _course_rule(_course_restore, _teacher_course_q),
    (Module, "restore"): Rule(_structure_restore, lambda u: _teacher_course_q(u, "course__")),
    (Item, "restore"): Rule(_structure_restore, lambda u: _teacher_course_q(u, "course__")),
    (Course, "purge"): Rule(lambda u, c: is_admin(u) and c.removed_at is not None, _admin_q),
    (Module, "purge"): Rule(lambda u, m: is_admin(u) and m.removed_at is not None, _admin_q),
    (Item, "purge"): Rule(lambda u, i: is_admin(u) and i.removed_at is not None, _admin_q),
    (Resource, "view"): Rule(_resource_view, _resource_q),
    (Resource, "edit"): Rule(lambda u, r: _is_teacher_of(u, r.course), lambda u: _teacher_course_q(u, "course__")),
    # The question bank is the staff's: learners meet questions only inside their own attempts.
    (Question, "view"): Rule(lambda u, q: _is_staff_of(u, q.course), lambda u: _staff_course_q(u, "course__")),
    (Question, "edit"): Rule(lambda u, q: _is_teacher_of(u, q.course), lambda u: _teacher_course_q(u, "course__")),
    (Quiz, "edit"): Rule(
        lambda u, z: _is_teacher_of(u, z.item.course), lambda u: _teacher_course_q(u, "item__course__")
    ),
    (Quiz, "take"): Rule(_quiz_take, _quiz_take_q),
    (Attempt, "view"): Rule(
        lambda u, a: _learner_work_view(u, a.quiz.item.course, a.user_id),
        lambda u: _learner_work_q(u, "quiz__item__course__"),
    ),
    (Attempt, "answer"): Rule(
        _attempt_answer, lambda u: Q(user_id=u.pk or 0) & _takes_part_q(u, "quiz__item__course__")
    ),
    (Assignment, "submit"): Rule(
        _assignment_submit, lambda u: _item_q(u, "item__") & _learner_course_q(u, "item__course__")
    ),
    (Submission, "view"): Rule(
        lambda u, s: _learner_work_view(u, s.assignment.item.course, s.user_id),
        lambda u: _learner_work_q(u, "assignment__item__course__"),
    ),
    (Membership, "view"): Rule(_membership_view, lambda u: _learner_work_q(u, "course__")),
    (Membership, "edit"): Rule(lambda u, m: _is_teacher_of(u, m.course), lambda u: _teacher_course_q(u, "course__")),
    (Membership, "message"): Rule(_membership_message, _membership_message_q),
    (Membership, "check_in"): Rule(_membership_check_in, _membership_check_in_q),
    (Group, "view"): Rule(lambda u, g: _is_staff_of(u, g.course), lambda u: _staff_course_q(u, "course__")),
    (Group, "edit"): Rule(lambda u, g: _is_teacher_of(u, g.course), lambda u: _teacher_course_q(u, "course__")),
    (Invitation, "manage"): Rule(lambda u, i: _is_teacher_of(u, i.course), lambda u: _teacher_course_q(u, "course__")),
    (ApiToken, "manage"): Rule(lambda u, t: u.is_authenticated and t.user_id == u.pk, lambda u: Q(user_id=u.pk or 0)),
    # Forums (the community app)
    (Course, "moderate"): _course_rule(_is_staff_of, _staff_course_q),
    (Forum, "view"): Rule(_forum_view, _forum_q),
    (Forum, "post"): Rule(_forum_post, _forum_post_q),
    (Forum, "edit"): Rule(lambda u, f: _is_teacher_of(u, f.course), lambda u: _teacher_course_q(u, "course__")),
    (Forum, "moderate"): Rule(
        lambda u, f: _forum_view(u, f) and _is_staff_of(u, f.course),
        lambda u: _forum_q(u) & _staff_course_q(u, "course__"),
    ),
    (Thread, "view"): Rule(_thread_view, _thread_q),
    (Thread, "reply"): Rule(
        lambda u, t: _thread_view(u, t) and _forum_post(u, t.forum),
        lambda u: _thread_q(u) & _forum_post_q(u, "forum__"),
    ),
    (Thread, "moderate"): Rule(
        lambda u, t: _thread_view(u, t) and _is_staff_of(u, t.course),
        lambda u: _thread_q(u) & _staff_course_q(u, "course__"),
    ),
    (Thread, "mark_answered"): Rule(
        lambda u, t: _thread_view(u, t) and (t.author_id == u.pk or _is_staff_of(u, t.course)),
        lambda u: _thread_q(u) & (Q(author_id=u.pk or 0) | _staff_course_q(u, "course__")),
    ),
    (Post, "view"): Rule(_post_view, _post_q),
    (Post, "edit"): Rule(
        _post_edit, lambda u: _post_q(u) & (Q(author_id=u.pk or 0) | _teacher_course_q(u, "course__"))
    ),
    (Post, "delete"): Rule(
        _post_delete, lambda u: _post_q(u) & (Q(author_id=u.pk or 0) | _staff_course_q(u, "course__"))
    ),
    (Post, "moderate"): Rule(
        lambda u, p: _post_view(u, p) and _is_staff_of(u, p.course),
        lambda u: _post_q(u) & _staff_course_q(u, "course__"),
    ),
    (Post, "vote"): Rule(
        lambda u, p: _post_view(u, p) and _forum_writer(u, p.course),
        lambda u: _post_q(u) & _takes_part_q(u, "course__"),
    ),
    (Post, "report"): Rule(_post_report, lambda u: _post_q(u) & _role_course_q(u, None, "course__")),
    # Private conversations: questions to the teachers and direct messages.
    (Course, "ask"): _course_rule(_course_ask, _course_ask_q),
    (Course, "message"): _course_rule(_course_view, _visible_course_q),
    (Course, "answer"): _course_rule(_is_staff_of, _staff_course_q),
    (Conversation, "view"): Rule(_conversation_view, _conversation_q),
    (Conversation, "reply"): Rule(_conversation_reply, _conversation_reply_q),
    (Conversation, "answer"): Rule(
        _conversation_answer, lambda u: Q(kind=ConversationKind.QUESTION) & _staff_course_q(u, "course__")
    ),
    # Data rights (the privacy app). Administrators decide deletions but never their own, and see nobody's copy.
    (User, "export_data"): Rule(_export_data, _export_data_q),
    (User, "request_deletion"): Rule(
        lambda u, s: u.is_authenticated and s.pk == u.pk, lambda u: Q(pk=u.pk or 0, is_active=True)
    ),
    (DataExport, "download"): Rule(
        lambda u, e: u.is_authenticated and e.requested_by_id == u.pk, lambda u: Q(requested_by_id=u.pk or 0)
    ),
    (DeletionRequest, "cancel"): Rule(
        lambda u, r: u.is_authenticated and r.user_id == u.pk, lambda u: Q(user_id=u.pk or 0)
    ),
    (DeletionRequest, "decide"): Rule(lambda u, r: is_admin(u) and r.user_id != u.pk, _deletion_decide_q),
    (None, "review_deletions"): Rule(lambda u, _: is_admin(u), None),
    # Insights (issue 12): course health, the learners table and its risk model, the teacher's home.
    (Course, "view_insights"): _course_rule(_course_insights, _course_insights_q),
    (Course, "configure_insights"): _course_rule(_is_teacher_of, _teacher_course_q),
    (Membership, "view_insights"): Rule(_learner_insights, _learner_insights_q),
    (LearnerStats, "view"): Rule(_stats_view, _stats_q),
    (None, "view_teaching_home"): Rule(_teaching_home, None),
    # Accommodations (issue 12): teachers manage; staff see, a group-limited TA for their groups only.
    (Course, "view_accommodations"): _course_rule(_is_staff_of, _staff_course_q),
    (Course, "manage_accommodations"): _course_rule(_is_teacher_of, _teacher_course_q),
    (Membership, "view_accommodations"): Rule(_learner_insights, _learner_insights_q),
    (Accommodation, "view"): Rule(_accommodation_view, _accommodation_view_q),
    (Accommodation, "edit"): Rule(lambda u, a: _is_teacher_of(u, a.course), lambda u: _teacher_course_q(u, "course__")),
    (Course, "manage_check_ins"): _course_rule(_is_teacher_of, _teacher_course_q),
    (CheckInTemplate, "view"): Rule(lambda u, t: _is_staff_of(u, t.course), lambda u: _staff_course_q(u, "course__")),
    (CheckInTemplate, "edit"): Rule(
        lambda u, t: _is_teacher_of(u, t.course), lambda u: _teacher_course_q(u, "course__")
    ),
    (CheckInRule, "edit"): Rule(lambda u, r: _is_teacher_of(u, r.course), lambda u: _teacher_course_q(u, "course__")),
    (CheckInLog, "view"): Rule(_check_in_log_view, _stats_q),
}


# --- Asking ----------------------------------------------------------------------------------------------
_ARCHIVE_ACTIONS = frozenset({"restore", "purge"})


def _hangs_on_archive(obj: Model | None) -> bool:
    """Whether the object is deleted structure or hangs on it: the object side of `_live_q`."""
    if isinstance(obj, Course | Module | Item):
        return in_archive(obj)
    if isinstance(obj, Resource | Forum):
        return obj.course.removed_at is not None or (obj.item_id is not None and in_archive(obj.item))  # type: ignore[arg-type]  # item_id says it is there
    if isinstance(obj, Thread):
        return _hangs_on_archive(obj.forum)
    if isinstance(obj, Post):
        return _hangs_on_archive(obj.thread.forum)
    if isinstance(
        obj, Membership | Conversation | LearnerStats | Accommodation | CheckInTemplate | CheckInRule | CheckInLog
    ):
        return obj.course.removed_at is not None
    if isinstance(obj, FollowRequest):
        return obj.learner.course.removed_at is not None
    return False


def _in_archive_for(action: str, obj: Model | None) -> bool:
    """Deleted structure (and what hangs on it) allows nothing but being restored or purged, for anyone."""
    return action not in _ARCHIVE_ACTIONS and _hangs_on_archive(obj)


def can(user: AnyUser, action: str, obj: Model | None = None) -> bool:
    if not user.is_active and user.is_authenticated:
        return False
    if not token_allows(user, action, obj):
        return False
    # `obj.__class__`, not `type(obj)`: request.user is a lazy proxy whose type is not User.
    rule = RULES.get((obj.__class__ if obj is not None else None, action))
    if rule is None:
        return False  # deny anything the table does not name
    if _in_archive_for(action, obj):
        return False
    return bool(rule.check(user, obj))


def require(user: AnyUser, action: str, obj: Model | None = None) -> None:
    """For services: raise NotAllowed unless the policy allows."""
    if not can(user, action, obj):
        raise NotAllowed("You do not have permission to do that.")


def scope(user: AnyUser, action: str, qs: QuerySet[M]) -> QuerySet[M]:
    """The rows of `qs` the user may do `action` to, filtered in SQL by the same rules as `can`."""
    model = qs.model
    archive = _archive_q(model, action)
    if archive is not None:
        qs = qs.filter(archive)
    if model is Course and action == "discover" and not user.is_authenticated:
        return qs.filter(visibility=Visibility.PUBLISHED)
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    rule = RULES.get((model, action))
    if rule is None or rule.q is None:
        return qs.none()
    return token_scope(user, action, qs).filter(rule.q(user))


def audience(action: str, obj: Model, user_ids: Iterable[int]) -> list[int]:
    """Of these people, those who may do `action` to `obj` (sorted ids): who may be told about it.

    Every notification's recipients come through here, so a notification (which carries an excerpt)
    never tells anyone what they may not read. The same rule checks as `can` run for each person, with
    everyone's facts (roles, groups, observed learners, posts, conversations) loaded together: a fixed
    number of queries however many people are asked about.
    """
    ids = frozenset(int(i) for i in user_ids)
    rule = RULES.get((type(obj), action))
    if not ids or rule is None or _in_archive_for(action, obj):
        return []
    users = list(User.objects.filter(pk__in=ids, is_active=True))
    roles: dict[int, dict[int, str]] = {u.pk: {} for u in users}
    for user_id, course_id, role in Membership.objects.filter(user_id__in=roles).values_list(
        "user_id", "course_id", "role"
    ):
        roles[user_id][course_id] = role
    for user in users:
        setattr(user, _ROLE_CACHE, roles[user.pk])
    token = _AUDIENCE.set(_Facts(user_ids=frozenset(roles)))
    try:
        return sorted(user.pk for user in users if rule.check(user, obj))
    finally:
        _AUDIENCE.reset(token)


# --- Decisions with a reason: the service, the page and its template say the same -------------------------
@dataclass(frozen=True)
class Decision:
    """Whether something may be done now and, if not, why (a code for templates and a sentence for people)."""

    allowed: bool
    reason: str = ""
    message: str | Promise = ""

    def __bool__(self) -> bool:
        return self.allowed


START_REASONS: dict[str, str | Promise] = {
    "hidden": _("You cannot take this quiz."),
    "watch_only": _("Observers follow a learner's work; they do not take quizzes."),
    "locked": _("This quiz is not open to you yet."),
    availability.OPENS_LATER: _("This quiz opens later."),
    availability.CLOSED: _("This quiz has closed."),
    availability.NO_ATTEMPTS: _("You have used every attempt this quiz allows."),
    availability.EMPTY: _("This quiz has no questions yet."),
}
_ALLOWED = Decision(True)


def _refuse(reason: str) -> Decision:
    return Decision(False, reason, START_REASONS[reason])


def may_start_attempt(
    user: AnyUser,
    quiz: Quiz,
    *,
    now: datetime,
    attempts: Collection[Attempt] | None = None,
    question_count: int | None = None,
    check_release: bool = True,
    accommodation: accommodations.Effective | None = None,
) -> Decision:
    """May the user start (or go on with) an attempt at this quiz now, and if not, why.

    Who may take the quiz is the (Quiz, "take") rule; a learner's release conditions come from
    `progress`; when it is open and how many attempts are left is `assessment.availability`'s
    arithmetic, with the extra attempts of the learner's accommodation. Pages that have already read the
    person's attempts, the question count or their accommodation pass them in.
    """
    if not can(user, "take", quiz):
        return _refuse("watch_only" if can(user, "view", quiz.item) else "hidden")
    if (
        check_release
        and isinstance(user, User)
        and learns_in(user, quiz.item.course_id)
        and release.learner_availability(user, quiz.item.course, now=now).lock_for(quiz.item) is not None
    ):
        return _refuse("locked")
    if attempts is None:
        attempts = list(Attempt.objects.filter(quiz=quiz, user_id=user.pk or 0).only("state", "ends_at"))
    for attempt in attempts:
        if attempt.state == AttemptState.IN_PROGRESS and not availability.is_expired(
            attempt.ends_at, quiz.grace_seconds, now
        ):
            return _ALLOWED  # going on with the open attempt
    if question_count is None:
        question_count = QuizSlot.objects.filter(quiz_id=quiz.pk).aggregate(n=Sum("draw"))["n"] or 0
    if accommodation is None:
        accommodation = accommodation_of(user, quiz.item.course_id) if quiz.attempts_allowed else accommodations.NONE
    reason = availability.start_refusal(
        opens_at=quiz.opens_at,
        closes_at=quiz.closes_at,
        attempts_allowed=accommodations.attempts_allowed(quiz.attempts_allowed, accommodation),
        attempts_used=len(attempts),
        question_count=question_count,
        now=now,
    )
    return _refuse(reason) if reason else _ALLOWED


# --- Answering invitations -------------------------------------------------------------------------------
# An invitation is answered (accepted or declined) only by the person it was sent to: the owner of the
# invited email address. Teachers invite; nobody is added to a course without their own say.
def _invitation_respond(user: AnyUser, invitation: Invitation) -> bool:
    return bool(user.is_authenticated and user.email and invitation.email.lower() == user.email.lower())


def _invitation_respond_q(user: AnyUser) -> Q:
    email = getattr(user, "email", "")
    return Q(email__iexact=email) if user.is_authenticated and email else Q(pk__in=[])


RULES[(Invitation, "respond")] = Rule(_invitation_respond, _invitation_respond_q)


# --- Families: observers following learners ---------------------------------------------------------------
# An observer (a parent or mentor) sees a learner's progress, deadlines, released grades and activity only
# through a confirmed link (`Membership.observed`, made when the learner or a teacher confirms a
# `FollowRequest`), in a live course they may open: a pending or declined request grants nothing. Staff see
# learners through their own pages, not the family view.
def _membership_view_family(user: AnyUser, membership: Membership) -> bool:
    if membership.role != Role.LEARNER or membership.user_id == user.pk:
        return False
    return _course_view(user, membership.course) and _observes(user, membership.course_id, membership.user_id)


def _membership_view_family_q(user: AnyUser) -> Q:
    return (
        Q(role=Role.LEARNER)
        & ~Q(user_id=user.pk or 0)
        & _visible_course_q(user, "course__")
        & _observed_q(user, "course_id", "user_id")
    )


def _followed_in_live_courses(user_pk: int | None) -> QuerySet[Membership, Any]:
    return Membership.objects.filter(
        role=Role.LEARNER,
        observers__user_id=user_pk or 0,
        observers__role=Role.OBSERVER,
        course__visibility__in=_LIVE,
        course__removed_at__isnull=True,
        user__is_active=True,
    )


def _followed_people(user: AnyUser) -> frozenset[int]:
    def load(ids: Collection[int]) -> dict[int, frozenset[int]]:
        rows = Membership.objects.filter(
            role=Role.LEARNER,
            observers__user_id__in=ids,
            observers__role=Role.OBSERVER,
            course__visibility__in=_LIVE,
            course__removed_at__isnull=True,
            user__is_active=True,
        )
        return _sets(rows.values_list("observers__user_id", "user_id"))

    return _per_user(("followed_people",), user, load, frozenset())


def _user_view_family(user: AnyUser, subject: User) -> bool:
    return bool(user.is_authenticated and subject.pk != user.pk and subject.pk in _followed_people(user))


def _user_view_family_q(user: AnyUser) -> Q:
    return Q(pk__in=_followed_in_live_courses(user.pk).values("user_id")) & ~Q(pk=user.pk or 0)


def _follow_request_view(user: AnyUser, request: FollowRequest) -> bool:
    if not user.is_authenticated:
        return False
    if user.pk in (request.learner.user_id, request.observer.user_id):
        return True
    return _is_teacher_of(user, request.learner.course)


def _follow_request_view_q(user: AnyUser) -> Q:
    mine = Q(learner__user_id=user.pk or 0) | Q(observer__user_id=user.pk or 0)
    return mine | _teacher_course_q(user, "learner__course__")


def _follow_request_decide(user: AnyUser, request: FollowRequest) -> bool:
    """A pending request is confirmed or declined by the learner it is about or a teacher of the course."""
    if request.status != RequestStatus.PENDING or not user.is_authenticated:
        return False
    return request.learner.user_id == user.pk or _is_teacher_of(user, request.learner.course)


def _follow_request_decide_q(user: AnyUser) -> Q:
    return Q(status=RequestStatus.PENDING) & (
        Q(learner__user_id=user.pk or 0) | _teacher_course_q(user, "learner__course__")
    )


def _course_follow(user: AnyUser, course: Course) -> bool:
    return role_in(user, course.pk) == Role.OBSERVER and course.visibility in _LIVE


def _course_follow_q(user: AnyUser, prefix: str = "") -> Q:
    observing = _role_course_q(user, {Role.OBSERVER}, prefix, admin=False)
    return observing & Q(**{f"{prefix}visibility__in": _LIVE})


RULES[(Course, "follow")] = _course_rule(_course_follow, _course_follow_q)
RULES[(Membership, "view_family")] = Rule(_membership_view_family, _membership_view_family_q)
RULES[(User, "view_family")] = Rule(_user_view_family, _user_view_family_q)
RULES[(FollowRequest, "view")] = Rule(_follow_request_view, _follow_request_view_q)
RULES[(FollowRequest, "decide")] = Rule(_follow_request_decide, _follow_request_decide_q)


# --- API token limits ------------------------------------------------------------------------------------
# A request made with a personal API token carries the token on its user (the API's token authentication
# calls `limit_to_token`). `can` and `scope` then also apply the token's limits, so every router and every
# service gets them: a read-only token may only read, and a token limited to one course reaches nothing
# outside it (its other courses, and account-wide lists such as notifications and the inbox, are closed).
_API_TOKEN = "_cadence_api_token"  # noqa: S105 - the name of an attribute, not a secret
# The actions that only read: the learners table and accommodations are read by school systems with read-only tokens.
READ_ACTIONS = frozenset({"view", "discover", "view_people", "view_insights", "view_accommodations"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# How each model reaches its course (an object's attribute path, or a queryset lookup).
_COURSE_PATHS: dict[type[Model], str] = {
    Course: "pk",
    Module: "course_id",
    Item: "course_id",
    Resource: "course_id",
    Question: "course_id",
    Quiz: "item__course_id",
    Attempt: "quiz__item__course_id",
    Submission: "assignment__item__course_id",
    Membership: "course_id",
    LearnerStats: "course_id",
    CheckInTemplate: "course_id",
    CheckInRule: "course_id",
    CheckInLog: "course_id",
    Group: "course_id",
    Invitation: "course_id",
    Forum: "course_id",
    Thread: "course_id",
    Post: "course_id",
    Conversation: "course_id",
    FollowRequest: "learner__course_id",
}
# API paths about all of a person's courses at once: closed to course-limited tokens. (Sending a message
# names its course and is limited by `can` like everything else.)
_NOTIFICATIONS_PATH = "/api/v1/notifications"
_INBOX_PATH = "/api/v1/messages/conversations"
_ME_PATH = "/api/v1/me"


def limit_to_token(user: User, token: ApiToken) -> None:
    setattr(user, _API_TOKEN, token)


def api_token_of(user: AnyUser) -> ApiToken | None:
    token = getattr(user, _API_TOKEN, None)
    return token if isinstance(token, ApiToken) else None


def _course_id_of(obj: Model | None) -> int | None:
    path = _COURSE_PATHS.get(type(obj)) if obj is not None else None
    if path is None:
        return None
    value: Any = obj
    for part in path.split("__"):
        value = getattr(value, part)
    return int(value)


def token_allows(user: AnyUser, action: str, obj: Model | None) -> bool:
    """The token's limits for one object: True when the request carries no token."""
    token = api_token_of(user)
    if token is None:
        return True
    if token.read_only and action not in READ_ACTIONS:
        return False
    return token.course_id is None or _course_id_of(obj) == token.course_id


def token_scope(user: AnyUser, action: str, qs: QuerySet[M]) -> QuerySet[M]:
    """The token's limits for a list: rows outside its course (and, for a read-only token, any write) go."""
    token = api_token_of(user)
    if token is None:
        return qs
    if token.read_only and action not in READ_ACTIONS:
        return qs.none()
    if token.course_id is None:
        return qs
    path = _COURSE_PATHS.get(qs.model)
    return qs.none() if path is None else qs.filter(**{path: token.course_id})


def token_permits_request(token: ApiToken, *, method: str, path: str) -> bool:
    """Checked by the API's token authentication before any router runs: a read-only token makes only safe
    requests; a course-limited token stays out of account-wide lists and does not change the account."""
    safe = method.upper() in SAFE_METHODS
    if token.read_only and not safe:
        return False
    if token.course_id is not None:
        bare = path.rstrip("/")
        if bare.startswith(_NOTIFICATIONS_PATH) or (bare == _INBOX_PATH and safe):
            return False  # every course's notifications, or the inbox list of every course's conversations
        if bare == _ME_PATH and not safe:
            return False  # the account itself is no course's
    return True

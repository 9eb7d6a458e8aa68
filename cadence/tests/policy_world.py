"""A world with an object for every rule of the policy: drafts, archives, unpublished entries, library
resources, quizzes and attempts, assignments and submissions, group-separated forums, post-first Q&A, an
unpublished discussion item's forum, private conversations, tokens and invitations; and the people to
try them: every course role, a second learner nobody observes, an outsider, an administrator, an
inactive account and an anonymous visitor.

Built on the shared `world` (conftest.py) by the `policy_world` fixture.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Model
from django.utils import timezone

from cadence.accounts.models import ApiToken, User
from cadence.accounts.tests.factories import UserFactory
from cadence.assessment.models import Assignment, Attempt, Submission
from cadence.assessment.tests import factories as assessment_factories
from cadence.community.models import Forum, ForumKind, Post, Thread
from cadence.community.tests import factories as forums
from cadence.content.models import Resource
from cadence.courses.models import Accommodation, Course, Invitation, Item, Membership, Module, Role, Visibility
from cadence.courses.tests.factories import CourseFactory, GroupFactory, ItemFactory, MembershipFactory, ModuleFactory
from cadence.families.models import FollowRequest, RequestStatus
from cadence.insights.models import CheckInLog, CheckInRule, CheckInTemplate, LearnerStats
from cadence.messaging.models import Conversation, CourseMessaging
from cadence.messaging.tests import factories as messages
from cadence.privacy.models import DataExport, DeletionRequest


@dataclass
class PolicyWorld:
    actors: dict[str, User | None]  # None is the anonymous visitor
    objects: dict[type[Model], list[Model]] = field(default_factory=dict)

    def add(self, *objs: Model) -> None:
        for obj in objs:
            self.objects.setdefault(type(obj), []).append(obj)


def _token(user: User, name: str) -> ApiToken:
    secret = f"{name}-{user.pk}"
    return ApiToken.objects.create(
        user=user,
        name=name,
        prefix=secret[:8],
        digest=hashlib.sha256(secret.encode()).hexdigest(),
        expires_at=timezone.now() + timedelta(days=90),
    )


def build(world: object) -> PolicyWorld:  # `world` is conftest.CourseWorld
    from conftest import CourseWorld

    assert isinstance(world, CourseWorld)
    now = timezone.now()
    course, teacher, ta, learner = world.course, world.teacher, world.ta, world.learner
    learner2: User = UserFactory.create(display_name="Second")
    inactive: User = UserFactory.create(display_name="Gone", is_active=False)
    MembershipFactory(course=course, role=Role.LEARNER, user=learner2)
    MembershipFactory(course=course, role=Role.LEARNER, user=inactive)
    pw = PolicyWorld(
        actors={
            "anonymous": None,
            "outsider": world.outsider,
            "learner": learner,
            "learner2": learner2,
            "observer": world.observer,
            "ta": ta,
            "teacher": teacher,
            "admin": world.admin,
            "inactive": inactive,
        }
    )

    # Courses: published (world's), draft, archived, one where learners may message each other, one elsewhere.
    draft = CourseFactory(title="Draft", visibility=Visibility.DRAFT)
    archived = CourseFactory(title="Archived", visibility=Visibility.ARCHIVED)
    chatty = CourseFactory(title="Chatty")
    CourseMessaging.objects.create(course=chatty, learners_may_message_learners=True)
    elsewhere = CourseFactory(title="Elsewhere")
    for c in (draft, archived, chatty):
        MembershipFactory(course=c, user=teacher, role=Role.TEACHER)
        MembershipFactory(course=c, user=learner, role=Role.LEARNER)
        MembershipFactory(course=c, user=learner2, role=Role.LEARNER)
    observer_in_draft = MembershipFactory(course=draft, user=world.observer, role=Role.OBSERVER)
    observer_in_draft.observed.add(Membership.objects.get(course=draft, user=learner))
    MembershipFactory(course=elsewhere, user=world.outsider, role=Role.LEARNER)
    MembershipFactory(course=chatty, user=world.observer, role=Role.OBSERVER)
    pw.add(course, draft, archived, chatty, elsewhere)
    pw.add(*Membership.objects.filter(course__in=[course, draft, archived, chatty, elsewhere]))

    # Structure: the world's modules and items, an unpublished module and item, and a draft course's item.
    hidden_module = ModuleFactory(course=course, title="Hidden module", is_published=False, position=5)
    in_hidden_module = ItemFactory(module=hidden_module, title="In a hidden module")
    unpublished = ItemFactory(module=world.modules[0], title="Unpublished", is_published=False, position=9)
    draft_module = ModuleFactory(course=draft, title="Draft module")
    draft_item = ItemFactory(module=draft_module, title="Draft item")
    archived_item = ItemFactory(module=ModuleFactory(course=archived), title="Archived item")
    pw.add(*world.modules, hidden_module, draft_module)
    pw.add(*world.items, in_hidden_module, unpublished, draft_item, archived_item)

    # The course archive: a deleted item, a deleted module with its item, and a deleted course with its
    # people and a conversation (restored by their teachers, purged by site administrators, seen by nobody).
    gone_item: Item = ItemFactory.create(module=world.modules[1], title="Deleted item", position=8)
    gone_module: Module = ModuleFactory.create(course=course, title="Deleted module", position=6)
    in_gone_module = ItemFactory(module=gone_module, title="In a deleted module")
    gone_course: Course = CourseFactory.create(title="Deleted course")
    MembershipFactory(course=gone_course, user=teacher, role=Role.TEACHER)
    MembershipFactory(course=gone_course, user=learner, role=Role.LEARNER)
    gone_course_item = ItemFactory(module=ModuleFactory(course=gone_course), title="In a deleted course")
    messages.question(learner, gone_course, subject="Before it went")
    deleted: tuple[Item | Module | Course, ...] = (gone_item, gone_module, gone_course)
    for row in deleted:
        type(row)._base_manager.filter(pk=row.pk).update(removed_at=now, removed_by=teacher)
        row.refresh_from_db()
    pw.add(gone_item, in_gone_module, gone_course_item, gone_module, gone_course)
    pw.add(*Membership.objects.filter(course=gone_course))

    # Groups and an invitation.
    red = GroupFactory(course=course, name="Red")
    blue = GroupFactory(course=course, name="Blue")
    Membership.objects.get(course=course, user=learner).groups.add(red)
    Membership.objects.get(course=course, user=learner2).groups.add(blue)
    invitation = Invitation.objects.create(
        course=course, email="new@example.org", digest="0" * 64, expires_at=now + timedelta(days=7), invited_by=teacher
    )
    to_outsider = Invitation.objects.create(
        course=course,
        email=world.outsider.email,
        digest="1" * 64,
        expires_at=now + timedelta(days=7),
        invited_by=teacher,
    )
    pw.add(red, blue, invitation, to_outsider)

    # Insights: every learner's figures in the world's, the draft and the deleted course; in "Chatty" the TA
    # belongs to a group, so sees only that group's learner.
    ta_in_chatty = MembershipFactory(course=chatty, user=ta, role=Role.TA)
    chatty_red = GroupFactory(course=chatty, name="Chatty red")
    chatty_blue = GroupFactory(course=chatty, name="Chatty blue")
    ta_in_chatty.groups.add(chatty_red)
    Membership.objects.get(course=chatty, user=learner).groups.add(chatty_red)
    Membership.objects.get(course=chatty, user=learner2).groups.add(chatty_blue)
    for membership in Membership.objects.filter(
        course__in=[course, draft, chatty, gone_course], role=Role.LEARNER, user__in=[learner, learner2]
    ).select_related("user"):
        pw.add(
            LearnerStats.objects.create(
                membership=membership,
                course_id=membership.course_id,
                user=membership.user,
                display_name=membership.user.display_name,
                refreshed_at=now,
            )
        )

    # Accommodations: for a learner and a group in the world's course; in "Chatty" (the TA limited to "Chatty
    # red") for each learner and each group, so the TA sees the red ones only; one in the deleted course.
    for membership in Membership.objects.filter(
        course__in=[course, chatty, gone_course], role=Role.LEARNER, user__in=[learner, learner2]
    ):
        if membership.course_id != course.pk or membership.user_id == learner.pk:
            pw.add(
                Accommodation.objects.create(course_id=membership.course_id, membership=membership, extra_attempts=1)
            )
    for group in (red, chatty_red, chatty_blue):
        pw.add(Accommodation.objects.create(course_id=group.course_id, group=group, extension_days=2))
    # Check-ins: a template and a rule in the world's and the deleted course; a logged check-in to each learner
    # figured above (in "Chatty", the group-limited TA sees only their group's learner's).
    for in_course in (course, gone_course):
        pw.add(CheckInTemplate.objects.create(course=in_course, title="Hello", body="Hi {first_name}", updated_at=now))
        pw.add(
            CheckInRule.objects.create(
                course=in_course,
                name="Quiet",
                trigger="inactive",
                days=5,
                template_key="builtin:quiet",
                sender=teacher,
                updated_at=now,
            )
        )
    for number, stats in enumerate(LearnerStats.objects.select_related("membership"), start=1):
        pw.add(
            CheckInLog.objects.create(
                course_id=stats.course_id,
                membership=stats.membership,
                learner_id=stats.user_id,
                sender=teacher,
                message_id=10_000 + number,
                source="manual",
                sent_at=now,
            )
        )

    # The library: published, unpublished, and resources shown by a published and an unpublished item.
    file_item = ItemFactory(module=world.modules[1], kind="file", title="Reading")
    hidden_file_item = ItemFactory(module=world.modules[1], kind="file", title="Hidden reading", is_published=False)
    pw.add(file_item, hidden_file_item)
    pw.add(
        Resource.objects.create(course=course, title="Glossary", url="https://example.org/g"),
        Resource.objects.create(course=course, title="Answers", url="https://example.org/a", is_published=False),
        Resource.objects.create(course=course, item=file_item, title="Reading", url="https://example.org/r"),
        Resource.objects.create(course=course, item=hidden_file_item, title="Hidden", url="https://example.org/h"),
        Resource.objects.create(course=draft, title="Draft notes", url="https://example.org/d"),
    )

    # Quizzes (published, unpublished, in a draft course), attempts by two learners, the question bank.
    question = assessment_factories.question(teacher, course)
    quiz_item, quiz = assessment_factories.quiz_item(teacher, world.modules[0], question)
    hidden_quiz_item, hidden_quiz = assessment_factories.quiz_item(teacher, world.modules[1], question)
    hidden_quiz_item.is_published = False
    hidden_quiz_item.save(update_fields=["is_published"])
    draft_quiz_item, draft_quiz = assessment_factories.quiz_item(teacher, draft_module)
    pw.add(quiz_item, hidden_quiz_item, draft_quiz_item, quiz, hidden_quiz, draft_quiz, question)
    pw.add(assessment_factories.question(teacher, draft))
    for number, person in enumerate((learner, learner2), start=1):
        pw.add(Attempt.objects.create(quiz=quiz, user=person, number=1, started_at=now))
        pw.add(Attempt.objects.create(quiz=draft_quiz, user=person, number=number, started_at=now))
    pw.add(Attempt.objects.create(quiz=quiz, user=teacher, number=1, started_at=now))

    # Assignments and submissions.
    for module, published in ((world.modules[0], True), (world.modules[1], False), (draft_module, True)):
        item = ItemFactory(module=module, kind="assignment", title="Essay", is_published=published)
        assignment = Assignment.objects.create(item=item)
        pw.add(item, assignment)
        for person in (learner, learner2):
            pw.add(
                Submission.objects.create(
                    assignment=assignment, user=person, number=1, submitted_at=now, idempotency_key=f"k{item.pk}"
                )
            )

    # Forums: course-wide discussion, announcements, post-first Q&A, group-separated, an unpublished
    # discussion item's forum, and one in the draft course.
    general = forums.forum(course)
    news = forums.forum(course, kind=ForumKind.ANNOUNCEMENTS, title="News")
    qa = forums.forum(course, kind=ForumKind.QA, title="Q&A", post_first=True)
    groups_forum = forums.forum(course, title="Groups", group_separated=True)
    talk = ItemFactory(module=world.modules[0], kind="discussion", title="Week talk", is_published=False)
    talk_forum = Forum.objects.create(course=course, item=talk, title="Week talk")
    draft_forum = forums.forum(draft, title="Draft forum")
    pw.add(talk, general, news, qa, groups_forum, talk_forum, draft_forum)
    chat = forums.thread(learner, general, title="Hello")
    forums.reply(ta, chat, body="Welcome")
    forums.thread(teacher, news, title="Start here")
    asked = forums.thread(learner2, qa, title="What is a quartile?")
    forums.reply(teacher, asked, body="A quarter of the data.")
    forums.reply(learner2, asked, body="Thanks")
    mine = forums.thread(learner, qa, title="What is a box plot?")
    forums.reply(learner2, mine, body="A picture of quartiles.")
    forums.thread(learner, groups_forum, title="Red only")
    forums.thread(learner2, groups_forum, title="Blue only")
    forums.thread(teacher, groups_forum, title="Everyone", group=None)
    forums.thread(teacher, talk_forum, title="Not yet")
    forums.thread(teacher, draft_forum, title="Draft thread")
    pw.add(*Thread.objects.filter(course__in=[course, draft]))
    pw.add(*Post.objects.filter(course__in=[course, draft]))

    # Private conversations: a question, a learner's direct messages, staff talking, one in the draft course.
    messages.question(learner, course)
    messages.question(learner2, course, subject="Deadline?")
    messages.direct(learner, course, ta)
    messages.direct(teacher, course, ta, body="Staff only")
    messages.direct(learner, chatty, learner2, body="Study together?")
    messages.direct(teacher, draft, learner, body="Coming soon")
    pw.add(*Conversation.objects.all())

    # API tokens.
    pw.add(_token(learner, "laptop"), _token(teacher, "sync"))

    # Data rights: a learner of 12 the observer follows, the world's learner (no birth date known), copies of
    # data asked for by each, and deletion requests by a learner and by an administrator.
    child: User = UserFactory.create(display_name="Child", birth_date=now.date() - timedelta(days=12 * 365))
    child_membership = MembershipFactory(course=course, role=Role.LEARNER, user=child)
    Membership.objects.get(course=course, user=world.observer).observed.add(child_membership)
    pw.add(*(person for person in pw.actors.values() if person is not None), child)
    for subject, asker in ((learner, learner), (child, world.observer)):
        pw.add(DataExport.objects.create(subject=subject, requested_by=asker, requested_at=now, status="ready"))
    for person in (learner, world.admin):
        pw.add(DeletionRequest.objects.create(user=person, requested_at=now))

    # Families: the observer asks to follow the second learner (pending: it grants nothing), a declined request,
    # the confirmed one behind the world's link, and a pending one in the draft course.
    observer_here = Membership.objects.get(course=course, user=world.observer)
    second_here = Membership.objects.get(course=course, user=learner2)
    learner_here = Membership.objects.get(course=course, user=learner)
    for observer_m, learner_m, status in (
        (observer_here, second_here, RequestStatus.PENDING),
        (observer_here, second_here, RequestStatus.DECLINED),
        (observer_here, learner_here, RequestStatus.CONFIRMED),
        (observer_in_draft, Membership.objects.get(course=draft, user=learner2), RequestStatus.PENDING),
    ):
        pw.add(
            FollowRequest.objects.create(
                observer=observer_m, learner=learner_m, status=status, requested_by=world.observer, requested_at=now,
                decided_at=None if status == RequestStatus.PENDING else now,
            )
        )  # fmt: skip
    return pw

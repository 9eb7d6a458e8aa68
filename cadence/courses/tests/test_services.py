from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.utils import timezone

from cadence import policy
from cadence.accounts.tests.factories import UserFactory
from cadence.core.errors import Conflict, InvalidInput, NotAllowed
from cadence.core.models import AuditEntry
from cadence.courses import services
from cadence.courses.models import Course, Invitation, Item, Membership, Module, Role
from cadence.courses.tests.factories import CourseFactory, GroupFactory, ItemFactory, ModuleFactory
from conftest import CourseWorld

pytestmark = pytest.mark.django_db


def _creator():
    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="add_course"))
    return type(user).objects.get(pk=user.pk)  # fresh object: permission cache


def test_creating_a_course_makes_the_creator_its_teacher_and_audits_it():
    user = _creator()
    course = services.create_course(actor=user, data={"title": "Algebra", "slug": "algebra"})
    assert Membership.objects.get(course=course, user=user).role == Role.TEACHER
    assert AuditEntry.objects.filter(verb="course.created", object_id=str(course.pk)).exists()


def test_only_course_creators_may_create_courses():
    with pytest.raises(NotAllowed):
        services.create_course(actor=UserFactory(), data={"title": "Algebra", "slug": "algebra"})
    assert not Course.objects.exists()


def test_duplicate_slug_is_a_conflict_and_changes_nothing():
    CourseFactory(slug="algebra")
    user = _creator()
    with pytest.raises(Conflict, match="already exists"):
        services.create_course(actor=user, data={"title": "Algebra 2", "slug": "algebra"})
    assert Course.objects.count() == 1
    assert not Membership.objects.filter(user=user).exists()


def test_oversized_title_is_refused():
    with pytest.raises(InvalidInput, match="title"):
        services.create_course(actor=_creator(), data={"title": "x" * 201, "slug": "long"})
    assert not Course.objects.exists()


def test_end_before_start_is_refused():
    now = timezone.now()
    with pytest.raises(InvalidInput):
        services.create_course(
            actor=_creator(), data={"title": "T", "slug": "t", "starts_at": now, "ends_at": now - timedelta(days=1)}
        )


def test_unknown_course_time_zone_is_refused():
    with pytest.raises(InvalidInput, match="time zone"):
        services.create_course(actor=_creator(), data={"title": "T", "slug": "t", "time_zone": "Atlantis/Capital"})


def test_code_enrolment_gets_a_code():
    course = services.create_course(actor=_creator(), data={"title": "T", "slug": "t", "enrolment": "code"})
    assert len(course.enrolment_code) == 8


def test_learner_cannot_edit_course(world: CourseWorld):
    with pytest.raises(NotAllowed):
        services.update_course(actor=world.learner, course=world.course, data={"title": "Hacked"})
    world.course.refresh_from_db()
    assert world.course.title == "Data Literacy"


def test_modules_and_items_are_appended_in_order(world: CourseWorld):
    module = services.create_module(actor=world.teacher, course=world.course, data={"title": "New"})
    assert module.position == max(m.position for m in world.modules) + 1
    first = services.create_item(actor=world.teacher, module=module, data={"kind": "lesson", "title": "A"})
    second = services.create_item(actor=world.teacher, module=module, data={"kind": "video", "title": "B"})
    assert (first.position, second.position) == (0, 1)
    assert second.course_id == world.course.pk


def test_unknown_item_kind_is_refused(world: CourseWorld):
    with pytest.raises(InvalidInput):
        services.create_item(actor=world.teacher, module=world.modules[0], data={"kind": "hologram", "title": "A"})


def test_ta_cannot_change_course_structure(world: CourseWorld):
    with pytest.raises(NotAllowed):
        services.create_module(actor=world.ta, course=world.course, data={"title": "New"})


def _titles(module: Module) -> list[str]:
    return list(module.items.order_by("position", "id").values_list("title", flat=True))


def test_moving_an_item_up_and_down(world: CourseWorld):
    module = world.modules[0]
    before = _titles(module)
    services.move_item(actor=world.teacher, item=module.items.get(title=before[2]), offset=-1)
    assert _titles(module) == [before[0], before[2], before[1]]
    services.move_item(actor=world.teacher, item=module.items.get(title=before[0]), offset=-1)  # already first
    assert _titles(module)[0] == before[0]


def test_moving_a_module_down(world: CourseWorld):
    services.move_module(actor=world.teacher, module=world.modules[0], offset=1)
    order = list(Module.objects.filter(course=world.course).order_by("position").values_list("pk", flat=True))
    assert order == [world.modules[1].pk, world.modules[0].pk]


def test_reorder_must_name_every_item_once(world: CourseWorld):
    module = world.modules[0]
    ids = list(module.items.values_list("pk", flat=True))
    with pytest.raises(InvalidInput):
        services.reorder_items(actor=world.teacher, module=module, ordered_ids=ids[:-1])
    with pytest.raises(InvalidInput):
        services.reorder_items(actor=world.teacher, module=module, ordered_ids=[*ids, ids[0]])
    services.reorder_items(actor=world.teacher, module=module, ordered_ids=list(reversed(ids)))
    assert list(module.items.order_by("position").values_list("pk", flat=True)) == list(reversed(ids))


def test_item_cannot_move_to_another_courses_module(world: CourseWorld):
    other = ModuleFactory()
    with pytest.raises(InvalidInput):
        services.update_item(actor=world.teacher, item=world.items[0], data={}, module=other)


def test_item_moves_to_the_end_of_another_module(world: CourseWorld):
    item = world.items[0]
    services.update_item(actor=world.teacher, item=item, data={}, module=world.modules[1])
    item.refresh_from_db()
    assert item.module_id == world.modules[1].pk
    assert _titles(world.modules[1])[-1] == item.title


def test_join_open_course(world: CourseWorld):
    membership = services.join_course(user=world.outsider, course=world.course)
    assert membership.role == Role.LEARNER
    assert AuditEntry.objects.filter(verb="membership.added", object_id=str(membership.pk)).exists()


def test_join_twice_is_a_conflict(world: CourseWorld):
    with pytest.raises(Conflict):
        services.join_course(user=world.learner, course=world.course)


def test_join_needs_the_right_code():
    course = CourseFactory(enrolment="code", enrolment_code="ABCD2345")
    user = UserFactory()
    with pytest.raises(InvalidInput):
        services.join_course(user=user, course=course, code="nope")
    assert not Membership.objects.exists()
    assert services.join_with_code(user=user, code=" abcd2345 ").course == course


def test_draft_and_invitation_courses_cannot_be_joined():
    user = UserFactory()
    with pytest.raises(NotAllowed):
        services.join_course(user=user, course=CourseFactory(visibility="draft"))
    with pytest.raises(NotAllowed):
        services.join_course(user=user, course=CourseFactory(enrolment="invitation"))
    assert not Membership.objects.exists()


def test_invitation_is_emailed_and_accepted_once(world: CourseWorld, django_capture_on_commit_callbacks):
    now = timezone.now()
    invitee = UserFactory(email="new@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        services.invite(actor=world.teacher, course=world.course, email="New@Example.org", role=Role.TA, now=now)
    assert len(mail.outbox) == 1
    token = mail.outbox[0].body.split("/invitations/")[1].split("/")[0]
    membership = services.accept_invitation(user=invitee, token=token, now=now)
    assert membership.role == Role.TA
    with pytest.raises(services.InvitationInvalid, match="already been used"):
        services.accept_invitation(user=invitee, token=token, now=now)


def test_expired_invitation_is_refused_and_changes_nothing(world: CourseWorld, django_capture_on_commit_callbacks):
    now = timezone.now()
    invitee = UserFactory(email="new@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        services.invite(actor=world.teacher, course=world.course, email="new@example.org", now=now)
    token = mail.outbox[0].body.split("/invitations/")[1].split("/")[0]
    with pytest.raises(services.InvitationInvalid, match="expired"):
        services.accept_invitation(user=invitee, token=token, now=now + timedelta(days=15))
    assert not Membership.objects.filter(user=invitee).exists()
    assert Invitation.objects.get().accepted_at is None


def test_invitation_for_someone_else_is_refused(world: CourseWorld, django_capture_on_commit_callbacks):
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        services.invite(actor=world.teacher, course=world.course, email="new@example.org", now=now)
    token = mail.outbox[0].body.split("/invitations/")[1].split("/")[0]
    with pytest.raises(NotAllowed, match=r"new@example\.org"):
        services.accept_invitation(user=world.outsider, token=token, now=now)


def test_learner_cannot_invite(world: CourseWorld):
    with pytest.raises(NotAllowed):
        services.invite(actor=world.learner, course=world.course, email="x@example.org", now=timezone.now())
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_add_person_invites_existing_and_new_accounts_alike(world: CourseWorld):
    now = timezone.now()
    existing = UserFactory(email="known@example.org")
    result = services.add_person(
        actor=world.teacher, course=world.course, email="KNOWN@example.org", role="learner", now=now
    )
    assert isinstance(result, Invitation) and result.email == "known@example.org"
    assert not Membership.objects.filter(course=world.course, user=existing).exists()  # never added without a say
    result = services.add_person(
        actor=world.teacher, course=world.course, email="unknown@example.org", role="learner", now=now
    )
    assert isinstance(result, Invitation)


def test_add_person_with_bad_email_is_refused(world: CourseWorld):
    with pytest.raises(InvalidInput):
        services.add_person(
            actor=world.teacher, course=world.course, email="not-an-email", role="learner", now=timezone.now()
        )


def test_changing_roles_is_audited_and_keeps_one_teacher(world: CourseWorld):
    learner = world.learner_membership
    services.change_role(actor=world.teacher, membership=learner, role=Role.TA)
    entry = AuditEntry.objects.get(verb="membership.role_changed")
    assert entry.data == {"old": "learner", "new": "ta"} and entry.actor_id == world.teacher.pk
    teacher = Membership.objects.get(user=world.teacher, course=world.course)
    with pytest.raises(Conflict, match="at least one teacher"):
        services.change_role(actor=world.teacher, membership=teacher, role=Role.LEARNER)
    with pytest.raises(Conflict):
        services.remove_member(actor=world.teacher, membership=teacher)


def test_unknown_role_is_refused(world: CourseWorld):
    with pytest.raises(InvalidInput):
        services.change_role(actor=world.teacher, membership=world.learner_membership, role="overlord")


def test_removing_a_member(world: CourseWorld):
    services.remove_member(actor=world.teacher, membership=world.learner_membership)
    assert not Membership.objects.filter(user=world.learner, course=world.course).exists()
    assert policy.role_in(world.learner, world.course.pk) is None


def test_groups_belong_to_one_course(world: CourseWorld):
    group = services.create_group(actor=world.teacher, course=world.course, name="Evening")
    with pytest.raises(Conflict):
        services.create_group(actor=world.teacher, course=world.course, name="Evening")
    foreign = GroupFactory()
    with pytest.raises(InvalidInput):
        services.set_groups(actor=world.teacher, membership=world.learner_membership, groups=[group, foreign])
    services.set_groups(actor=world.teacher, membership=world.learner_membership, groups=[group])
    assert list(world.learner_membership.groups.all()) == [group]


def test_deleting_an_item_archives_it_and_is_audited(world: CourseWorld):
    item = ItemFactory(module=world.modules[0])
    services.archive_item(actor=world.teacher, item=item, now=timezone.now())
    assert not Item.objects.filter(pk=item.pk).exists()
    assert Item.all_objects.get(pk=item.pk).removed_by == world.teacher
    assert AuditEntry.objects.get(verb="item.archived").data["title"] == item.title


def test_a_course_ending_before_it_starts_is_refused_in_plain_words_and_changes_nothing(world: CourseWorld):
    start = timezone.now()
    with pytest.raises(InvalidInput, match=r"The end must be after the start\."):
        services.update_course(
            actor=world.teacher, course=world.course, data={"starts_at": start, "ends_at": start - timedelta(days=1)}
        )
    world.course.refresh_from_db()
    assert world.course.ends_at is None

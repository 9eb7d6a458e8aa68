"""Who may create courses: the *Can add course* permission, mirrored on the user row so no page queries the
permission tables, and kept current whichever way an administrator grants or takes it away."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cadence import policy
from cadence.accounts.models import User
from cadence.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _stored(user: User) -> bool:
    return User.objects.get(pk=user.pk).may_create_courses


def _permission() -> Permission:
    return Permission.objects.get(codename="add_course", content_type__app_label="courses")


def test_granted_and_taken_on_the_user_both_ways() -> None:
    user, other = UserFactory(), UserFactory()
    user.user_permissions.add(_permission())
    assert user.may_create_courses and _stored(user) and not _stored(other)
    assert policy.can(user, "create_course") and not policy.can(other, "create_course")
    user.user_permissions.remove(_permission())
    assert not user.may_create_courses and not _stored(user)
    _permission().user_set.add(other)  # from the permission's side
    assert _stored(other)
    _permission().user_set.clear()
    assert not _stored(other)


def test_granted_through_a_group_and_lost_with_it() -> None:
    teachers = Group.objects.create(name="Course creators")
    user = UserFactory()
    user.groups.add(teachers)
    assert not _stored(user)
    teachers.permissions.add(_permission())
    assert _stored(user)
    user.groups.remove(teachers)
    assert not _stored(user)
    teachers.user_set.add(user)
    assert _stored(user)
    teachers.permissions.clear()
    assert not _stored(user)
    teachers.permissions.add(_permission())
    teachers.delete()
    assert not _stored(user)


def test_the_stored_answer_always_agrees_with_djangos_own_permission_check() -> None:
    group = Group.objects.create(name="G")
    group.permissions.add(_permission())
    people = [UserFactory() for _ in range(4)]
    people[0].user_permissions.add(_permission())
    people[1].groups.add(group)
    people[2].user_permissions.add(Permission.objects.get(codename="change_course"))  # another permission
    for person in people:
        fresh = User.objects.get(pk=person.pk)
        assert fresh.may_create_courses == fresh.has_perm("courses.add_course")


def test_asking_costs_no_query() -> None:
    user = User.objects.get(pk=UserFactory().pk)
    with CaptureQueriesContext(connection) as queries:
        assert not policy.can(user, "create_course")
    assert len(queries) == 0
    admin = UserFactory(is_staff=True)
    inactive = UserFactory(is_active=False)
    inactive.user_permissions.add(_permission())
    assert policy.can(admin, "create_course") and not policy.can(User.objects.get(pk=inactive.pk), "create_course")

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import timezone

from cadence.accounts.tests.factories import UserFactory
from cadence.core.errors import NotAllowed
from cadence.courses import services
from cadence.courses.models import Group, Invitation, Membership
from conftest import CourseWorld

pytestmark = pytest.mark.django_db


def _import(world: CourseWorld, text: str | bytes, actor=None):
    data = text.encode() if isinstance(text, str) else text
    return services.import_roster(actor=actor or world.teacher, course=world.course, data=data, now=timezone.now())


def _state(world: CourseWorld) -> tuple[int, int, int]:
    return (
        Membership.objects.filter(course=world.course).count(),
        Invitation.objects.filter(course=world.course).count(),
        Group.objects.filter(course=world.course).count(),
    )


def test_import_invites_everyone_not_yet_in_the_course_and_creates_groups(
    world: CourseWorld, django_capture_on_commit_callbacks
):
    ada = UserFactory(email="ada@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        result = _import(
            world,
            "email,name,role,group\nada@example.org,Ada,learner,Evening\ngrace@example.org,Grace,ta,\nlin@example.org,Lin,,Evening\n",
        )
    # An existing account is invited like anyone else: never added without its owner's say.
    assert result.invited == ["ada@example.org", "grace@example.org", "lin@example.org"]
    assert not Membership.objects.filter(course=world.course, user=ada).exists()
    assert Invitation.objects.get(email="ada@example.org").group == Group.objects.get(
        course=world.course, name="Evening"
    )
    assert Invitation.objects.get(email="lin@example.org").role == "learner"
    assert len(mail.outbox) == 3


def test_every_bad_row_is_reported_with_its_line_and_nothing_is_imported(world: CourseWorld):
    UserFactory(email="ada@example.org")
    before = _state(world)
    with pytest.raises(services.RosterInvalid) as caught:
        _import(
            world,
            "email,name,role,group\n"
            "ada@example.org,Ada,learner,A\n"  # line 2: fine
            "not-an-email,Bob,learner,A\n"  # line 3
            "cy@example.org,Cy,wizard,A\n"  # line 4
            "ada@example.org,Ada again,learner,A\n"  # line 5: duplicate
            "dee@example.org,Dee,learner,A,extra\n",  # line 6: too many columns
        )
    lines = [(e.line, e.message) for e in caught.value.errors]
    assert [line for line, _ in lines] == [3, 4, 5, 6]
    assert "not an email address" in lines[0][1]
    assert "not a role" in lines[1][1]
    assert "already on line 2" in lines[2][1]
    assert _state(world) == before
    assert mail.outbox == []


def test_missing_columns_are_reported(world: CourseWorld):
    with pytest.raises(services.RosterInvalid) as caught:
        _import(world, "email,name\nada@example.org,Ada\n")
    assert "role, group" in caught.value.errors[0].message


def test_binary_or_empty_files_are_refused(world: CourseWorld):
    with pytest.raises(services.RosterInvalid):
        _import(world, b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe\xfd")
    with pytest.raises(services.RosterInvalid, match="problem"):
        _import(world, "email,name,role,group\n")


def test_oversized_file_is_refused(world: CourseWorld, settings):
    settings.ROSTER_MAX_BYTES = 100
    with pytest.raises(services.RosterInvalid) as caught:
        _import(world, "email,name,role,group\n" + "a@example.org,A,learner,\n" * 10)
    assert "larger than" in caught.value.errors[0].message


def test_existing_member_with_another_role_is_a_row_error(world: CourseWorld):
    before = _state(world)
    with pytest.raises(services.RosterInvalid) as caught:
        _import(world, f"email,name,role,group\nnew@example.org,New,learner,\n{world.ta.email},TA,learner,\n")
    assert caught.value.errors[0].line == 3
    assert _state(world) == before


def test_a_failure_halfway_leaves_nothing_behind(world: CourseWorld, monkeypatch):
    from cadence.courses.services import roster

    calls = {"n": 0}
    real = roster.invite

    def failing_invite(**kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("mail server exploded")
        return real(**kwargs)

    monkeypatch.setattr(roster, "invite", failing_invite)
    before = _state(world)
    with pytest.raises(RuntimeError):
        _import(world, "email,name,role,group\na@example.org,A,learner,G1\nb@example.org,B,learner,G2\n")
    assert _state(world) == before


def test_learner_cannot_import(world: CourseWorld):
    with pytest.raises(NotAllowed):
        _import(world, "email,name,role,group\na@example.org,A,learner,\n", actor=world.learner)


def test_cp1252_and_bom_files_are_read(world: CourseWorld):
    result = _import(world, "\ufeffemail,name,role,group\nzoe@example.org,Zoë,learner,\n".encode())
    assert result.invited == ["zoe@example.org"]
    result = _import(world, "email,name,role,group\nrene@example.org,René,learner,\n".encode("cp1252"))
    assert Invitation.objects.get(email="rene@example.org").display_name == "René"

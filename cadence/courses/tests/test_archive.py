"""Deleting a course, module or item archives it; teachers restore it exactly. Learner work is never lost."""

from __future__ import annotations

import datetime as dt
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cadence import policy
from cadence.assessment.models import Submission
from cadence.core.errors import Conflict, NotAllowed
from cadence.core.models import AuditEntry
from cadence.courses import selectors, services
from cadence.courses.models import Course, DeadlineExtension, Item, Module
from cadence.courses.tests.factories import ItemFactory
from cadence.progress import release
from cadence.progress.models import ReleaseRule
from cadence.progress.reminders import remind_deadlines
from cadence.progress.selectors import due_items
from cadence.tests.learner_work import WorkedCourse, build, counts
from conftest import CourseWorld

pytestmark = pytest.mark.django_db
NOW = timezone.now()


@pytest.fixture
def worked(world: CourseWorld, settings, tmp_path) -> WorkedCourse:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return build(world.course, world.teacher, world.learner)


def _positions(module: Module) -> list[tuple[int, int]]:
    return list(Item.objects.filter(module=module).order_by("position").values_list("pk", "position"))


# --- Services ---------------------------------------------------------------------------------------------
def test_archiving_an_item_keeps_all_learner_work_and_restoring_puts_it_back_exactly(worked: WorkedCourse):
    item = worked.assignment
    item.due_at = NOW + timedelta(days=3)
    item.save()
    DeadlineExtension.objects.create(item=item, user=worked.learner, due_at=NOW + timedelta(days=9))
    rule = ReleaseRule.objects.create(item=item, course=worked.course, after_item=worked.lesson)
    order = [pk for pk, _p in _positions(worked.module)]
    services.reorder_items(actor=worked.teacher, module=worked.module, ordered_ids=order)  # dense, as always
    before_work, before_positions = counts(), _positions(worked.module)
    before_row = Item.objects.values().get(pk=item.pk)

    services.archive_item(actor=worked.teacher, item=item, now=NOW)

    assert counts() == before_work
    assert not Item.objects.filter(pk=item.pk).exists()
    live = _positions(worked.module)
    assert [pk for pk, _p in live] == [pk for pk, _p in before_positions if pk != item.pk]
    assert [p for _pk, p in live] == list(range(len(live)))  # siblings renumbered densely

    services.restore_item(actor=worked.teacher, item=item)

    assert counts() == before_work
    assert _positions(worked.module) == before_positions
    after_row = Item.objects.values().get(pk=item.pk)
    assert {k: v for k, v in after_row.items() if k != "updated_at"} == {
        k: v for k, v in before_row.items() if k != "updated_at"
    }
    assert ReleaseRule.objects.get(pk=rule.pk).after_item_id == worked.lesson.pk
    assert DeadlineExtension.objects.filter(item=item, user=worked.learner).exists()
    verbs = list(AuditEntry.objects.filter(object_id=str(item.pk)).values_list("verb", flat=True))
    assert "item.archived" in verbs and "item.restored" in verbs


def test_archiving_a_module_hides_its_items_and_restoring_brings_back_all_but_those_archived_alone(
    world: CourseWorld,
):
    first, second = world.modules
    alone = world.items[4]  # in the second module
    services.archive_item(actor=world.teacher, item=alone, now=NOW)
    services.archive_module(actor=world.teacher, module=second, now=NOW)
    assert list(Module.objects.filter(course=world.course).values_list("pk", "position")) == [(first.pk, 0)]
    assert not Item.objects.filter(module=second).exists()
    assert not policy.can(world.teacher, "view", Item.all_objects.get(pk=world.items[3].pk))

    services.restore_module(actor=world.teacher, module=second)

    assert list(Module.objects.filter(course=world.course).values_list("pk", "position")) == [
        (first.pk, 0),
        (second.pk, 1),
    ]
    assert set(Item.objects.filter(module=second).values_list("pk", flat=True)) == {
        world.items[3].pk,
        world.items[5].pk,
    }
    assert Item.all_objects.get(pk=alone.pk).removed_at is not None


def test_restoring_an_item_whose_module_is_archived_is_refused_and_changes_nothing(world: CourseWorld):
    item = world.items[4]
    services.archive_item(actor=world.teacher, item=item, now=NOW)
    services.archive_module(actor=world.teacher, module=world.modules[1], now=NOW)
    with pytest.raises(Conflict, match="restore the module first"):
        services.restore_item(actor=world.teacher, item=item)
    assert Item.all_objects.get(pk=item.pk).removed_at is not None


def test_a_restore_lands_last_when_fewer_siblings_remain(world: CourseWorld):
    last = world.items[2]
    services.archive_item(actor=world.teacher, item=last, now=NOW)
    services.archive_item(actor=world.teacher, item=world.items[1], now=NOW)
    services.restore_item(actor=world.teacher, item=last)
    assert _positions(world.modules[0]) == [(world.items[0].pk, 0), (last.pk, 1)]


@pytest.mark.parametrize("role", ["ta", "learner", "observer", "outsider"])
def test_only_teachers_archive_and_restore(world: CourseWorld, role: str):
    item = world.items[0]
    with pytest.raises(NotAllowed):
        services.archive_item(actor=world.user(role), item=item, now=NOW)
    services.archive_item(actor=world.teacher, item=item, now=NOW)
    with pytest.raises(NotAllowed):
        services.restore_item(actor=world.user(role), item=item)
    assert Item.all_objects.get(pk=item.pk).removed_at is not None


def test_archiving_twice_or_restoring_what_is_live_is_a_clear_conflict(world: CourseWorld):
    item = world.items[0]
    with pytest.raises(Conflict):
        services.restore_item(actor=world.teacher, item=item)
    services.archive_item(actor=world.teacher, item=item, now=NOW)
    with pytest.raises(Conflict):
        services.archive_item(actor=world.teacher, item=item, now=NOW)


def test_a_deleted_course_vanishes_for_everyone_and_its_teacher_restores_it(world: CourseWorld):
    world.course.visibility = "published"
    world.course.save()
    services.archive_course(actor=world.teacher, course=world.course, now=NOW)
    for user in (world.teacher, world.ta, world.learner, world.observer, world.outsider, world.admin):
        assert not selectors.catalogue(user).filter(pk=world.course.pk).exists()
        assert selectors.course_by_slug(user, world.course.slug, "discover") is None
        assert not policy.can(user, "view", Course.all_objects.get(pk=world.course.pk))
    assert selectors.my_courses(world.learner) == []
    assert list(selectors.removed_courses(world.teacher)) == [world.course]
    assert list(selectors.removed_courses(world.learner)) == []
    with pytest.raises(NotAllowed):
        services.restore_course(actor=world.learner, course=world.course)
    services.restore_course(actor=world.teacher, course=world.course)
    assert selectors.catalogue(world.learner).filter(pk=world.course.pk).exists()


# --- What learners see -----------------------------------------------------------------------------------
def test_an_archived_item_leaves_outline_due_list_and_reminders(world: CourseWorld):
    item = world.items[0]
    item.due_date = dt.date(2026, 11, 25)
    item.save()
    now = dt.datetime(2026, 11, 25, 8, 0, tzinfo=dt.UTC)
    services.archive_item(actor=world.teacher, item=item, now=now)
    outline = selectors.course_outline(world.course, include_hidden=True)
    assert item.pk not in [i.pk for m in outline.modules for i in m.items.all()]
    assert not due_items(world.learner, [world.course.pk], now=now).upcoming
    assert remind_deadlines(now=now) == 0
    services.restore_item(actor=world.teacher, item=item)
    assert remind_deadlines(now=now) == 1


def test_a_release_condition_on_an_archived_item_holds_nothing_back_until_it_returns(world: CourseWorld):
    needed, locked = world.items[0], world.items[1]
    ReleaseRule.objects.create(item=locked, course=world.course, after_item=needed)
    assert locked.pk in release.learner_availability(world.learner, world.course, now=NOW).item_locks
    services.archive_item(actor=world.teacher, item=needed, now=NOW)
    assert locked.pk not in release.learner_availability(world.learner, world.course, now=NOW).item_locks
    services.restore_item(actor=world.teacher, item=needed)
    assert locked.pk in release.learner_availability(world.learner, world.course, now=NOW).item_locks


def test_a_learner_keeps_their_receipt_of_work_on_an_archived_item(client, worked: WorkedCourse):
    submission = Submission.objects.get(user=worked.learner)
    services.archive_module(actor=worked.teacher, module=worked.module, now=NOW)
    client.force_login(worked.learner)
    item_url = reverse("courses:item-detail", args=[worked.course.slug, worked.assignment.pk])
    assert client.get(item_url).status_code == 404
    receipt = client.get(reverse("assessment:receipt", args=[worked.course.slug, submission.pk]))
    assert receipt.status_code == 200
    assert submission.text_sha256 in receipt.content.decode()


# --- Pages ------------------------------------------------------------------------------------------------
def test_deleting_an_item_on_its_page_archives_it_with_the_learners_work(client, worked: WorkedCourse):
    before = counts()
    client.force_login(worked.teacher)
    response = client.post(reverse("courses:item-delete", args=[worked.course.slug, worked.assignment.pk]))
    assert response.status_code == 302
    assert counts() == before
    assert Item.all_objects.get(pk=worked.assignment.pk).removed_at is not None


def test_deleting_a_module_on_its_page_archives_it(client, worked: WorkedCourse):
    before = counts()
    client.force_login(worked.teacher)
    client.post(reverse("courses:module-delete", args=[worked.course.slug, worked.module.pk]))
    assert counts() == before
    assert Module.all_objects.get(pk=worked.module.pk).removed_at is not None


def test_archive_page_lists_and_restores_within_a_query_budget(client, world: CourseWorld):
    for item in world.items[:2]:
        services.archive_item(actor=world.teacher, item=item, now=NOW)
    services.archive_module(actor=world.teacher, module=world.modules[1], now=NOW)
    extra = ItemFactory(module=world.modules[0], title="Extra")
    services.archive_item(actor=world.teacher, item=extra, now=NOW)
    client.force_login(world.teacher)
    url = reverse("courses:course-archive", args=[world.course.slug])
    with CaptureQueriesContext(connection) as captured:
        page = client.get(url)
    assert page.status_code == 200 and len(captured) <= 12
    text = page.content.decode()
    assert all(i.title in text for i in (*world.items[:2], extra)) and world.modules[1].title in text
    restore = reverse("courses:item-restore", args=[world.course.slug, world.items[0].pk])
    assert client.post(restore).status_code == 302
    assert Item.objects.filter(pk=world.items[0].pk).exists()
    module_restore = reverse("courses:module-restore", args=[world.course.slug, world.modules[1].pk])
    assert client.post(module_restore).status_code == 302
    assert Module.objects.filter(pk=world.modules[1].pk).exists()


def test_archive_page_and_restore_are_for_teachers_only(client, world: CourseWorld):
    services.archive_item(actor=world.teacher, item=world.items[0], now=NOW)
    url = reverse("courses:course-archive", args=[world.course.slug])
    restore = reverse("courses:item-restore", args=[world.course.slug, world.items[0].pk])
    for user, status in ((world.ta, 403), (world.learner, 403), (world.outsider, 403)):
        client.force_login(user)
        assert client.get(url).status_code == status
        assert client.post(restore).status_code in (403, 404)
    assert Item.all_objects.get(pk=world.items[0].pk).removed_at is not None
    client.force_login(world.teacher)
    live = reverse("courses:item-restore", args=[world.course.slug, world.items[1].pk])
    assert client.post(live).status_code == 404  # not in the archive: nothing to restore


def test_restoring_an_item_of_an_archived_module_on_the_page_explains_why_not(client, world: CourseWorld):
    item = world.items[3]
    services.archive_item(actor=world.teacher, item=item, now=NOW)
    services.archive_module(actor=world.teacher, module=world.modules[1], now=NOW)
    client.force_login(world.teacher)
    response = client.post(reverse("courses:item-restore", args=[world.course.slug, item.pk]), follow=True)
    assert "restore the module first" in response.content.decode()
    assert Item.all_objects.get(pk=item.pk).removed_at is not None


def test_a_teacher_deletes_a_course_and_restores_it_from_the_dashboard(client, world: CourseWorld):
    client.force_login(world.teacher)
    assert client.post(reverse("courses:course-delete", args=[world.course.slug])).status_code == 302
    assert client.get(reverse("courses:course-detail", args=[world.course.slug])).status_code == 404
    home = client.get(reverse("home")).content.decode()
    assert reverse("courses:course-restore", args=[world.course.slug]) in home
    client.force_login(world.learner)
    assert client.post(reverse("courses:course-restore", args=[world.course.slug])).status_code == 404
    client.force_login(world.teacher)
    assert client.post(reverse("courses:course-restore", args=[world.course.slug])).status_code == 302
    assert client.get(reverse("courses:course-detail", args=[world.course.slug])).status_code == 200


# --- API --------------------------------------------------------------------------------------------------
def _auth(user) -> dict[str, str]:
    from cadence.accounts import services as account_services

    return {"HTTP_AUTHORIZATION": f"Bearer {account_services.create_api_token(user=user, name='t').secret}"}


def test_api_delete_archives_and_restore_brings_back(client, worked: WorkedCourse):
    before = counts()
    teacher = _auth(worked.teacher)
    assert client.delete(f"/api/v1/items/{worked.quiz.pk}", **teacher).status_code == 204
    assert client.delete(f"/api/v1/modules/{worked.module.pk}", **teacher).status_code == 204
    assert counts() == before
    assert client.get(f"/api/v1/items/{worked.lesson.pk}", **teacher).status_code == 404
    archive = client.get(f"/api/v1/courses/{worked.course.pk}/archive", **teacher).json()
    assert [m["id"] for m in archive["modules"]] == [worked.module.pk]
    assert [(i["id"], i["module_archived"]) for i in archive["items"]] == [(worked.quiz.pk, True)]
    assert client.post(f"/api/v1/items/{worked.quiz.pk}/restore", **teacher).status_code == 409
    assert client.post(f"/api/v1/modules/{worked.module.pk}/restore", **teacher).status_code == 200
    assert client.post(f"/api/v1/items/{worked.quiz.pk}/restore", **teacher).status_code == 200
    assert client.get(f"/api/v1/items/{worked.quiz.pk}", **teacher).status_code == 200
    learner = _auth(worked.learner)
    assert client.delete(f"/api/v1/items/{worked.quiz.pk}", **learner).status_code == 403
    assert counts() == before


def test_api_course_delete_and_restore(client, world: CourseWorld):
    teacher, learner = _auth(world.teacher), _auth(world.learner)
    assert client.delete(f"/api/v1/courses/{world.course.pk}", **learner).status_code == 403
    assert client.delete(f"/api/v1/courses/{world.course.pk}", **teacher).status_code == 204
    assert client.get(f"/api/v1/courses/{world.course.pk}", **teacher).status_code == 404
    assert client.post(f"/api/v1/courses/{world.course.pk}/restore", **learner).status_code == 404
    assert client.post(f"/api/v1/courses/{world.course.pk}/restore", **teacher).status_code == 200
    assert client.get(f"/api/v1/courses/{world.course.pk}", **learner).status_code == 200


# --- The policy: can and scope agree ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "role, restore, purge",
    [
        ("teacher", True, False),
        ("admin", True, True),
        ("ta", False, False),
        ("learner", False, False),
        ("observer", False, False),
        ("outsider", False, False),
    ],
)
def test_policy_on_an_archived_item(world: CourseWorld, role: str, restore: bool, purge: bool):
    user = world.user(role)
    assert user is not None
    item = services.archive_item(actor=world.teacher, item=world.items[0], now=NOW)
    archived = Item.all_objects.select_related("course", "module").get(pk=item.pk)
    assert not policy.can(user, "view", archived)
    assert not policy.scope(user, "view", Item.all_objects.filter(pk=item.pk)).exists()
    assert policy.can(user, "restore", archived) is restore
    assert policy.scope(user, "restore", Item.all_objects.filter(pk=item.pk)).exists() is restore
    assert policy.can(user, "purge", archived) is purge
    live = Item.objects.select_related("course", "module").get(pk=world.items[1].pk)
    assert not policy.can(user, "restore", live)
    assert not policy.scope(user, "restore", Item.all_objects.filter(pk=live.pk)).exists()


def test_work_on_an_archived_item_leaves_the_grading_queue_until_restored(worked: WorkedCourse):
    from cadence.assessment.selectors import grading_queue
    from cadence.assessment.services import assignments
    from cadence.assessment.services.assignments import SubmissionInput

    assignments.submit(
        user=worked.second_learner,
        assignment=assignments.assignment_for(worked.assignment),
        data=SubmissionInput(key="late-essay", text="Mine."),
        now=NOW,
    )
    assert any(e.learner == worked.second_learner.display_name for e in grading_queue(worked.course, now=NOW))
    services.archive_item(actor=worked.teacher, item=worked.assignment, now=NOW)
    assert not grading_queue(worked.course, now=NOW)
    services.restore_item(actor=worked.teacher, item=worked.assignment)
    assert grading_queue(worked.course, now=NOW)


def test_memberships_and_conversations_of_a_deleted_course_are_listed_by_nobody(worked: WorkedCourse):
    from cadence.courses.models import Membership
    from cadence.messaging.models import Conversation

    services.archive_course(actor=worked.teacher, course=worked.course, now=NOW)
    for user in (worked.learner, worked.teacher):
        assert not policy.scope(user, "view", Membership.objects.filter(course_id=worked.course.pk)).exists()
        assert not policy.scope(user, "view", Conversation.objects.filter(course_id=worked.course.pk)).exists()

from __future__ import annotations

import pytest
from django.urls import reverse

from cadence.courses.tests.factories import ItemFactory
from cadence.progress.models import Completion, ItemProgress
from conftest import CourseWorld

pytestmark = pytest.mark.django_db


def test_item_page_records_the_view_and_shows_completion(client, world: CourseWorld):
    client.force_login(world.learner)
    page = client.get(reverse("courses:item-detail", args=[world.course.slug, world.items[0].pk])).content.decode()
    assert Completion.objects.filter(user=world.learner, item=world.items[0]).exists()
    assert "Completed" in page and "(Europe/London)" in page


def test_course_page_shows_progress_and_continue_link_to_learners_only(client, world: CourseWorld):
    client.force_login(world.learner)
    client.get(reverse("courses:item-detail", args=[world.course.slug, world.items[0].pk]))
    page = client.get(reverse("courses:course-detail", args=[world.course.slug])).content.decode()
    assert 'id="course-progress"' in page and 'value="16"' in page and "1 of 6 done" in page
    assert f'href="/courses/{world.course.slug}/items/{world.items[1].pk}/"' in page  # start the next one
    client.force_login(world.teacher)
    assert (
        'id="course-progress"'
        not in client.get(reverse("courses:course-detail", args=[world.course.slug])).content.decode()
    )


def test_mark_done_button(client, world: CourseWorld):
    item = ItemFactory(module=world.modules[0], completion_rule="marked_done")
    client.force_login(world.learner)
    page = client.get(reverse("courses:item-detail", args=[world.course.slug, item.pk])).content.decode()
    assert "Mark as done" in page
    response = client.post(reverse("progress:item-done", args=[world.course.slug, item.pk]))
    assert response.status_code == 302
    assert Completion.objects.filter(item=item, user=world.learner, source="learner").exists()


def test_review_toggle_with_and_without_htmx(client, world: CourseWorld):
    client.force_login(world.learner)
    url = reverse("progress:item-review", args=[world.course.slug, world.items[0].pk])
    assert client.post(url, {"marked": "1"}).status_code == 302
    assert ItemProgress.objects.get(user=world.learner).marked_for_review
    fragment = client.post(url, {"marked": "0"}, HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith("<form") and 'aria-pressed="false"' in fragment
    assert not ItemProgress.objects.get(user=world.learner).marked_for_review


def test_status_fragment_shows_completion_after_it_happens(client, world: CourseWorld):
    from django.utils import timezone

    from cadence.progress import services

    item = ItemFactory(module=world.modules[0], completion_rule="checklist")
    client.force_login(world.learner)
    url = reverse("progress:item-status", args=[world.course.slug, item.pk])
    before = client.get(url).content.decode()
    assert before.lstrip().startswith("<section") and "Completed" not in before
    assert 'hx-trigger="progress-changed from:body"' in before
    services.mark_complete(user=world.learner, item=item, now=timezone.now())
    assert "Completed" in client.get(url).content.decode()

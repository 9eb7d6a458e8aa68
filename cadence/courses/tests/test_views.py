from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import CourseWorld

pytestmark = pytest.mark.django_db


def test_learner_sees_course_outline(client, world: CourseWorld):
    client.force_login(world.learner)
    response = client.get(reverse("courses:course-detail", args=[world.course.slug]))
    assert response.status_code == 200
    assert world.items[0].title in response.content.decode()

"""The demo's parent follows a learner with a released grade, so the family page shows something true."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from cadence.demo import seed_demo

pytestmark = pytest.mark.django_db


def test_demo_parent_sees_the_followed_learners_released_grade() -> None:
    accounts = seed_demo()
    client = Client()
    client.force_login(accounts.observer)
    html = client.get(reverse("families:home")).content.decode()
    assert accounts.learners[0].display_name in html
    assert "Next time, add a title." in html

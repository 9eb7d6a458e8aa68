from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import override_settings


@pytest.fixture(autouse=True)
def _generous_rate_limit() -> Iterator[None]:
    """Tests post quickly; the flood guard's own tests lower the limit with the `settings` fixture."""
    with override_settings(COMMUNITY_POSTS_PER_MINUTE=10_000):
        yield

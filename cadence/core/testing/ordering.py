"""A pytest plugin (loaded with `-p` in pyproject.toml): the longest tests run first.

pytest-xdist's default `load` scheduling hands the first quarter of the collection out one test at a time,
alternating between workers, then the rest in shrinking chunks as each worker runs low. With the tests that take
tens of seconds (API fuzzing, real servers, browsers) at the front, they are shared between the workers
from the start and the run ends on short tests, so both workers finish within seconds of each other. Left in
collection order they came last (`cadence/tests/browser` sorts after every app), and one worker ran them
alone for minutes while the other had nothing left to do.

The order is a stable sort on a cost estimated from markers (tests of one weight keep their collection order),
the same on every worker, as xdist requires. Mark a new test that takes more than a few seconds with
`heavy` (or `browser`, `timeout_sensitive`, which imply it) so that it starts early too.
"""

from __future__ import annotations

import pytest

# Rough seconds per test on the 2-core machine; only the order matters, not the figures.
WEIGHTS = {"heavy": 100, "timeout_sensitive": 50, "browser": 10}


def estimated_seconds(item: pytest.Item) -> int:
    return max((weight for name, weight in WEIGHTS.items() if item.get_closest_marker(name)), default=0)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "heavy: takes tens of seconds (fuzzes or serves for real); scheduled before the others"
    )


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: -estimated_seconds(item))

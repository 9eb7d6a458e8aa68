"""The whole API, fuzzed against its own OpenAPI document by schemathesis.

`schemathesis run` with all of its checks goes through every operation, as a teacher and as a learner
(a personal token each), against a live test server on this test's throwaway database: valid requests and
broken ones, near the edges of every range. It must find no server error, no status or body other than the
document declares, no content type or header other than declared, no bad input accepted, no good input
refused and no authentication ignored.

A bounded number of examples per operation (CADENCE_SCHEMATHESIS_EXAMPLES, default 4) and a fixed seed keep
it repeatable and within the suite's time. The coverage phase (every boundary and every wrong type of every
parameter, a few thousand requests) runs as the teacher only: parameters are validated before any view runs,
so those answers are the same for everyone; the learner gets the examples, fuzzing and stateful phases, which
reach the views with generated data. Half of the generated path ids are swapped for ids of real objects
of the course (`schemathesis_hooks.py`), so operations reach the objects and not only their 404s: as a
teacher that includes changing and deleting them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings
from pytest_django.live_server_helper import LiveServer

from cadence.accounts.services import create_api_token
from cadence.community.tests import factories as community
from cadence.courses import services as course_services
from cadence.insights.tests.factories import stats_for
from cadence.messaging.tests import factories as messaging
from conftest import CourseWorld

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.heavy]

EXAMPLES = int(os.environ.get("CADENCE_SCHEMATHESIS_EXAMPLES", "4"))
PHASES = {"teacher": "examples,coverage,fuzzing,stateful", "learner": "examples,fuzzing,stateful"}
SEED = 20261201
ROOT = Path(__file__).resolve().parents[2]
CONFIG = Path(__file__).with_name("schemathesis.toml")


def _real_ids(world: CourseWorld) -> dict[str, int]:
    forum = community.forum(world.course)
    thread = community.thread(world.learner, forum)
    question = messaging.question(world.learner, world.course)
    stats_for(world.learner_membership)
    accommodation = course_services.set_accommodation(
        actor=world.teacher,
        course=world.course,
        data=course_services.AccommodationInput(extension_days=2),
        learner=world.learner_membership,
    )
    return {
        "course_id": world.course.pk,
        "module_id": world.modules[1].pk,
        "item_id": world.items[-1].pk,
        "membership_id": world.learner_membership.pk,
        "forum_id": forum.pk,
        "thread_id": thread.pk,
        "conversation_id": question.pk,
        "user_id": world.learner.pk,
        "accommodation_id": accommodation.pk,
    }


@pytest.mark.parametrize("role", ["teacher", "learner"])
def test_api_conforms_to_its_schema(live_server: LiveServer, world: CourseWorld, role: str, tmp_path: Path) -> None:
    token = create_api_token(user=getattr(world, role), name="schemathesis").secret
    env = os.environ | {
        "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
        "SCHEMATHESIS_HOOKS": "cadence.tests.schemathesis_hooks",
        "CADENCE_SCHEMATHESIS_IDS": json.dumps(_real_ids(world)),
    }
    command = [
        sys.executable, "-m", "schemathesis.cli", "--config-file", str(CONFIG), "--no-color",
        "run", f"{live_server.url}/api/v1/openapi.json",
        "--checks", "all", "--max-examples", str(EXAMPLES), "--seed", str(SEED), "--workers", "1",
        "--header", f"Authorization: Bearer {token}", "--request-timeout", "30",
        "--suppress-health-check", "all", "--phases", PHASES[role],
    ]  # fmt: skip
    with override_settings(COMMUNITY_POSTS_PER_MINUTE=1_000):
        result = subprocess.run(
            command, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=600, check=False
        )
    (tmp_path / "schemathesis.txt").write_text(result.stdout + result.stderr)
    assert result.returncode == 0, result.stdout[-30000:] + result.stderr[-5000:]

"""Schemathesis hooks for `test_api_schema.py` (loaded by the schemathesis process via SCHEMATHESIS_HOOKS).

Half of the generated ids in paths are swapped for ids of real objects of the test's course (given as JSON in
CADENCE_SCHEMATHESIS_IDS), so that operations also reach real objects and not only their 404s.
"""

from __future__ import annotations

import json
import os
from typing import Any

import schemathesis

from cadence.core.api_types import MAX_ID

REAL_IDS: dict[str, int] = json.loads(os.environ.get("CADENCE_SCHEMATHESIS_IDS", "{}"))


@schemathesis.hook
def map_path_parameters(context: Any, path_parameters: dict[str, Any] | None) -> dict[str, Any] | None:
    if not path_parameters:
        return path_parameters
    for name, value in list(path_parameters.items()):
        # Only ids that are valid anyway: a case meant to send an id out of range keeps it.
        if name in REAL_IDS and isinstance(value, int) and 1 <= value <= MAX_ID and value % 2 == 0:
            path_parameters[name] = REAL_IDS[name]
    return path_parameters

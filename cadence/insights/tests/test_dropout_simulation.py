"""The drop-out simulation in bench/ keeps working: a tiny cohort, the real domain functions and training."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

PATH = Path(__file__).resolve().parents[3] / "bench" / "dropout_simulation.py"


def test_the_simulation_reports_both_models_by_week_for_a_tiny_cohort() -> None:
    spec = importlib.util.spec_from_file_location("dropout_simulation", PATH)
    assert spec is not None and spec.loader is not None
    simulation = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = simulation  # dataclasses look their module up
    spec.loader.exec_module(simulation)
    report = simulation.run(learners=40, weeks=8, seed=3)
    assert sum(report.behaviours.values()) == 40
    assert 0 < report.stopped < 40  # some stop, some finish
    for figures in (report.rules, report.statistical):
        assert [f.week for f in figures] == [1, 2, 3]
        for f in figures:
            assert 0 <= f.precision <= 1 and 0 <= f.recall <= 1
            assert f.will_stop <= f.going <= 40
    assert set(report.held_out) == {"statistical", "rules"}

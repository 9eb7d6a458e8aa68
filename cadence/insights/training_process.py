"""The nightly training of the risk models, run in a process of its own.

Training needs scikit-learn, numpy and scipy: about 90 MiB once imported, and an imported module is never
given back. Run inside the task worker, the training would leave them there for the rest of the worker's
life; run as `cadence train_risk_models` in a child process, they are gone when it ends, and the worker
itself never imports them (its tasks module imports this module, not `risk_training`).
"""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime

TIMEOUT_SECONDS = 2 * 60 * 60


def train_all_in_own_process(*, now: datetime) -> int:
    """`risk_training.train_all` in a child process (the worker's interpreter and environment); returns how many
    courses it looked at. Its log goes to the worker's standard error; a failure raises
    `subprocess.CalledProcessError`, so the task fails and says so."""
    completed = subprocess.run(  # noqa: S603 - our own command line
        [sys.executable, "-m", "cadence", "train_risk_models", "--now", now.isoformat()],
        stdout=subprocess.PIPE,
        text=True,
        check=True,
        timeout=TIMEOUT_SECONDS,
    )
    return int(completed.stdout.split()[-1])

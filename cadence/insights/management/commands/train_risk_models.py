from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from cadence.insights import risk_training


class Command(BaseCommand):
    help = (
        "Train every published course's statistical risk model now (the task worker runs this every night, "
        "in a process of its own). Prints how many courses were looked at."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", help="the time of the training, ISO 8601 with its offset (default: now)")

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        if options["now"]:
            now = datetime.fromisoformat(options["now"])
            if timezone.is_naive(now):
                raise CommandError("--now needs an offset, e.g. 2030-03-04T03:41:00+00:00")
        self.stdout.write(str(risk_training.train_all(now=now)))

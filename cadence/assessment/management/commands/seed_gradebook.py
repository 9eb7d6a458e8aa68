from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cadence.assessment.seeding import seed_gradebook


class Command(BaseCommand):
    help = "After seed_large: put every benchmark learner in one course with N graded assignments (a large gradebook)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--course", default="bench-000")
        parser.add_argument("--items", type=int, default=100)
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if not 1 <= options["items"] <= 1000:
            raise CommandError("Between 1 and 1000 items.")
        started = time.monotonic()
        try:
            result = seed_gradebook(
                course_slug=options["course"], items=options["items"], progress=not options["no_progress"]
            )
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded in {time.monotonic() - started:.0f} s: {result.learners} learners × {result.items} assignments "
                f"in {result.course_slug}, {result.grades} graded submissions."
            )
        )

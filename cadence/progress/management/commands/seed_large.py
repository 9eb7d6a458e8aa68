from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cadence.core.testing.seed import DOMAIN
from cadence.progress.seeding import PASSWORD, SeedSize, seed_large


class Command(BaseCommand):
    help = "Build a large benchmark data set (20 courses, 10,000 learners, 500 items each, 1,000,000 events)."

    def add_arguments(self, parser: CommandParser) -> None:
        defaults = SeedSize()
        parser.add_argument("--courses", type=int, default=defaults.courses)
        parser.add_argument("--learners", type=int, default=defaults.learners)
        parser.add_argument("--items", type=int, default=defaults.items_per_course, help="items per course")
        parser.add_argument("--events", type=int, default=defaults.events)
        parser.add_argument("--no-progress", action="store_true", help="no progress bars")

    def handle(self, *args: Any, **options: Any) -> None:
        if min(options["courses"], options["learners"], options["items"]) < 1 or options["events"] < 0:
            raise CommandError("Sizes must be positive.")
        size = SeedSize(
            courses=options["courses"],
            learners=options["learners"],
            items_per_course=options["items"],
            events=options["events"],
        )
        started = time.monotonic()
        try:
            result = seed_large(size, progress=not options["no_progress"])
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded in {time.monotonic() - started:.0f} s: {result.courses} courses, {result.learners} learners, "
                f"{result.items} items, {result.memberships} memberships, {result.completions} completions, "
                f"{result.events} events. Learners sign in as learner00000@{DOMAIN} … (password {PASSWORD})."
            )
        )

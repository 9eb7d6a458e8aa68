from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from cadence.privacy import media_audit


class Command(BaseCommand):
    help = (
        "List stored media files that no row refers to (a dry run: nothing is removed). "
        "With --delete, remove them. Files younger than --min-age-hours are left alone (uploads in progress)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--delete", action="store_true", help="remove the orphaned files (default: only list)")
        parser.add_argument(
            "--min-age-hours", type=float, default=24.0, help="only files last changed this long ago (default 24)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        min_age = options["min_age_hours"]
        if min_age < 0:
            raise CommandError("--min-age-hours cannot be negative.")
        root = Path(settings.MEDIA_ROOT)
        orphans = media_audit.find_orphans(root, older_than=timezone.now() - timedelta(hours=min_age))
        total = sum(o.size for o in orphans)
        for orphan in orphans:
            self.stdout.write(f"{orphan.name}\t{orphan.size}")
        summary = f"{len(orphans)} orphaned file(s), {filesizeformat(total)} ({total} bytes), under {root}."
        if not options["delete"]:
            self.stdout.write(summary + " Dry run: nothing removed. Run again with --delete to remove them.")
            return
        removed = media_audit.remove(root, orphans)
        self.stdout.write(self.style.SUCCESS(f"Removed {removed} of {summary}"))

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from cadence.accounts.models import User
from cadence.core.errors import DomainError
from cadence.courses import purge
from cadence.courses.models import Course, Item, Module


class Command(BaseCommand):
    help = (
        "Delete for good what has been in the course archive longer than ARCHIVE_RETENTION_DAYS: deleted "
        "courses, modules and items with all learner work and files on them. Counts go to the audit log."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        target = parser.add_mutually_exclusive_group()
        target.add_argument("--course", type=int, help="purge only this deleted course (by id)")
        target.add_argument("--module", type=int, help="purge only this deleted module (by id)")
        target.add_argument("--item", type=int, help="purge only this deleted item (by id)")
        parser.add_argument("--by", help="email of the site administrator running the purge (for the audit log)")
        parser.add_argument("--dry-run", action="store_true", help="list what would be purged; change nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        actor = None
        if options["by"]:
            actor = User.objects.filter(email__iexact=options["by"], is_active=True, is_staff=True).first()
            if actor is None:
                raise CommandError(f"{options['by']} is not an active site administrator.")
        targets = self._targets(options, now)
        if not targets:
            self.stdout.write("Nothing in the archive is older than the retention period.")
            return
        for target in targets:
            if options["dry_run"]:
                self.stdout.write(f"would purge {target._meta.model_name} {target.pk} “{target.title}”")
                continue
            try:
                result = purge.purge(actor=actor, target=target, now=now)
            except DomainError as exc:
                raise CommandError(exc.message) from exc
            rows = ", ".join(f"{label} {n}" for label, n in result.counts.items())
            self.stdout.write(self.style.SUCCESS(f"purged {result.target}: {rows}; {result.files} files"))

    def _targets(self, options: dict[str, Any], now: Any) -> list[purge.Target]:
        for name, model in (("course", Course), ("module", Module), ("item", Item)):
            if options[name] is None:
                continue
            target = model.all_objects.filter(pk=options[name]).first()
            if target is None:
                raise CommandError(f"There is no {name} {options[name]}.")
            try:
                purge.check_purgeable(actor=None, target=target, now=now)
            except DomainError as exc:
                raise CommandError(exc.message) from exc
            return [target]
        return purge.purgeable(now=now)

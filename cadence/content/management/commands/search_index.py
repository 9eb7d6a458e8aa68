from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cadence.content import search
from cadence.courses.models import Course


class Command(BaseCommand):
    help = "Rebuild the full-text search index of one course (--course SLUG) or of every course."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--course", metavar="SLUG", help="only this course")

    def handle(self, *args: Any, **options: Any) -> None:
        courses = Course.objects.order_by("pk")
        if options["course"]:
            courses = courses.filter(slug=options["course"])
            if not courses.exists():
                raise CommandError(f"No course has the slug “{options['course']}”.")
        total = 0
        for course in courses.only("pk", "slug"):
            passages = search.rebuild_course(course.pk)
            total += passages
            self.stdout.write(f"{course.slug}: {passages} passages")
        self.stdout.write(self.style.SUCCESS(f"Indexed {total} passages."))

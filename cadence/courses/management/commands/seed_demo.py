from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from cadence.accounts.models import User
from cadence.courses.models import Course
from cadence.demo import DEMO_PASSWORD, DOMAIN, drop_queued_mail, seed_demo


class Command(BaseCommand):
    help = "Seed the demo course and accounts once; print the sign-in details."

    def handle(self, *args: Any, **options: Any) -> None:
        if User.objects.filter(email=f"teacher@{DOMAIN}").exists():
            self.stdout.write("Demo data is already there.")
        else:
            seed_demo()
            drop_queued_mail()
            self.stdout.write(self.style.SUCCESS("Demo data created."))
        code = Course.objects.filter(slug="statistics-club").values_list("enrolment_code", flat=True).first()
        self.stdout.write(
            f"\nOpen {settings.SITE_URL}/ and sign in with any of these (password: {DEMO_PASSWORD}):\n"
            f"  site admin   admin@{DOMAIN}\n"
            f"  teacher      teacher@{DOMAIN}\n"
            f"  TA           ta@{DOMAIN}\n"
            f"  learners     learner01@{DOMAIN} … learner30@{DOMAIN}  (spread over 10 time zones)\n"
            f"  observer     parent@{DOMAIN}  (follows learner01)\n"
            f"Enrolment code for “Statistics Club”: {code}\n"
            "“Data Literacy” has eight weeks of history: steady learners, procrastinators, learners fading out,\n"
            "learners who came back after a check-in, and learners who struggle. As the teacher, open Teaching,\n"
            "the course's Learners table and its Course health.\n"
        )

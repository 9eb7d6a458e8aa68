"""Telling a course's teachers when a learner's risk rises to high: once per rise, not on every refresh.

The refresh (`insights.services.refresh_learners`) calls `mark_rises` before it writes a batch of rows, then
`notify_rises` in the same transaction. A rise is a row whose level is high now and was not before (a learner
scored for the first time counts as a rise); `risk_high_since` keeps the moment of the rise while the level
stays high and is cleared when it falls, so the next rise is a new one. The notification's key names the
learner and the day of the rise, so two refreshes racing for the same rise tell each teacher once.

Who is told comes from the policy: the course's teachers and TAs who may see that learner's figures
(`view_insights` on the membership), so a TA limited to groups hears only of their groups' learners. Each is
told in their own language, with the rule model's reasons (the same words as the learners table) and a link
to write a check-in. The kind is `at_risk`: a daily digest unless the person chose otherwise.
Cost: one query per batch to read the previous levels, and a few queries per learner who rose.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from cadence import policy
from cadence.accounts.models import User
from cadence.courses import selectors as course_selectors
from cadence.courses.models import Course, Membership
from cadence.insights.domain import risk
from cadence.insights.models import LearnerStats
from cadence.notifications.models import Kind
from cadence.notifications.services import notify


def mark_rises(rows: Sequence[LearnerStats], *, now: datetime) -> list[LearnerStats]:
    """Set each unsaved row's `risk_high_since` from the stored row, and return the rows that rose to high."""
    before = {
        membership_id: (level, since)
        for membership_id, level, since in LearnerStats.objects.filter(
            membership_id__in=[r.membership_id for r in rows]
        ).values_list("membership_id", "risk_level", "risk_high_since")
    }
    rises: list[LearnerStats] = []
    for row in rows:
        level, since = before.get(row.membership_id, (risk.Level.LOW.value, None))
        if row.risk_level != risk.Level.HIGH:
            row.risk_high_since = None
        elif level == risk.Level.HIGH:
            row.risk_high_since = since  # still high: the same rise (None for rows from before this was kept)
        else:
            row.risk_high_since = now
            rises.append(row)
    return rises


def notify_rises(
    *,
    course: Course,
    rises: Sequence[LearnerStats],
    memberships: Mapping[int, Membership],
    facts: Mapping[int, risk.RiskFacts],
    rules: risk.RiskSettings,
) -> int:
    """Tell the staff who may see each risen learner; returns how many notifications were created."""
    if not rises:
        return 0
    staff = course_selectors.staff_ids(course)
    languages = dict(User.objects.filter(pk__in=staff).values_list("pk", "language"))
    told = 0
    for row in rises:
        membership = memberships[row.membership_id]
        membership.course = course
        by_language: dict[str, list[int]] = {}
        for user_id in policy.audience("view_insights", membership, staff):
            by_language.setdefault(languages.get(user_id) or "en", []).append(user_id)
        assert row.risk_high_since is not None
        for language, people in sorted(by_language.items()):
            with translation.override(language):
                reasons = [r.text for r in risk.assess(facts[row.membership_id], rules).reasons]
                told += notify(
                    recipients=people,
                    kind=Kind.AT_RISK,
                    title=_("%(name)s is now at high risk in %(course)s")
                    % {"name": row.display_name, "course": course.title},
                    body="; ".join(reasons)
                    or _("No rule indicator fired: the course's statistical model scores this learner high."),
                    url=reverse("messaging:check-in", args=[course.slug, row.user_id]),
                    key=f"insights.at_risk:{row.membership_id}:{row.risk_high_since:%Y-%m-%d}",
                    course=course,
                    now=row.risk_high_since,
                )
    return told

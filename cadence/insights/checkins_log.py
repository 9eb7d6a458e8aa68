"""The check-in log: one row per check-in sent, and whether its learner came back within 7 days.

`record_check_in` is called by `messaging.services.send_check_in` (re-exported by `insights.services`), the
service every path uses (a check-in by hand, from a template, by a rule, the demo), inside its transaction.
`refresh_outcomes` (hourly, and after each learner-figures refresh in `insights.tasks`) decides the waiting
rows from `LearnerStats.last_active_at`: aggregates, never raw events.
"""

from __future__ import annotations

from datetime import datetime

from cadence.courses.models import Membership
from cadence.insights.domain import check_ins
from cadence.insights.models import CheckInLog, LearnerStats, Outcome

BATCH = 1000


def record_check_in(
    *, message_id: int, membership: Membership, sender_id: int, sent_at: datetime, origin: check_ins.CheckInOrigin
) -> CheckInLog:
    """Log a check-in (once per message: a retried send returns the first row)."""
    row, _created = CheckInLog.objects.get_or_create(
        message_id=message_id,
        defaults={
            "course_id": membership.course_id,
            "membership": membership,
            "learner_id": membership.user_id,
            "sender_id": sender_id,
            "source": origin.source,
            "template_key": origin.template_key[:40],
            "template_title": origin.template_title[:120],
            "rule_id": origin.rule_id,
            "sent_at": sent_at,
        },
    )
    return row


def refresh_outcomes(*, now: datetime) -> int:
    """Decide every waiting check-in whose learner came back or whose 7 days are over. Returns rows changed.

    A few queries per batch of waiting rows (there are only the last 7 days' check-ins)."""
    changed = 0
    last_pk = 0
    while True:
        batch = list(
            CheckInLog.objects.filter(outcome=Outcome.WAITING, pk__gt=last_pk)
            .order_by("pk")
            .values_list("pk", "membership_id", "sent_at")[:BATCH]
        )
        if not batch:
            return changed
        last_pk = batch[-1][0]
        active = dict(
            LearnerStats.objects.filter(membership_id__in={m for _pk, m, _s in batch}).values_list(
                "membership_id", "last_active_at"
            )
        )
        came_back: dict[int, datetime] = {}
        not_back: list[int] = []
        for pk, membership_id, sent_at in batch:
            last = active.get(membership_id)
            decided = check_ins.outcome(sent_at=sent_at, last_active_at=last, now=now)
            if decided == Outcome.CAME_BACK and last is not None:
                came_back[pk] = last
            elif decided == Outcome.NOT_BACK:
                not_back.append(pk)
        rows = [CheckInLog(pk=pk, outcome=Outcome.CAME_BACK, came_back_at=at) for pk, at in came_back.items()]
        CheckInLog.objects.bulk_update(rows, ["outcome", "came_back_at"])
        CheckInLog.objects.filter(pk__in=not_back).update(outcome=Outcome.NOT_BACK)
        changed += len(rows) + len(not_back)

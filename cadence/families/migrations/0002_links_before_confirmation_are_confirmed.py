"""Observer links made before links needed confirming count as confirmed: each gets a confirmed request.

A data migration, kept apart from the schema migration. Reversing it removes only the rows it made.
"""

from django.db import migrations
from django.utils import timezone

MIGRATED = "confirmed"


def record_existing_links(apps, schema_editor):
    Membership = apps.get_model("courses", "Membership")
    FollowRequest = apps.get_model("families", "FollowRequest")
    Link = Membership.observed.through
    now = timezone.now()
    rows = [
        FollowRequest(
            observer_id=observer_id,
            learner_id=learner_id,
            status=MIGRATED,
            requested_at=joined_at or now,
            decided_at=now,
        )
        for observer_id, learner_id, joined_at in Link.objects.values_list(
            "from_membership_id", "to_membership_id", "from_membership__joined_at"
        ).order_by("pk")
    ]
    FollowRequest.objects.bulk_create(rows, batch_size=500)


def forget_migrated(apps, schema_editor):
    FollowRequest = apps.get_model("families", "FollowRequest")
    FollowRequest.objects.filter(status=MIGRATED, requested_by__isnull=True, decided_by__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("families", "0001_follow_requests_and_summaries"),
        ("courses", "0006_add_removal"),
    ]

    operations = [migrations.RunPython(record_existing_links, forget_migrated)]

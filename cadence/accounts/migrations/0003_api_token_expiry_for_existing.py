from datetime import timedelta

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.utils import timezone

GRACE = timedelta(days=90)  # the default lifetime of a new token, counted from the upgrade


def give_existing_tokens_an_expiry(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Tokens made before expiry existed last 90 days from the upgrade: scripts keep working meanwhile."""
    ApiToken = apps.get_model("accounts", "ApiToken")
    ApiToken.objects.filter(expires_at__isnull=True).update(expires_at=timezone.now() + GRACE)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_api_token_expiry_and_scope")]

    operations = [migrations.RunPython(give_existing_tokens_an_expiry, migrations.RunPython.noop)]

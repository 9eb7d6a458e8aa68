from django.db import migrations, models


class Migration(migrations.Migration):
    """Every token now has an expiry; new tokens are read-only unless their owner chooses otherwise."""

    dependencies = [("accounts", "0003_api_token_expiry_for_existing")]

    operations = [
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(verbose_name="expires"),
        ),
        migrations.AlterField(
            model_name="apitoken",
            name="access",
            field=models.CharField(
                choices=[("read", "Read only"), ("write", "Read and write")],
                default="read",
                max_length=8,
                verbose_name="access",
            ),
        ),
    ]

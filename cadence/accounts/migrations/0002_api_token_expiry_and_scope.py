import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """Tokens get an expiry, an access level and an optional course. Tokens made before this keep the full
    access they had (read and write); their expiry is filled in by the next migration."""

    dependencies = [
        ("accounts", "0001_initial_accounts"),
        ("courses", "0004_deadline_kinds_and_extensions"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(null=True, verbose_name="expires"),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="access",
            field=models.CharField(
                choices=[("read", "Read only"), ("write", "Read and write")],
                default="write",
                max_length=8,
                verbose_name="access",
            ),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="course",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="courses.course",
                verbose_name="course",
            ),
        ),
    ]

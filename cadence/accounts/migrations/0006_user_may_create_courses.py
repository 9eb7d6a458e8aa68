from typing import Any

from django.db import migrations, models
from django.db.models import Exists, OuterRef, Q


def mark_course_creators(apps: Any, schema_editor: Any) -> None:
    """Users who hold *Can add course* themselves or through a group."""
    user_model = apps.get_model("accounts", "User")
    own = user_model.user_permissions.through.objects.filter(
        user_id=OuterRef("pk"), permission__codename="add_course", permission__content_type__app_label="courses"
    )
    through_group = user_model.groups.through.objects.filter(
        user_id=OuterRef("pk"),
        group__permissions__codename="add_course",
        group__permissions__content_type__app_label="courses",
    )
    user_model.objects.filter(Q(Exists(own)) | Q(Exists(through_group))).update(may_create_courses=True)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_add_user_birth_date"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="may_create_courses",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.RunPython(mark_course_creators, migrations.RunPython.noop),
    ]

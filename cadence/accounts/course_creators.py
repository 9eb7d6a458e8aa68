"""Who may create courses, kept on the user row so no page asks the permission tables.

Site administrators grant the *Can add course* permission (`courses.add_course`) to a user or to a group
in the admin. Asking Django's `has_perm` costs two queries (the user's and their groups' permissions) on
every page that shows a "New course" link; instead `User.may_create_courses` holds the answer and is
recomputed whenever a user's permissions, their groups or a group's permissions change (and when a group
or permission is deleted). Rare administrative changes pay one or two UPDATEs; every page pays nothing.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db.models import Exists, OuterRef, Q
from django.db.models.signals import m2m_changed, post_delete

from cadence.accounts.models import User

APP_LABEL, CODENAME = "courses", "add_course"


def _granted() -> Q:
    """Users holding the permission themselves or through one of their groups."""
    own = User.user_permissions.through.objects.filter(
        user_id=OuterRef("pk"), permission__codename=CODENAME, permission__content_type__app_label=APP_LABEL
    )
    through_group = User.groups.through.objects.filter(
        user_id=OuterRef("pk"),
        group__permissions__codename=CODENAME,
        group__permissions__content_type__app_label=APP_LABEL,
    )
    return Q(Exists(own)) | Q(Exists(through_group))


def refresh(*, user: User | None = None) -> None:
    """Bring `may_create_courses` in line with the permissions: for everyone whose answer changed (two
    UPDATEs), and on the given user object too, so the caller's copy agrees at once."""
    User.objects.filter(_granted(), may_create_courses=False).update(may_create_courses=True)
    User.objects.filter(~_granted(), may_create_courses=True).update(may_create_courses=False)
    if user is not None and user.pk is not None:
        user.may_create_courses = User.objects.filter(pk=user.pk, may_create_courses=True).exists()


def _on_m2m(sender: Any, instance: Any, action: str, **kwargs: Any) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        refresh(user=instance if isinstance(instance, User) else None)


def _on_delete(sender: Any, **kwargs: Any) -> None:
    refresh()


def connect() -> None:
    for relation in (User.user_permissions.through, User.groups.through, Group.permissions.through):
        m2m_changed.connect(_on_m2m, sender=relation, dispatch_uid=f"course-creators-{relation.__name__}")
    for model in (Group, Permission):
        post_delete.connect(_on_delete, sender=model, dispatch_uid=f"course-creators-delete-{model.__name__}")

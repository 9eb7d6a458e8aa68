from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from cadence.accounts.models import User
from cadence.core.errors import DomainError
from cadence.courses import purge
from cadence.courses.models import Course, Group, Invitation, Item, Membership, Module


class ArchiveAdmin(admin.ModelAdmin[Any]):
    """Courses, modules and items are never deleted here: a deletion archives them (in the app), and only
    what has been in the archive longer than ARCHIVE_RETENTION_DAYS is purged, by this action."""

    actions = ["purge_selected"]  # no "delete selected"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return self.model.all_objects.all()  # type: ignore[no-any-return]  # the archive is listed too; all_objects is untyped here

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Purge for good (archived longer than the retention period)"))
    def purge_selected(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        user = request.user
        assert isinstance(user, User)
        now = timezone.now()
        targets = list(queryset)
        try:
            for target in targets:  # every one is checked first: refuse all, change nothing
                purge.check_purgeable(actor=user, target=target, now=now)
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        for target in targets:
            result = purge.purge(actor=user, target=target, now=now)
            self.message_user(
                request,
                _("Purged %(target)s: %(rows)s rows, %(files)s files.")
                % {"target": result.target, "rows": sum(result.counts.values()), "files": result.files},
                messages.SUCCESS,
            )


class ModuleInline(admin.TabularInline[Module, Course]):
    model = Module
    extra = 0
    can_delete = False
    fields = ["title", "position", "is_published"]


@admin.register(Course)
class CourseAdmin(ArchiveAdmin):
    list_display = ["title", "slug", "visibility", "enrolment", "pacing", "created_at", "removed_at"]
    list_filter = ["visibility", "enrolment", "pacing", ("removed_at", admin.EmptyFieldListFilter)]
    search_fields = ["title", "slug"]
    inlines = [ModuleInline]


@admin.register(Item)
class ItemAdmin(ArchiveAdmin):
    list_display = ["title", "kind", "course", "module", "position", "is_published", "removed_at"]
    list_filter = ["kind", ("removed_at", admin.EmptyFieldListFilter)]
    search_fields = ["title"]
    list_select_related = ["course", "module"]


@admin.register(Module)
class ModuleAdmin(ArchiveAdmin):
    list_display = ["title", "course", "position", "is_published", "removed_at"]
    list_filter = [("removed_at", admin.EmptyFieldListFilter)]
    search_fields = ["title"]
    list_select_related = ["course"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin[Membership]):
    list_display = ["user", "course", "role", "joined_at"]
    list_filter = ["role"]
    search_fields = ["user__email", "course__title"]
    list_select_related = ["user", "course"]
    raw_id_fields = ["user", "course"]
    filter_horizontal = ["groups"]


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin[Group]):
    list_display = ["name", "course"]
    search_fields = ["name"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin[Invitation]):
    list_display = ["email", "course", "role", "created_at", "expires_at", "accepted_at", "declined_at"]
    readonly_fields = ["digest"]

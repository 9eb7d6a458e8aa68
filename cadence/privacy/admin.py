from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cadence.accounts.models import User
from cadence.core.errors import DomainError
from cadence.privacy import services
from cadence.privacy.models import DataExport, DeletionRequest, PrivacySettings


@admin.register(PrivacySettings)
class PrivacySettingsAdmin(admin.ModelAdmin[PrivacySettings]):
    list_display = ["__str__", "forum_posts_on_deletion"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not PrivacySettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: PrivacySettings | None = None) -> bool:
        return False


@admin.register(DataExport)
class DataExportAdmin(admin.ModelAdmin[DataExport]):
    """Read-only: administrators see that copies exist, never their contents (no file link)."""

    list_display = ["pk", "subject", "requested_by", "status", "requested_at", "expires_at", "size"]
    list_filter = ["status"]
    fields = ("subject", "requested_by", "status", "requested_at", "ready_at", "expires_at", "size", "sha256")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: DataExport | None = None) -> bool:
        return False


@admin.register(DeletionRequest)
class DeletionRequestAdmin(admin.ModelAdmin[DeletionRequest]):
    list_display = ["pk", "user", "status", "requested_at", "decided_by", "decided_at"]
    list_filter = ["status"]
    readonly_fields = [
        "user", "reason", "status", "requested_at", "decided_by", "decided_at", "note", "summary", "purged_at",
    ]  # fmt: skip
    actions = ["confirm_selected"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Confirm and erase the selected accounts"))
    def confirm_selected(self, request: HttpRequest, queryset: QuerySet[DeletionRequest]) -> None:
        assert isinstance(request.user, User)
        erased = 0
        for deletion in queryset.select_related("user"):
            try:
                services.confirm_deletion(actor=request.user, deletion=deletion, now=timezone.now())
            except DomainError as exc:
                self.message_user(request, f"{deletion}: {exc.message}", messages.ERROR)
            else:
                erased += 1
        if erased:
            self.message_user(request, _("%(n)d account(s) erased.") % {"n": erased}, messages.SUCCESS)

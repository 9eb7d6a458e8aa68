from django.contrib import admin

from cadence.core.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin[AuditEntry]):
    list_display = ["created_at", "actor", "verb", "object_type", "object_id", "course_id"]
    list_filter = ["verb"]
    search_fields = ["verb", "object_id"]

    def has_change_permission(self, request: object, obj: object = None) -> bool:  # type: ignore[override]  # append-only
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:  # type: ignore[override]  # append-only
        return False

    def has_add_permission(self, request: object) -> bool:  # type: ignore[override]  # append-only
        return False

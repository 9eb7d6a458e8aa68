from django.contrib import admin
from django.http import HttpRequest

from cadence.core.models import AuditEntry


@admin.register(AuditEntry)
# Audit entries are append-only: nobody edits or deletes them, not even administrators.
class AuditEntryAdmin(admin.ModelAdmin[AuditEntry]):
    list_display = ["created_at", "actor", "verb", "object_type", "object_id", "course_id"]
    list_filter = ["verb"]
    search_fields = ["verb", "object_id"]

    def has_change_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

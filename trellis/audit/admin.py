from django.contrib import admin

from trellis.audit.models import AuditEvent
from trellis.core.admin import TenantAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(TenantAdmin):
    """Read-only: the application never edits or deletes audit events."""

    list_display = ["at", "actor_label", "action", "object_type", "object_label"]
    list_filter = ["action"]
    search_fields = ["actor_label", "object_label"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

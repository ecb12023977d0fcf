from django.contrib import admin

from gongjiang.core.admin_readonly import ReadOnlyAdmin

from . import labels
from .models import AuditEntry, ChainCheck


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["id", "created_at", "actor_name", "organisation_name", "action_text", "object_text"]
    search_fields = ["actor_name", "object_repr", "object_id", "reason"]

    @admin.display(description="操作", ordering="action")
    def action_text(self, entry):
        return labels.action_label(entry.action)

    @admin.display(description="对象")
    def object_text(self, entry):
        return labels.object_label(entry)


@admin.register(ChainCheck)
class ChainCheckAdmin(ReadOnlyAdmin):
    list_display = ["checked_at", "ok", "checked", "broken_at", "problem", "triggered_by"]

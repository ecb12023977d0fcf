from django.contrib import admin

from gongjiang.core.admin_readonly import ReadOnlyAdmin

from .models import AuditEntry, ChainCheck


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["id", "created_at", "actor_name", "organisation_name", "action", "object_repr"]
    list_filter = ["action"]
    search_fields = ["actor_name", "object_repr", "object_id", "reason"]


@admin.register(ChainCheck)
class ChainCheckAdmin(ReadOnlyAdmin):
    list_display = ["checked_at", "ok", "checked", "broken_at", "problem", "triggered_by"]

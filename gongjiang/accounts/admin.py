from django.contrib import admin

from gongjiang.core.admin_readonly import ReadOnlyAdmin

from .models import Organisation, User


@admin.register(Organisation)
class OrganisationAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "parent", "uscc", "region_code", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "uscc", "region_code"]


@admin.register(User)
class UserAdmin(ReadOnlyAdmin):
    list_display = ["username", "display_name", "role", "organisation", "is_active", "last_login"]
    list_filter = ["role", "is_active"]
    search_fields = ["username", "display_name"]
    exclude = ["password"]

"""URL map: each app owns a prefix. Public pages (calls, notices, certificate check) need no login."""
from importlib.util import find_spec

from django.contrib import admin
from django.urls import include, path

APP_PREFIXES = [
    ("registry", "registry/"),
    ("policy", "policies/"),
    ("rounds", "rounds/"),
    ("applications", "applications/"),
    ("review", "review/"),
    ("notices", "notices/"),
    ("honours", "honours/"),
    ("payments", "payments/"),
    ("workdays", "workdays/"),
    ("audit", "audit/"),
    ("accounts", "accounts/"),
    ("dashboards", "dashboards/"),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("gongjiang.api.urls")),
    path("", include("gongjiang.web.urls")),
    path("certificates/", include("gongjiang.honours.public_urls")),  # public certificate verification
]
for app, prefix in APP_PREFIXES:
    if find_spec(f"gongjiang.{app}.urls"):
        urlpatterns.append(path(prefix, include(f"gongjiang.{app}.urls")))

handler400 = "gongjiang.web.views.error_400"
handler403 = "gongjiang.web.views.error_403"
handler404 = "gongjiang.web.views.error_404"
handler500 = "gongjiang.web.views.error_500"

from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "gongjiang.web"
    label = "web"
    verbose_name = "网站"

    def ready(self):
        from django.contrib import admin

        admin.site.site_header = "工匠平台 系统管理"
        admin.site.site_title = "工匠平台"
        admin.site.index_title = "系统管理"
        # Only system administrators reach Django admin, whatever their staff flag says.
        admin.site.has_permission = lambda request: (
            request.user.is_active and request.user.is_authenticated and request.user.role == "sysadmin"
        )

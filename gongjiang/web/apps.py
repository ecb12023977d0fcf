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
        _hide_third_party_admin(admin.site)


def _hide_third_party_admin(site):
    """Django admin shows only the platform's own data, in Chinese. Login lockouts are lifted on the
    账号管理 page (accounts:user_unlock) and background tasks report their progress on the pages that
    start them, so the English admin sections of django-axes and django-tasks are left out."""
    from django.apps import apps

    for config in apps.get_app_configs():
        if config.label in ("axes", "django_tasks_database"):
            for model in config.get_models():
                if site.is_registered(model):
                    site.unregister(model)

from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "gongjiang.applications"
    label = "applications"
    verbose_name = "申报"

    def ready(self):
        from gongjiang.web import nav

        from . import inbox  # noqa: F401  (registers the inbox provider)

        nav.register("申报", "applications:list", "application.view", order=40)

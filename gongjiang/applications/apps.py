from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "gongjiang.applications"
    label = "applications"
    verbose_name = "申报"

    def ready(self):
        from gongjiang.web import nav

        from . import inbox  # noqa: F401  (registers the inbox provider)
        from .receivers import connect

        connect()  # the notices app's signals: candidate removed, notice approved

        nav.register("申报", "applications:list", "application.view", order=40)

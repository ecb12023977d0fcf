from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    name = "gongjiang.workdays"
    label = "workdays"
    verbose_name = "工作日历"

    def ready(self):
        from gongjiang.web import nav

        from . import inbox  # noqa: F401  registers the home-page provider

        nav.register("工作日历", "workdays:index", "workdays.manage", order=90)

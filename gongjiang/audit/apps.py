from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "gongjiang.audit"
    label = "audit"
    verbose_name = "审计日志"

    def ready(self):
        from gongjiang.web import nav

        from . import inbox, signals  # noqa: F401  (home-page provider; login/logout entries)

        nav.register("审计日志", "audit:entry_list", "audit.view", order=90)

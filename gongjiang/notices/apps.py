from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "gongjiang.notices"
    label = "notices"
    verbose_name = "公示"

    def ready(self):
        from django.core import checks

        from gongjiang.web import nav
        from gongjiang.workdays.signals import year_entered

        from . import inbox  # noqa: F401  registers the home-page providers
        from .checks import pdf_font_installed

        nav.register("公示管理", "notices:manage", "notice.manage", order=60)
        nav.register("异议处理", "notices:objections", "objection.handle", order=61)
        checks.register(pdf_font_installed)
        year_entered.connect(_fill_deadlines, dispatch_uid="notices_fill_deadlines")


def _fill_deadlines(sender, year, **kwargs):
    from .services import fill_missing_deadlines

    fill_missing_deadlines()

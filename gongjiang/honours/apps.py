from django.apps import AppConfig


class HonoursConfig(AppConfig):
    name = "gongjiang.honours"
    label = "honours"
    verbose_name = "称号管理"

    def ready(self):
        from gongjiang.notices.signals import notice_approved

        from gongjiang.web import nav

        from . import inbox  # noqa: F401  registers the home-page providers
        from .services import on_notice_approved

        nav.register("称号获得者", "honours:register", "honour.view", order=70)
        nav.register("期内职责", "honours:duties", "honour.view", order=71)

        # Connected after the applications app's receiver (INSTALLED_APPS order), which moves the
        # applications to "approved" first; both run inside record_approval's transaction.
        notice_approved.connect(on_notice_approved, dispatch_uid="honours_award_on_approval")

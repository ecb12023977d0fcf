from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "gongjiang.payments"
    label = "payments"
    verbose_name = "待遇发放"

    def ready(self):
        from gongjiang.web import nav

        from . import inbox, receivers  # noqa: F401  home-page provider; honours' signals

        nav.register("待遇发放", "payments:index", "payments.view", order=70)
        nav.register("培训鉴定补贴", "payments:subsidies", "payments.subsidy_decide", order=71)
        nav.register("我的待遇", "payments:mine", "payments.own", order=72)

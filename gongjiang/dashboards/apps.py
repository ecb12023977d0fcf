from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "gongjiang.dashboards"
    label = "dashboards"
    verbose_name = "统计图表"

    def ready(self):
        from gongjiang.web import nav

        nav.register("统计图表", "dashboards:index", "dashboard.view", order=85)
        nav.register("资金统计", "dashboards:payments", "payments.view", order=86)

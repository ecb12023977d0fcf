from django.apps import AppConfig


class RoundsConfig(AppConfig):
    name = "gongjiang.rounds"
    label = "rounds"
    verbose_name = "遴选批次"

    def ready(self):
        from gongjiang.web import nav

        nav.register("遴选批次", "rounds:list", "round.view", order=30)

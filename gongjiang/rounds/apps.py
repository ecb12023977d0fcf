from django.apps import AppConfig


class RoundsConfig(AppConfig):
    name = "gongjiang.rounds"
    label = "rounds"
    verbose_name = "遴选批次"

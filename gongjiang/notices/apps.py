from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "gongjiang.notices"
    label = "notices"
    verbose_name = "公示"

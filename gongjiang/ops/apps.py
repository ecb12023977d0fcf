from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "gongjiang.ops"
    label = "ops"
    verbose_name = "运维"

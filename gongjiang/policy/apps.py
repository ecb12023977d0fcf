from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "gongjiang.policy"
    label = "policy"
    verbose_name = "政策"

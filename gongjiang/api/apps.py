from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "gongjiang.api"
    label = "api"
    verbose_name = "接口"

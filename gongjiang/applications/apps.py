from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "gongjiang.applications"
    label = "applications"
    verbose_name = "申报"

from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "gongjiang.registry"
    label = "registry"
    verbose_name = "人才库"

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "gongjiang.core"
    label = "core"
    verbose_name = "公共"

    def ready(self):
        from . import caching

        caching.connect()

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "gongjiang.api"
    label = "api"
    verbose_name = "接口"

    def ready(self):
        from gongjiang.web import nav

        nav.register("接口令牌", "tokens:list", "api.token.manage", order=96)

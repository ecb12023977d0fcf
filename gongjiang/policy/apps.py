from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "gongjiang.policy"
    label = "policy"
    verbose_name = "政策"

    def ready(self):
        from gongjiang.web import nav

        nav.register("政策", "policy:list", "policy.view", order=20)

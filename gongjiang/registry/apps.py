from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "gongjiang.registry"
    label = "registry"
    verbose_name = "人才库"

    def ready(self):
        from gongjiang.web import nav

        from . import inbox  # noqa: F401  (registers the invitation provider)

        nav.register("人才库", "registry:person_list", "registry.view", order=20)
        nav.register("单位认定", "registry:employer_list", "registry.edit", order=21)
        nav.register("数据导入", "registry:import_index", "registry.import", order=21)
        nav.register("资格筛查", "registry:screening_index", "registry.screen", order=22)

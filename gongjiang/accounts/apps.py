from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "gongjiang.accounts"
    label = "accounts"
    verbose_name = "组织与账号"

    def ready(self):
        from gongjiang.web import nav

        from . import inbox  # noqa: F401  (registers the home-page provider)

        nav.register("组织机构", "accounts:org_list", "org.view", order=80)
        nav.register("用户管理", "accounts:user_list", "user.manage", order=85)
        nav.register("后台管理", "admin:index", "system.admin", order=99)

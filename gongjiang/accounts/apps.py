from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "gongjiang.accounts"
    label = "accounts"
    verbose_name = "组织与账号"

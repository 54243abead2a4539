from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "dangjian.accounts"
    label = "accounts"
    verbose_name = "账号与权限"

    def ready(self):
        from dangjian.accounts import signals

        signals.connect()

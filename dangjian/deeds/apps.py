from django.apps import AppConfig


class DeedsConfig(AppConfig):
    name = "dangjian.deeds"
    label = "deeds"
    verbose_name = "我为群众办实事"

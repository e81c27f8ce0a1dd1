from django.apps import AppConfig


class PlatformConfig(AppConfig):
    name = "dangjian.platform"
    label = "platform"
    verbose_name = "平台"

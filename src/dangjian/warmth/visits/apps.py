from django.apps import AppConfig


class WarmthVisitsConfig(AppConfig):
    name = "dangjian.warmth.visits"
    label = "warmth_visits"
    verbose_name = "日常服务：走访与服务记录"

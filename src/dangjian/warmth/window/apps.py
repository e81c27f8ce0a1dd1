from django.apps import AppConfig


class WarmthWindowConfig(AppConfig):
    name = "dangjian.warmth.window"
    label = "warmth_window"
    verbose_name = "窗口服务：办证窗口与许可证申请"

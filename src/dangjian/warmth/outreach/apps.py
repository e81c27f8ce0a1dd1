from django.apps import AppConfig


class WarmthOutreachConfig(AppConfig):
    name = "dangjian.warmth.outreach"
    label = "warmth_outreach"
    verbose_name = "增值服务：片区群、祝福、上门与预约"

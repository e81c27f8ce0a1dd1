from django.apps import AppConfig


class AppraisalConfig(AppConfig):
    name = "dangjian.appraisal"
    label = "appraisal"
    verbose_name = "三评：评议活动与评分"

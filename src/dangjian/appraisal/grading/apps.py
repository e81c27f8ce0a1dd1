from django.apps import AppConfig


class AppraisalGradingConfig(AppConfig):
    name = "dangjian.appraisal.grading"
    label = "appraisal_grading"
    verbose_name = "三评结果与民主评议"

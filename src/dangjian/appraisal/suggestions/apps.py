from django.apps import AppConfig


class AppraisalSuggestionsConfig(AppConfig):
    name = "dangjian.appraisal.suggestions"
    label = "appraisal_suggestions"
    verbose_name = "意见箱"

from django.apps import AppConfig


class ExemplarContestsConfig(AppConfig):
    name = "dangjian.exemplar.contests"
    label = "exemplar_contests"
    verbose_name = "比业绩：岗位练兵与岗位竞赛"

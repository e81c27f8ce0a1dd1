from django.apps import AppConfig


class ExemplarStudyConfig(AppConfig):
    name = "dangjian.exemplar.study"
    label = "exemplar_study"
    verbose_name = "比学习：学习与心得体会"

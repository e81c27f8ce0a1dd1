from django.apps import AppConfig


class ExemplarConductConfig(AppConfig):
    name = "dangjian.exemplar.conduct"
    label = "exemplar_conduct"
    verbose_name = "比作风：做合格党员自查整改"

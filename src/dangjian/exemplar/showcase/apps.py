from django.apps import AppConfig


class ExemplarShowcaseConfig(AppConfig):
    name = "dangjian.exemplar.showcase"
    label = "exemplar_showcase"
    verbose_name = "三亮：党员亮身份亮承诺"

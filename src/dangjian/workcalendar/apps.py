from django.apps import AppConfig


class WorkcalendarConfig(AppConfig):
    name = "dangjian.workcalendar"
    label = "workcalendar"
    verbose_name = "工作日历"

from django.apps import AppConfig


class WarmthTicketsConfig(AppConfig):
    name = "dangjian.warmth.tickets"
    label = "warmth_tickets"
    verbose_name = "首问负责制：咨询与投诉"

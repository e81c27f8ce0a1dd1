"""``dangjian tickets_sla_check``: the SLA reminders and escalations, for cron setups
without the Huey worker (the worker runs the same check every 15 minutes)."""

from django.core.management.base import BaseCommand

from dangjian.warmth.tickets.services import tickets_sla_check


class Command(BaseCommand):
    help = "首问负责制：发送到期提醒和超时升级（每条只发一次）"

    def handle(self, *args, **options):
        counts = tickets_sla_check()
        self.stdout.write(f"提醒 {counts['reminded']} 条，升级 {counts['escalated']} 条")

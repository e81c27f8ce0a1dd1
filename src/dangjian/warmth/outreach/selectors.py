"""Reads of 增值服务, each starting from ``restrict(actor, action)``."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Count, Q
from django.utils import timezone

from dangjian.customers.models import RetailCustomer
from dangjian.people.models import Person
from dangjian.platform import lunar
from dangjian.workcalendar.selectors import unit_calendar

from . import rules
from .models import (
    AreaGroup,
    AreaGroupMember,
    Broadcast,
    BroadcastDelivery,
    DutyRoster,
    DutySlot,
    Greeting,
    GreetingOccasion,
    GreetingOptOut,
    HomeService,
    OffDayBooking,
)
from .services import BOOKING_HORIZON_DAYS, occasions_on


def _customer_search(prefix: str, text: str) -> Q:
    """Shop name, owner name, licence number prefix, owner pinyin initials."""
    q = Q(**{f"{prefix}shop_name__startswith": text}) | Q(
        **{f"{prefix}owner_name__startswith": text}
    )
    if text.isdigit():
        q |= Q(**{f"{prefix}licence_no__startswith": text})
    elif text.isascii():
        q |= Q(**{f"{prefix}owner_initials__startswith": text.lower()})
        q |= Q(**{f"{prefix}owner_pinyin__startswith": text.lower()})
    return q


# -- groups and broadcasts ------------------------------------------------------------------


def group_list(actor, *, query: str = "", unit=None, **_filters):
    groups = AreaGroup.objects.restrict(actor, "view").select_related("unit")
    if query:
        groups = groups.filter(name__contains=query)
    if unit is not None:
        groups = groups.filter(unit__path__startswith=unit.path)
    return groups


def member_counts(group_ids) -> dict[int, int]:
    rows = (
        AreaGroupMember.objects.filter(group_id__in=list(group_ids))
        .values("group_id")
        .annotate(n=Count("pk"))
    )
    return {r["group_id"]: r["n"] for r in rows}


def group_members(actor, group: AreaGroup, *, query: str = ""):
    members = AreaGroupMember.objects.restrict(actor, "view").filter(group=group)
    if query:
        members = members.filter(_customer_search("customer__", query))
    return members.select_related("customer__unit", "customer__account_manager")


def broadcast_list(actor, *, query: str = "", group=None, kind=None, **_filters):
    broadcasts = Broadcast.objects.restrict(actor, "view").select_related(
        "group", "kind", "created_by"
    )
    if query:
        broadcasts = broadcasts.filter(title__contains=query)
    if group is not None:
        broadcasts = broadcasts.filter(group=group)
    if kind is not None:
        broadcasts = broadcasts.filter(kind=kind)
    return broadcasts


def delivery_summary(broadcast: Broadcast) -> dict:
    """Counts by channel and status: {"total": n, "by": {(channel, status): n}, …}."""
    rows = (
        BroadcastDelivery.objects.filter(broadcast=broadcast)
        .values("channel", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_status: dict[str, int] = defaultdict(int)
    by_channel: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in rows:
        by_status[r["status"]] += r["n"]
        by_channel[r["channel"]][r["status"]] += r["n"]
    for counts in [by_status, *by_channel.values()]:
        counts["waiting"] = counts.get("pending", 0) + counts.get("deferred", 0)
        for key in ("sent", "failed"):
            counts.setdefault(key, 0)
    return {
        "total": sum(by_status[k] for k in ("sent", "failed", "waiting")),
        "by_status": dict(by_status),
        "by_channel": {k: dict(v) for k, v in by_channel.items()},
    }


def summaries(broadcast_ids) -> dict[int, dict[str, int]]:
    rows = (
        BroadcastDelivery.objects.filter(broadcast_id__in=list(broadcast_ids))
        .values("broadcast_id", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    result: dict[int, dict[str, int]] = defaultdict(lambda: {"sent": 0, "failed": 0, "waiting": 0})
    for r in rows:
        key = "waiting" if r["status"] in ("pending", "deferred") else r["status"]
        result[r["broadcast_id"]][key] += r["n"]
    return dict(result)


def delivery_log(actor, broadcast: Broadcast, *, status: str = "", channel: str = "", query=""):
    """The deliveries of one broadcast. A delivery's scope is its broadcast's, so the actor
    must be able to see the broadcast (checked here in one indexed lookup); the rows are then
    read by broadcast alone — not joined to the unit tree again for 50 000 rows."""
    if not Broadcast.objects.restrict(actor, "view").filter(pk=broadcast.pk).exists():
        return BroadcastDelivery.objects.none()
    rows = BroadcastDelivery.objects.filter(broadcast=broadcast)
    if status:
        rows = rows.filter(status=status)
    if channel:
        rows = rows.filter(channel=channel)
    if query:
        rows = rows.filter(_customer_search("customer__", query))
    return rows.select_related("customer", "person")


# -- greetings --------------------------------------------------------------------------------


def greeting_calendar(actor, *, start: dt.date, days: int = 30) -> list[dict]:
    """What goes out each day of the next ``days``: festivals by name, birthdays counted.

    Birthdays are counted with one GROUP BY (is lunar, month, day) over the customers the
    actor sees that would be greeted, then laid on the days by the rules of ``rules``."""
    customers = (
        RetailCustomer.objects.restrict(actor, "view")
        .filter(is_active=True, phone_hash__isnull=False, birthday__isnull=False)
        .exclude(pk__in=GreetingOptOut.objects.values("customer_id"))
    )
    counts: dict[tuple[bool, int, int], int] = defaultdict(int)
    for row in (
        customers.values_list("birthday_is_lunar", "birthday__month", "birthday__day")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts[(bool(row[0]), row[1], row[2])] += row[3]
    everyone = (
        RetailCustomer.objects.restrict(actor, "view")
        .filter(is_active=True, phone_hash__isnull=False)
        .exclude(pk__in=GreetingOptOut.objects.values("customer_id"))
    )
    result = []
    everyone_count = None
    birthday_on = GreetingOccasion.objects.filter(key="birthday", is_active=True).exists()
    for offset in range(days):
        day = start + dt.timedelta(days=offset)
        festivals = [o for o, match, _year in occasions_on(day) if o.kind != "birthday"]
        if festivals and everyone_count is None:
            everyone_count = everyone.count()
        births = rules.birthdays_on(day)
        solar = sum(counts.get((False, m, d), 0) for m, d in births.solar) if birthday_on else 0
        lunar_n = sum(counts.get((True, m, d), 0) for m, d in births.lunar) if birthday_on else 0
        result.append(
            {
                "date": day,
                "lunar": lunar.solar_to_lunar(day).label,
                "festivals": festivals,
                "festival_customers": everyone_count if festivals else 0,
                "solar_birthdays": solar,
                "lunar_birthdays": lunar_n,
            }
        )
    return result


def greeting_log(actor, *, query: str = "", occasion=None, status: str = "", **_filters):
    rows = Greeting.objects.restrict(actor, "view").select_related("customer", "occasion")
    if query:
        rows = rows.filter(_customer_search("customer__", query))
    if occasion is not None:
        rows = rows.filter(occasion=occasion)
    if status:
        rows = rows.filter(status=status)
    return rows


def opt_outs(actor, *, query: str = "", **_filters):
    rows = GreetingOptOut.objects.restrict(actor, "view").select_related("customer", "created_by")
    if query:
        rows = rows.filter(_customer_search("customer__", query))
    return rows


# -- 上门服务 ----------------------------------------------------------------------------------


def home_service_list(actor, *, query: str = "", status: str = "", kind: str = "", **_filters):
    rows = HomeService.objects.restrict(actor, "view").select_related("customer", "unit")
    if query:
        rows = rows.filter(_customer_search("customer__", query))
    if status:
        rows = rows.filter(status=status)
    if kind:
        rows = rows.filter(kind=kind)
    return rows


def home_services_in_month(actor, year: int, month: int):
    start = timezone.make_aware(dt.datetime(year, month, 1))
    end = timezone.make_aware(dt.datetime(year + (month == 12), month % 12 + 1, 1))
    return (
        HomeService.objects.restrict(actor, "view")
        .filter(scheduled_at__gte=start, scheduled_at__lt=end)
        .exclude(status=HomeService.Status.CANCELLED)
        .select_related("customer")
        .prefetch_related("staff")
        .order_by("scheduled_at", "pk")
    )


def my_person(actor) -> Person | None:
    if not getattr(actor, "is_authenticated", False):
        return None
    return Person.objects.filter(user=actor).first()


def my_home_services(actor):
    """The visits the actor is sent on (whatever his grants)."""
    person = my_person(actor)
    if person is None:
        return HomeService.objects.none()
    return (
        HomeService.objects.filter(staff=person)
        .select_related("customer")
        .prefetch_related("staff")
        .order_by("-scheduled_at", "-pk")
    )


# -- 非工作日预约 -------------------------------------------------------------------------------


def roster_list(actor, *, window=None, upcoming: bool = True, **_filters):
    rosters = DutyRoster.objects.restrict(actor, "view").select_related("window")
    if window is not None:
        rosters = rosters.filter(window=window)
    if upcoming:
        rosters = rosters.filter(date__gte=timezone.localdate())
    return rosters


def roster_slots(roster: DutyRoster) -> list[DutySlot]:
    return list(
        roster.slots.annotate(
            booked=Count("bookings", filter=Q(bookings__status=OffDayBooking.Status.BOOKED))
        ).order_by("starts_at")
    )


def my_duty_bookings(actor, *, days_back: int = 7):
    """Bookings on the days the actor is on duty (from a week ago on)."""
    person = my_person(actor)
    if person is None:
        return OffDayBooking.objects.none()
    since = timezone.localdate() - dt.timedelta(days=days_back)
    return (
        OffDayBooking.objects.filter(slot__roster__staff=person, slot__roster__date__gte=since)
        .select_related("slot__roster__window")
        .order_by("slot__roster__date", "slot__starts_at", "pk")
    )


def bookable_days(window, *, today: dt.date | None = None) -> list[dict]:
    """The public page's offer: days within the horizon that are non-working on the official
    calendar (with the window's local days) AND covered by the roster, each with its slots
    and places left. Two queries: the rosters with slots, the booked counts."""
    now = timezone.now()
    today = today or timezone.localdate()
    end = today + dt.timedelta(days=BOOKING_HORIZON_DAYS)
    slots = list(
        DutySlot.objects.filter(
            roster__window=window, roster__date__gte=today, roster__date__lte=end
        )
        .select_related("roster")
        .annotate(booked=Count("bookings", filter=Q(bookings__status=OffDayBooking.Status.BOOKED)))
        .order_by("roster__date", "starts_at")
    )
    if not slots:
        return []
    calendar = unit_calendar(window.unit, start=today, end=end)
    days: dict[dt.date, dict] = {}
    for slot in slots:
        day = slot.roster.date
        if day not in days:
            problem = rules.booking_day_problem(
                day,
                today=today,
                horizon_days=BOOKING_HORIZON_DAYS,
                extra_holidays=calendar.extra_holidays,
                extra_workdays=calendar.extra_workdays,
            )
            info = calendar.day_info(day)
            days[day] = {
                "date": day,
                "info": info,
                "problem": problem,
                "slots": [],
            }
        start = timezone.make_aware(dt.datetime.combine(day, slot.starts_at))
        slot.left = max(0, slot.capacity - slot.booked)
        slot.started = start <= now
        days[day]["slots"].append(slot)
    return [d for d in days.values() if not d["problem"]]

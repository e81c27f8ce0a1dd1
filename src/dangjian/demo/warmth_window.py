"""Demo 窗口服务: a licence window per county bureau (staff, a 党员服务标杆), local extra
materials, a year of licence applications in every state (some with a 一次性告知书, one
accepted by operation of law, a few overdue, today's receipts at 章贡) and the window clerk
account ``clerk`` (窗口人员 at 章贡区局).

Rows are built directly with the deadlines the services would compute (one calendar per
bureau), so the year loads in a few seconds; the showcase applications at the demo clerk's
window go through the services.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from dangjian.accounts.models import User
from dangjian.accounts.roles import Role
from dangjian.customers.models import RetailCustomer
from dangjian.orgs.models import Unit
from dangjian.people.models import Person
from dangjian.platform import idcard
from dangjian.rulebook.registry import national
from dangjian.warmth.window import rules, services
from dangjian.warmth.window.models import (
    ApplicationMaterial,
    FieldInspection,
    LicenceApplication,
    LicenceWindow,
    LocalMaterial,
    OneTimeNotice,
)
from dangjian.workcalendar.selectors import unit_calendar

from . import names
from .loader import COMPANY_CODE, DEFAULT_PASSWORD, _account

Status = LicenceApplication.Status
KINDS = [("new", 30), ("renewal", 45), ("change", 15), ("suspension", 5), ("cancellation", 5)]
STREETS = ["人民路", "解放路", "文清路", "红旗大道", "长征大道", "赣江源大道"]
FINDINGS = [
    "经营场所与申请一致，住店分离，周边无中小学校。",
    "门店面积、柜台与申请材料一致，符合合理布局要求。",
    "经营场所已实际使用，店招清晰，符合条件。",
    "与申请地址一致，经营者本人在店，符合条件。",
]


def _window_for(bureau: Unit, short: str, rng: random.Random) -> LicenceWindow:
    staff = list(Person.objects.filter(unit=bureau).select_related("unit").order_by("pk"))
    clerks = [p for p in staff if p.post == "窗口人员"] or staff[:2]
    others = [p for p in staff if p.post == "专卖稽查员"] or staff[2:4]
    team = list(dict.fromkeys(clerks[:3] + others[:2]))
    members = [p for p in team if hasattr(p, "membership")] or [
        p for p in staff if hasattr(p, "membership")
    ][:1]
    benchmark = members[0] if members else None
    if benchmark is not None and benchmark not in team:
        team.append(benchmark)
    window = LicenceWindow.objects.create(
        unit=bureau,
        name=f"{short}烟草专卖局办证窗口",
        address=f"{short}{rng.choice(STREETS)}{rng.randint(1, 300)}号政务服务中心二楼",
        phone=f"0797-{rng.randint(2000000, 8999999)}",
        opening_hours="工作日 8:30-12:00，14:00-17:30",
        benchmark=benchmark,
    )
    window.staff.set(team)
    return window


def _plan(rng: random.Random, received: dt.date, calendar, today: dt.date) -> dict:
    """Dates of one application's steps, as far as ``today`` reaches."""
    n = national
    fields: dict = {}
    due = rules.notice_deadline(
        received, n("licence.notice_workdays"), calendar.extra_holidays, calendar.extra_workdays
    )
    fields["notice_due_on"], fields["notice_due_provisional"] = due.value, due.provisional
    notice = rng.random() < 0.15
    fields["_notice"] = notice
    accept_after = rng.randint(2, 6) if notice else rng.choice((0, 0, 0, 1))
    accepted = calendar.add_working_days(received, accept_after).value
    if accepted > today:
        fields["status"] = Status.RECEIVED
        fields["next_due_on"] = None if notice else fields["notice_due_on"]
        return fields
    fields["accepted_on"] = accepted
    decision = rules.decision_deadline(
        accepted,
        n("licence.decision_workdays"),
        0,
        calendar.extra_holidays,
        calendar.extra_workdays,
    )
    fields["decision_due_on"], fields["decision_due_provisional"] = (
        decision.value,
        decision.provisional,
    )
    late = rng.random() < 0.04
    inspected = calendar.add_working_days(accepted, rng.randint(2, 8)).value
    reviewed = calendar.add_working_days(inspected, rng.randint(1, 3)).value
    decided = calendar.add_working_days(reviewed, rng.randint(1, 4) + (12 if late else 0)).value
    fields["status"] = Status.ACCEPTED
    fields["next_due_on"] = decision.value
    if inspected > today:
        return fields
    fields["_inspected_on"] = inspected
    fields["status"] = Status.INSPECTED
    if reviewed > today:
        return fields
    fields.update(
        status=Status.REVIEWED,
        reviewed_on=reviewed,
        review_opinion="材料齐全，实地核查符合条件，同意",
    )
    if decided > today:
        return fields
    refuse = rng.random() < 0.06
    delivery = rules.delivery_deadline(
        decided, n("licence.delivery_workdays"), calendar.extra_holidays, calendar.extra_workdays
    )
    fields.update(
        status=Status.DECIDED,
        decision="refuse" if refuse else "grant",
        decided_on=decided,
        decision_reason="经营场所距离中小学校过近，不符合合理布局规定" if refuse else "",
        delivery_due_on=delivery.value,
        delivery_due_provisional=delivery.provisional,
        next_due_on=delivery.value,
    )
    delivered = calendar.add_working_days(decided, rng.randint(1, 5)).value
    if delivered > today:
        return fields
    fields.update(
        status=Status.DELIVERED,
        delivered_on=delivered,
        delivery_method=rng.choice(["窗口领取", "窗口领取", "上门送达", "邮寄送达"]),
        next_due_on=None,
    )
    return fields


def seed(rng: random.Random) -> None:
    today = timezone.localdate()
    office = User.objects.get(username="office")
    bureaus = list(
        Unit.objects.filter(code__startswith=COMPANY_CODE, kind=Unit.Kind.BUREAU).order_by("code")
    )
    windows = {}
    for bureau in bureaus:
        windows[bureau.pk] = _window_for(bureau, bureau.name[:2], rng)
    first = bureaus[0]
    # Local extras: every bureau asks for shop photos; 章贡 also the 住店分离 statement and
    # priority proofs.
    extras = [
        LocalMaterial(unit=b, name="门店内外照片各1张", reason="核对门头、柜台与经营场所实际情况")
        for b in bureaus
    ]
    extras += [
        LocalMaterial(
            unit=first,
            name="住店分离承诺书",
            reason="经营场所与住所应当分离，确保经营安全",
            kind="new",
        ),
        LocalMaterial(
            unit=first,
            name="残疾人证",
            reason="申请残疾人优先照顾的须提供",
            priority_category="disabled",
        ),
        LocalMaterial(
            unit=first,
            name="最低生活保障证",
            reason="申请低保户优先照顾的须提供",
            priority_category="dibao",
        ),
        LocalMaterial(
            unit=first,
            name="军烈属证明",
            reason="申请军烈属优先照顾的须提供",
            priority_category="military",
        ),
    ]
    LocalMaterial.objects.bulk_create(extras)

    # The demo window clerk: a window staff member of 章贡.
    clerk_window = windows[first.pk]
    clerk_person = (
        clerk_window.staff.filter(post="窗口人员", user__isnull=True).order_by("pk").first()
        or clerk_window.staff.filter(user__isnull=True).order_by("pk").first()
    )
    clerk = _account(
        "clerk",
        clerk_person.name if clerk_person else "窗口人员",
        DEFAULT_PASSWORD,
        [(Role.WINDOW_CLERK, first)],
        clerk_person,
    )

    # A year of applications per bureau.
    used_ids: set[str] = set()
    apps: list[LicenceApplication] = []
    notices_for: list[int] = []
    inspected_on: dict[int, dt.date] = {}
    seq_by_year: dict[int, int] = {}
    for bureau in bureaus:
        window = windows[bureau.pk]
        calendar = unit_calendar(bureau)
        customers = list(
            RetailCustomer.objects.filter(
                unit__path__startswith=bureau.path, is_active=True
            ).order_by("pk")[:600]
        )
        staff_users = [clerk] if bureau.pk == first.pk else [office]
        for _i in range(rng.randint(70, 110)):
            received = today - dt.timedelta(days=int(rng.triangular(1, 365, 1)))
            while not calendar.is_working_day(received).value:
                received -= dt.timedelta(days=1)
            kind = names.weighted(rng, KINDS)
            customer = rng.choice(customers) if kind != "new" and customers else None
            if customer is None:
                kind = "new"
            gender = "M" if rng.random() < 0.55 else "F"
            name = customer.owner_name if customer else names.person_name(rng, gender)
            birth = dt.date(rng.randint(1960, 2000), rng.randint(1, 12), rng.randint(1, 28))
            while True:
                number = idcard.make("360702", birth, rng.randrange(1000))
                if number not in used_ids:
                    used_ids.add(number)
                    break
            plan = _plan(rng, received, calendar, today)
            notice = plan.pop("_notice")
            inspected = plan.pop("_inspected_on", None)
            seq_by_year[received.year] = seq_by_year.get(received.year, 0) + 1
            street = rng.choice(STREETS)
            app = LicenceApplication(
                number=f"XK{received.year}{seq_by_year[received.year]:07d}",
                window=window,
                unit=bureau,
                kind=kind,
                applicant_name=name,
                applicant_id_number=number,
                applicant_phone=names.phone(rng),
                has_business_licence=rng.random() < 0.7,
                customer=customer,
                licence_no=customer.licence_no if customer else "",
                shop_name=customer.shop_name
                if customer
                else names.shop_name(rng, "Z", name, street),
                shop_address=customer.address
                if customer
                else f"{bureau.name[:2]}{street}{rng.randint(1, 500)}号",
                received_on=received,
                received_by=rng.choice(staff_users),
                reviewed_by=office if plan.get("reviewed_on") else None,
                **plan,
            )
            if plan.get("decision") == "grant" and kind in ("new", "renewal", "change"):
                start = plan["decided_on"]
                if (
                    kind == "renewal"
                    and customer
                    and customer.licence_expires_on
                    and customer.licence_expires_on >= start
                ):
                    start = customer.licence_expires_on + dt.timedelta(days=1)
                app.licence_valid_until = rules.licence_valid_until(start, 5)
            app.derive_fields()
            apps.append(app)
            if notice:
                notices_for.append(len(apps) - 1)
            if inspected:
                inspected_on[len(apps) - 1] = inspected
    # Open customers must not hold two open applications: keep the first.
    seen: set[int] = set()
    for app in apps:
        if app.customer_id and app.status in LicenceApplication.OPEN_STATUSES:
            if app.customer_id in seen:
                app.status, app.next_due_on = Status.DELIVERED, None
                app.decision, app.decided_on = "grant", app.accepted_on or app.received_on
                app.delivered_on, app.delivery_method = app.decided_on, "窗口领取"
                app.delivery_due_on = app.decided_on
            seen.add(app.customer_id)
    apps = bulk_create_with_history(apps, LicenceApplication, batch_size=500, default_user=office)
    apps = list(LicenceApplication.objects.filter(unit__in=bureaus).order_by("pk"))
    by_number = {a.number: a for a in apps}

    # Checklists (everything provided, except what the notices asked for), notices, inspections.
    materials, notices, inspections = [], [], []
    notice_numbers = {apps_index for apps_index in notices_for}
    for index, app in enumerate(apps):
        items = rules.checklist(
            app.kind,
            has_business_licence=app.has_business_licence,
            local_extras=services.local_extras(app.unit),
        )
        asked = []
        if index in notice_numbers:
            asked = rng.sample(items, k=min(len(items), rng.randint(1, 3)))
            issued = (
                app.received_on
                if rng.random() < 0.6
                else min(app.notice_due_on, app.received_on + dt.timedelta(days=1))
            )
            notices.append(
                OneTimeNotice(
                    application=app,
                    number=f"{app.number}-G1",
                    issued_on=issued,
                    due_on=app.notice_due_on,
                    items=[{"name": i.name, "reason": i.reason, "note": ""} for i in asked],
                    issued_by=clerk if app.unit_id == first.pk else office,
                )
            )
        pending = app.status == Status.RECEIVED and index in notice_numbers
        for item in items:
            missing = pending and item in asked
            materials.append(
                ApplicationMaterial(
                    application=app,
                    code=item.code,
                    name=item.name,
                    reason=item.reason,
                    is_local=item.is_local,
                    provided=not missing,
                    provided_on=None if missing else (app.accepted_on or app.received_on),
                )
            )
        if index in inspected_on:
            inspections.append(
                FieldInspection(
                    application=app,
                    inspected_on=inspected_on[index],
                    findings=rng.choice(FINDINGS),
                    passed=app.decision != "refuse",
                    recorded_by=clerk if app.unit_id == first.pk else office,
                )
            )
    ApplicationMaterial.objects.bulk_create(materials, batch_size=1000)
    OneTimeNotice.objects.bulk_create(notices, batch_size=500)
    inspections = FieldInspection.objects.bulk_create(inspections, batch_size=500)
    through = FieldInspection.staff.through
    team_of = {w.pk: list(w.staff.values_list("pk", flat=True)) for w in windows.values()}
    links = []
    for inspection in inspections:
        team = team_of[inspection.application.window_id]
        for person_id in rng.sample(team, k=min(2, len(team))):
            links.append(through(fieldinspection_id=inspection.pk, person_id=person_id))
    through.objects.bulk_create(links, batch_size=1000)
    del by_number

    _showcase(rng, clerk, clerk_window, today)


def _showcase(rng: random.Random, clerk, window: LicenceWindow, today: dt.date) -> None:
    """At the clerk's window, through the services: today's receipts (one incomplete, ready for
    its 一次性告知书; one complete), and one left without a notice past its deadline (shown as
    accepted on its receipt day)."""
    calendar = unit_calendar(window.unit)
    day = today
    while not calendar.is_working_day(day).value:
        day -= dt.timedelta(days=1)
    base = {"actor": clerk, "window": window, "received_on": day, "today": today}
    services.application_receive(
        **base,
        kind="new",
        applicant_name="刘小梅",
        applicant_id_number=idcard.make("360702", dt.date(1988, 5, 12), 402),
        applicant_phone="13979712345",
        shop_name="小梅便利店",
        shop_address="章贡区文清路88号",
        has_business_licence=True,
        provided={"form", "id_card"},
        request_summary="新开便利店，申请烟草专卖零售许可证",
    )
    services.application_receive(
        **base,
        kind="new",
        applicant_name="黄建国",
        applicant_id_number=idcard.make("360702", dt.date(1975, 9, 3), 231),
        applicant_phone="13879798765",
        shop_name="建国副食店",
        shop_address="章贡区红旗大道126号",
        provided={"form", "id_card", "premises"} | _local_codes(window),
    )
    late = calendar.add_working_days(day, -8).value
    services.application_receive(
        **{**base, "received_on": late},
        kind="new",
        applicant_name="钟海燕",
        applicant_id_number=idcard.make("360702", dt.date(1992, 2, 20), 88),
        applicant_phone="13607971234",
        shop_name="海燕烟酒商行",
        shop_address="章贡区长征大道9号",
        provided={"form"},
    )


def _local_codes(window: LicenceWindow) -> set[str]:
    return {e.code for e in services.local_extras(window.unit)}

"""Rules of 首问负责制 as pure functions (no database): the defaults the office starts from,
and the transfer check. Values come in as arguments (the office edits them as data)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

# (kind, priority): (first response, resolution, remind before) in business hours.
# A working day has 7 business hours (08:30–12:00, 14:00–17:30).
DEFAULT_SLA: dict[tuple[str, str], tuple[Decimal, Decimal, Decimal]] = {
    ("inquiry", "normal"): (Decimal(4), Decimal(7), Decimal(2)),
    ("inquiry", "urgent"): (Decimal(1), Decimal(4), Decimal(1)),
    ("complaint", "normal"): (Decimal(4), Decimal(35), Decimal(7)),
    ("complaint", "urgent"): (Decimal(1), Decimal(14), Decimal(3)),
    ("suggestion", "normal"): (Decimal(7), Decimal(70), Decimal(7)),
    ("suggestion", "urgent"): (Decimal(4), Decimal(35), Decimal(7)),
    ("report", "normal"): (Decimal(4), Decimal(70), Decimal(7)),
    ("report", "urgent"): (Decimal(1), Decimal(21), Decimal(3)),
}
DEFAULT_MAX_TRANSFERS = 3

DEFAULT_CATEGORIES = [
    "货源供应",
    "许可证办理",
    "价格与结算",
    "送货服务",
    "客户经理服务",
    "专卖执法",
    "信息系统与订货",
    "其他",
]

MAX_TEXT = 2000
MAX_SUBJECT = 100


@dataclass(frozen=True)
class TransferFacts:
    owner_id: int | None
    current_handler_id: int | None
    # Everyone who has held the ticket as handler and passed it on, in order.
    previous_handler_ids: tuple[int, ...]
    transfers_so_far: int
    max_transfers: int


def transfer_problem(facts: TransferFacts, to_user_id: int, *, to_name: str = "") -> str | None:
    """Why a transfer to ``to_user_id`` is refused, or None.

    - to the owner: that is 退回, a separate step (the owner follows up; he does not become a
      handler of his own ticket);
    - to the current handler: nothing to transfer;
    - to someone who already held it and passed it on: a loop (A→B→A), the push-around the
      first-responder rule exists to stop;
    - more than ``max_transfers`` transfers: the owner must coordinate instead.
    """
    who = to_name or str(to_user_id)
    if to_user_id == facts.owner_id:
        return _("%(who)s是首问负责人，请使用“退回首问负责人”，不能转办给首问负责人") % {"who": who}
    if to_user_id == facts.current_handler_id:
        return _("该工单当前已由%(who)s承办，无需转办") % {"who": who}
    if to_user_id in facts.previous_handler_ids:
        return _(
            "转办形成循环：%(who)s已办理过该工单并转出，不能再转回（首问负责制禁止来回推诿），"
            "请由首问负责人协调"
        ) % {"who": who}
    if facts.transfers_so_far >= facts.max_transfers:
        return _("该工单已转办%(n)s次，达到上限（%(max)s次），请由首问负责人协调办理") % {
            "n": facts.transfers_so_far,
            "max": facts.max_transfers,
        }
    return None

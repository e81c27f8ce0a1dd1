"""Pure dues rules (RULES §3): no database access; rule values are passed in and default to
the national values of ``rulebook.registry``.

- ``monthly_dues`` / ``compute_dues``: the monthly amount for a base and a category;
- ``parse_base``: a base typed by a person («3000», «3,000.5») → Decimal, or a message;
- month arithmetic (``month_start``, ``add_months``, ``months_between``, ``month_range``);
- ``back_payment_months`` / ``needs_back_payment_decision``: the 6-month back-payment limit;
- ``trailing_unpaid_run``: consecutive unpaid months ending with the last closed month.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from dangjian.rulebook.registry import DUES, definition, national

FEN = Decimal("0.01")

EMPLOYED, RETIRED, STUDENT, FARMER, RELIEF, HARDSHIP = (
    "employed",
    "retired",
    "student",
    "farmer",
    "relief",
    "hardship",
)
# The categories anyone may ask the calculator about; hardship needs an approval on record.
CALCULATOR_CATEGORIES = (EMPLOYED, RETIRED, STUDENT, FARMER, RELIEF)
CATEGORIES = (*CALCULATOR_CATEGORIES, HARDSHIP)

# Largest base the forms accept (a typo guard, not a rule): 10 million 元 a month.
MAX_BASE = Decimal("10000000")


class DuesInputError(ValueError):
    """Input a rule cannot be applied to (negative base, unknown category …)."""


@dataclass(frozen=True)
class Computation:
    amount: Decimal
    category: str
    rate: Decimal | None = None
    lower: Decimal | None = None  # exclusive lower bound of the bracket (None: from 0)
    upper: Decimal | None = None  # inclusive upper bound (None: no upper bound)
    rule_key: str = ""

    @property
    def rule(self) -> str:
        """The rule applied, as a citation and the bracket: shown by the calculator."""
        d = definition(self.rule_key)
        cite = f"{DUES}{d.article}"
        if self.rate is not None:
            whom = "离退休党员按养老金总额" if self.category == RETIRED else "在职党员按月工资收入"
            if self.lower is None:
                span = f"{self.upper:,.2f} 元及以下"
            elif self.upper is None:
                span = f"{self.lower:,.2f} 元以上"
            else:
                span = f"{self.lower:,.2f} 元以上至 {self.upper:,.2f} 元（含）"
            pct = f"{(self.rate * 100).normalize():f}%"
            return f"{cite}：{whom}{span}，按 {pct} 交纳（全额适用，四舍五入到分）"
        if self.category == FARMER:
            return f"{cite}：农民党员每月交纳 {self.lower:f}–{self.upper:f} 元"
        if self.category == HARDSHIP:
            return f"{cite}：生活困难党员经支部同意、上级党委批准，少交或免交"
        return f"{cite}：{d.label} {self.amount:f} 元"


def _quantize(value: Decimal) -> Decimal:
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def _check_base(base) -> Decimal:
    if isinstance(base, float):
        raise DuesInputError("基数必须是精确小数，不能是浮点数")
    try:
        base = Decimal(base)
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise DuesInputError("基数必须是数字") from exc
    if not base.is_finite():
        raise DuesInputError("基数必须是有限的数字")
    if base < 0:
        raise DuesInputError("基数不能为负数")
    return base


def compute_dues(
    base,
    category: str,
    brackets=None,
    *,
    fixed: Decimal | None = None,
    farmer_range: tuple[Decimal, Decimal] | None = None,
    approved: Decimal | None = None,
) -> Computation:
    """The monthly dues for ``base`` (元, Decimal) in ``category``, with the bracket used.

    Employed / retired: the bracket's rate applies to the whole base (not progressive); a
    bound belongs to the lower bracket; the amount is rounded half up to the fen.
    Student / relief: the fixed amount. Farmer: ``approved`` (the amount the branch set)
    within the farmer range, the minimum by default. Hardship: the ``approved`` amount
    (0 = exempt).
    """
    base = _check_base(base)
    if category in (EMPLOYED, RETIRED):
        key = f"dues.brackets.{category}"
        table = brackets if brackets is not None else national(key)
        lower = None
        for upper, rate in table:
            if upper is None or base <= upper:
                return Computation(
                    _quantize(base * Decimal(rate)), category, Decimal(rate), lower, upper, key
                )
            lower = upper
        raise DuesInputError("党费比例表没有覆盖该基数")  # a table always ends open-ended
    if category in (STUDENT, RELIEF):
        key = f"dues.fixed.{category}"
        amount = fixed if fixed is not None else national(key)
        return Computation(_quantize(Decimal(amount)), category, rule_key=key)
    if category == FARMER:
        low, high = farmer_range or (national("dues.farmer.min"), national("dues.farmer.max"))
        amount = low if approved is None else Decimal(approved)
        if not low <= amount <= high:
            raise DuesInputError(f"农民党员每月党费应在 {low:f}–{high:f} 元之间")
        return Computation(
            _quantize(amount), category, lower=low, upper=high, rule_key="dues.farmer.min"
        )
    if category == HARDSHIP:
        if approved is None:
            raise DuesInputError("生活困难党员须有批准的减免后金额")
        amount = _check_base(approved)
        return Computation(_quantize(amount), category, rule_key="dues.fixed.relief")
    raise DuesInputError(f"未知的党员类别：{category}")


def monthly_dues(base, category: str, brackets=None, **kwargs) -> Decimal:
    """The monthly dues amount (Decimal, to the fen); see ``compute_dues``."""
    return compute_dues(base, category, brackets, **kwargs).amount


def parse_base(text) -> Decimal:
    """A base as typed («3000», «3,000.50», « 4500 ») → Decimal; DuesInputError otherwise.

    Accepts at most two decimal places (fen) and no negative numbers.
    """
    if text is None or str(text).strip() == "":
        raise DuesInputError("请填写基数")
    raw = str(text).strip().replace(",", "").replace("，", "")
    try:
        value = Decimal(raw)
    except InvalidOperation as exc:
        raise DuesInputError(f"「{text}」不是数字，请用阿拉伯数字填写金额（元）") from exc
    if not value.is_finite():
        raise DuesInputError(f"「{text}」不是有效的金额")
    if value < 0:
        raise DuesInputError("基数不能为负数")
    # Checked before quantizing: 1E100 has more digits than the context can quantize.
    if value > MAX_BASE:
        raise DuesInputError("基数过大，请检查是否多输了位数")
    if value != value.quantize(FEN, rounding=ROUND_HALF_UP):
        raise DuesInputError("金额最多保留两位小数（到分）")
    return value.quantize(FEN)


# ----------------------------------------------------------------------------- months


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def months_between(earlier: dt.date, later: dt.date) -> int:
    """Whole calendar months from ``earlier``'s month to ``later``'s (negative if before)."""
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def month_range(first: dt.date, last: dt.date) -> list[dt.date]:
    """The first days of every month from ``first`` to ``last`` inclusive."""
    first, last = month_start(first), month_start(last)
    return [add_months(first, i) for i in range(months_between(first, last) + 1)]


def quarter_end(month: dt.date) -> dt.date:
    """The first day of the last month of ``month``'s quarter."""
    return dt.date(month.year, (month.month - 1) // 3 * 3 + 3, 1)


def back_payment_months(month: dt.date, paid_on: dt.date) -> int:
    """How many months late a payment made on ``paid_on`` for ``month`` is (0: on time)."""
    return max(0, months_between(month, paid_on))


def needs_back_payment_decision(
    month: dt.date, paid_on: dt.date, max_months: int | None = None
) -> bool:
    """Whether paying ``month`` on ``paid_on`` goes beyond the back-payment limit."""
    limit = national("dues.back_payment_max_months") if max_months is None else max_months
    return back_payment_months(month, paid_on) > limit


def trailing_unpaid_run(
    months: Iterable[dt.date], settled: Callable[[dt.date], bool]
) -> tuple[int, dt.date | None]:
    """The number of consecutive unsettled months at the end of ``months`` (ascending) and
    the first of them."""
    run, first = 0, None
    for month in reversed(list(months)):
        if settled(month):
            break
        run, first = run + 1, month
    return run, first

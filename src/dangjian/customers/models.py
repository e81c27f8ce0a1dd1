"""Licensed retail customers (零售客户), hung on the administrative tree."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from dangjian.orgs.models import Unit
from dangjian.people.models import Person
from dangjian.platform.crypto import EncryptedTextField, lookup_hash, mask_phone
from dangjian.platform.pinyin_search import pinyin_of
from dangjian.platform.scoping import RestrictedManager, Scope

PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
LICENCE_RE = re.compile(r"^\d{12}$")


class BusinessFormat(models.TextChoices):
    GROCERY = "Z", _("食杂店")
    CONVENIENCE = "B", _("便利店")
    SUPERMARKET = "S", _("超市")
    MALL = "M", _("商场")
    TOBACCO_LIQUOR = "Y", _("烟酒商店")
    ENTERTAINMENT = "F", _("娱乐服务类")
    OTHER = "Q", _("其他")


class Market(models.TextChoices):
    URBAN = "C", _("城镇")
    RURAL = "X", _("乡村")


class Size(models.TextChoices):
    LARGE = "1", _("大型")
    MEDIUM = "2", _("中型")
    SMALL = "3", _("小型")


class CreditGrade(models.TextChoices):
    A = "A", _("A级")
    B = "B", _("B级")
    C = "C", _("C级")
    D = "D", _("D级")


SEGMENTS = {
    "modern_terminal": _("现代终端"),
    "vulnerable": _("弱势群体"),
    "strong_operator": _("经营能力强"),
    "prime_location": _("位置优越"),
}
NEEDS = {"elderly": _("高龄"), "disabled": _("残疾"), "ill": _("伤病")}


def validate_phone(value: str) -> None:
    if value and not PHONE_RE.match(value):
        raise ValidationError(_("手机号码格式不正确（应为11位手机号或带区号的固定电话）"))


def validate_licence_no(value: str) -> None:
    if not LICENCE_RE.match(value or ""):
        raise ValidationError(_("许可证号应为12位数字"))


class RetailCustomer(models.Model):
    licence_no = models.CharField(
        _("许可证号"), max_length=12, unique=True, validators=[validate_licence_no]
    )
    shop_name = models.CharField(_("店名"), max_length=100)
    shop_initials = models.CharField(max_length=100, editable=False, default="")
    owner_name = models.CharField(_("经营者"), max_length=50)
    owner_pinyin = models.CharField(max_length=200, editable=False, default="")
    owner_initials = models.CharField(max_length=50, editable=False, default="")
    phone = EncryptedTextField(_("联系电话"), blank=True, default="", validators=[validate_phone])
    phone_hash = models.CharField(max_length=64, null=True, blank=True, editable=False)
    address = models.CharField(_("经营地址"), max_length=200)
    # No single-column FK indexes: (unit, licence_no) and (account_manager, licence_no) below
    # serve the same lookups, and every index costs each imported row (SPEC §5 import rate).
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("所属片区/县局"),
        on_delete=models.PROTECT,
        related_name="customers",
        db_index=False,
    )
    account_manager = models.ForeignKey(
        Person,
        verbose_name=_("客户经理"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_customers",
        db_index=False,
    )
    # The other front-line staff who serve this customer (rated by it in 客户评议, SPEC §2.3).
    inspector = models.ForeignKey(
        Person,
        verbose_name=_("专卖稽查员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inspected_customers",
        db_index=False,
    )
    courier = models.ForeignKey(
        Person,
        verbose_name=_("送货员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="delivered_customers",
        db_index=False,
    )
    business_format = models.CharField(_("业态"), max_length=1, choices=BusinessFormat.choices)
    market = models.CharField(_("城乡"), max_length=1, choices=Market.choices)
    size = models.CharField(_("规模"), max_length=1, choices=Size.choices)
    tier = models.PositiveSmallIntegerField(
        _("档位"), validators=[MinValueValidator(1), MaxValueValidator(30)], default=15
    )
    credit_grade = models.CharField(
        _("信用等级"), max_length=1, choices=CreditGrade.choices, default="B"
    )
    modern_terminal = models.BooleanField(_("现代终端"), default=False)
    vulnerable = models.BooleanField(_("弱势群体"), default=False)
    strong_operator = models.BooleanField(_("经营能力强"), default=False)
    prime_location = models.BooleanField(_("位置优越"), default=False)
    birthday = models.DateField(_("生日"), null=True, blank=True)
    birthday_is_lunar = models.BooleanField(_("农历生日"), default=False)
    elderly = models.BooleanField(_("高龄"), default=False)
    disabled = models.BooleanField(_("残疾"), default=False)
    ill = models.BooleanField(_("伤病"), default=False)
    licence_expires_on = models.DateField(_("许可证有效期至"), null=True, blank=True)
    is_active = models.BooleanField(_("在营"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    history = HistoricalRecords(
        excluded_fields=["shop_initials", "owner_pinyin", "owner_initials", "phone_hash"],
        # History is read per customer (by id) and by date; the copied field indexes are dead
        # weight written once per imported row.
        no_db_index=["licence_no", "unit", "account_manager", "inspector", "courier"],
        # No per-row foreign-key trigger on import: the ORM still nulls the user on delete.
        user_db_constraint=False,
    )
    # A branch reaches the customers of the units it covers (its members serve them).
    scope = Scope(unit="unit", party="unit__party_orgs")
    objects = RestrictedManager()

    PERSONAL_FIELDS = ("phone",)

    class Meta:
        verbose_name = _("零售客户")
        verbose_name_plural = _("零售客户")
        indexes = [
            models.Index(
                fields=["owner_initials"],
                name="cust_owner_init_idx",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(
                fields=["owner_pinyin"], name="cust_owner_py_idx", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(
                fields=["shop_initials"],
                name="cust_shop_init_idx",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(
                fields=["owner_name"], name="cust_owner_name_idx", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(
                fields=["shop_name"], name="cust_shop_name_idx", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["unit", "licence_no"], name="cust_unit_licence_idx"),
            models.Index(fields=["account_manager", "licence_no"], name="cust_manager_idx"),
            # Exact lookups only (a keyed hash): a plain index, no LIKE twin.
            models.Index(fields=["phone_hash"], name="cust_phone_hash_idx"),
            # The expiring-licence list (warmth.window): active customers whose licence
            # ends within the warning days, in the list's order (expiry date, id).
            models.Index(
                fields=["licence_expires_on", "id"],
                name="cust_active_expiry_idx",
                condition=models.Q(is_active=True),
            ),
        ]

    def __str__(self):
        return f"{self.shop_name}（{self.licence_no}）"

    @property
    def code(self) -> str:
        """Combined classification code, e.g. CZ1 = 城镇食杂店大型."""
        return f"{self.market}{self.business_format}{self.size}"

    @property
    def segments(self) -> list[str]:
        return [str(label) for key, label in SEGMENTS.items() if getattr(self, key)]

    @property
    def needs(self) -> list[str]:
        return [str(label) for key, label in NEEDS.items() if getattr(self, key)]

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    def derive_fields(self) -> None:
        self.owner_pinyin, self.owner_initials = pinyin_of(self.owner_name)
        self.shop_initials = pinyin_of(self.shop_name)[1]
        self.phone = (self.phone or "").strip()
        self.phone_hash = lookup_hash(self.phone)

    def save(self, *args, **kwargs):
        self.derive_fields()
        super().save(*args, **kwargs)

    def clean(self):
        if self.unit_id and self.unit.kind not in (Unit.Kind.BUREAU, Unit.Kind.MARKET_AREA):
            raise ValidationError({"unit": _("客户必须归属于县局或片区")})

"""People of the enterprise and their party membership."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from dangjian.orgs.models import PartyOrg, Unit
from dangjian.platform import idcard
from dangjian.platform.crypto import EncryptedTextField, lookup_hash, mask_id_number, mask_phone
from dangjian.platform.pinyin_search import pinyin_of
from dangjian.platform.scoping import RestrictedManager, Scope


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class Education(models.TextChoices):
    JUNIOR = "junior", _("初中及以下")
    SENIOR = "senior", _("高中/中专")
    COLLEGE = "college", _("大专")
    BACHELOR = "bachelor", _("本科")
    MASTER = "master", _("硕士研究生")
    DOCTOR = "doctor", _("博士研究生")


class Person(models.Model):
    name = models.CharField(_("姓名"), max_length=50)
    name_pinyin = models.CharField(_("姓名拼音"), max_length=200, editable=False, default="")
    name_initials = models.CharField(_("姓名首字母"), max_length=50, editable=False, default="")
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("出生日期"))
    ethnicity = models.CharField(_("民族"), max_length=20, default="汉族")
    education = models.CharField(_("学历"), max_length=20, choices=Education.choices, blank=True)
    unit = models.ForeignKey(
        Unit, verbose_name=_("所在单位"), on_delete=models.PROTECT, related_name="people"
    )
    post = models.CharField(_("岗位"), max_length=50, blank=True)
    title = models.CharField(_("职务"), max_length=50, blank=True)
    phone = EncryptedTextField(_("手机号码"), blank=True, default="")
    phone_hash = models.CharField(
        max_length=64, null=True, blank=True, editable=False, db_index=True
    )
    id_number = EncryptedTextField(_("身份证号"))
    id_number_hash = models.CharField(max_length=64, unique=True, editable=False)
    photo = models.ImageField(_("照片"), upload_to="photos/%Y/", blank=True)
    employed_on = models.DateField(_("入职日期"), null=True, blank=True)
    left_on = models.DateField(_("离职日期"), null=True, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登录账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    history = HistoricalRecords(
        excluded_fields=["name_pinyin", "name_initials", "phone_hash", "id_number_hash"]
    )
    scope = Scope(unit="unit", party="membership__branch", own="user")
    objects = RestrictedManager()

    PERSONAL_FIELDS = ("id_number", "phone")

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        indexes = [
            # Lists sort by pinyin; pattern-ops indexes cannot serve ORDER BY.
            models.Index(fields=["name_pinyin", "id"], name="person_pinyin_order_idx"),
            models.Index(
                fields=["name_initials"],
                name="person_initials_idx",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(
                fields=["name_pinyin"], name="person_pinyin_idx", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(
                fields=["name"], name="person_name_idx", opclasses=["varchar_pattern_ops"]
            ),
        ]

    def __str__(self):
        return self.name

    def derive_fields(self) -> None:
        """Columns computed from others; called by save() and by bulk loaders."""
        self.name_pinyin, self.name_initials = pinyin_of(self.name)
        self.id_number = idcard.normalise(self.id_number)
        self.id_number_hash = lookup_hash(self.id_number)
        self.phone = (self.phone or "").strip()
        self.phone_hash = lookup_hash(self.phone)

    def save(self, *args, **kwargs):
        self.derive_fields()
        super().save(*args, **kwargs)

    def clean(self):
        errors = {}
        if self.id_number:
            try:
                birth, gender = idcard.parse(self.id_number)
            except ValidationError as exc:
                errors["id_number"] = exc.messages
            else:
                if self.birth_date and self.birth_date != birth:
                    errors["birth_date"] = _("出生日期与身份证号不一致（身份证号为 %(d)s）") % {
                        "d": birth
                    }
                if self.gender and self.gender != gender:
                    errors["gender"] = _("性别与身份证号不一致")
        if self.employed_on and self.left_on and self.left_on < self.employed_on:
            errors["left_on"] = _("离职日期不能早于入职日期")
        if errors:
            raise ValidationError(errors)

    @property
    def age(self) -> int:
        return idcard.age_on(self.birth_date, dt.date.today())

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)


class Membership(models.Model):
    """A person's party membership: one branch (and optionally one group) at a time."""

    class Status(models.TextChoices):
        PROBATIONARY = "probationary", _("预备党员")
        FULL = "full", _("正式党员")

    class Standing(models.TextChoices):
        NORMAL = "normal", _("正常")
        SUSPENDED = "suspended", _("停止党籍")
        RESERVED = "reserved", _("保留党籍")

    person = models.OneToOneField(
        Person, verbose_name=_("人员"), on_delete=models.CASCADE, related_name="membership"
    )
    branch = models.ForeignKey(
        PartyOrg,
        verbose_name=_("所在支部"),
        on_delete=models.PROTECT,
        related_name="members",
        limit_choices_to={"kind": PartyOrg.Kind.BRANCH},
    )
    group = models.ForeignKey(
        PartyOrg,
        verbose_name=_("党小组"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="group_members",
        limit_choices_to={"kind": PartyOrg.Kind.GROUP},
    )
    status = models.CharField(_("党员类别"), max_length=20, choices=Status.choices)
    standing = models.CharField(
        _("党籍状态"), max_length=20, choices=Standing.choices, default=Standing.NORMAL
    )
    standing_since = models.DateField(_("党籍状态起始日期"), null=True, blank=True)
    joined_on = models.DateField(_("入党日期"))
    full_member_on = models.DateField(_("转正日期"), null=True, blank=True)
    is_mobile = models.BooleanField(_("流动党员"), default=False)
    is_lost = models.BooleanField(_("失联党员"), default=False)
    history = HistoricalRecords()
    scope = Scope(unit="person__unit", party="branch", own="person__user")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("党员信息")
        verbose_name_plural = _("党员信息")

    def __str__(self):
        return f"{self.person} ({self.get_status_display()})"

    def clean(self):
        errors = {}
        if self.branch_id and self.branch.kind != PartyOrg.Kind.BRANCH:
            errors["branch"] = _("所在支部必须是党支部")
        if self.group_id and self.branch_id and not self.group.path.startswith(self.branch.path):
            errors["group"] = _("党小组必须属于所在支部")
        if self.status == self.Status.FULL and not self.full_member_on:
            errors["full_member_on"] = _("正式党员必须填写转正日期")
        if self.status == self.Status.PROBATIONARY and self.full_member_on:
            errors["full_member_on"] = _("预备党员不应有转正日期")
        if self.full_member_on and self.joined_on and self.full_member_on < self.joined_on:
            errors["full_member_on"] = _("转正日期不能早于入党日期")
        if self.standing != self.Standing.NORMAL and not self.standing_since:
            errors["standing_since"] = _("党籍状态非正常时须填写起始日期")
        if errors:
            raise ValidationError(errors)

    @property
    def party_years(self) -> int | None:
        """党龄 counts from the full-member date."""
        if not self.full_member_on:
            return None
        return idcard.age_on(self.full_member_on, dt.date.today())

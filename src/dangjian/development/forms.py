import datetime as dt

from django import forms
from django.db.models import Q
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.orgs.models import PartyOrg
from dangjian.people.models import Person
from dangjian.platform.search_pick import SearchPickField

from . import rules
from .models import AttachmentKind, CaseContact, Stage

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def add_service_errors(form, exc) -> None:
    """Put a service's ValidationError on the form's fields (unknown fields: on top)."""
    for name, messages in exc.message_dict.items():
        for message in messages:
            form.add_error(name if name in form.fields else None, message)


def branch_choices(actor):
    return (
        PartyOrg.objects.restrict(actor, "view").filter(kind=PartyOrg.Kind.BRANCH).order_by("path")
    )


class Styled(forms.Form):
    """Bootstrap classes on every widget."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            if isinstance(f.widget, forms.Select):
                f.widget.attrs.setdefault("class", "form-select")
            elif isinstance(f.widget, forms.CheckboxInput):
                f.widget.attrs.setdefault("class", "form-check-input")
            elif not isinstance(f.widget, forms.ClearableFileInput):
                f.widget.attrs.setdefault("class", "form-control")
            else:
                f.widget.attrs.setdefault("class", "form-control")


def search_branches(queryset, text):
    return queryset.filter(Q(name__icontains=text) | Q(code=text))


class CaseFilterForm(forms.Form):
    stage = forms.ChoiceField(
        label=_("阶段"),
        required=False,
        choices=[("", _("全部阶段")), ("open", _("进行中"))] + list(Stage.choices),
    )
    # A search box, not a <select>: the national office sees 2 000 branches.
    branch = SearchPickField(
        PartyOrg.objects.none(),
        label=_("支部"),
        required=False,
        search=search_branches,
        suggest_url=reverse_lazy("development:suggest_branch"),
        placeholder=_("支部名称或编码"),
        clear_label=_("全部支部"),
    )
    overdue = forms.BooleanField(label=_("只看逾期"), required=False)

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branch_choices(actor)
        self.fields["stage"].widget.attrs["class"] = "form-select"
        self.fields["branch"].widget.attrs["class"] = "form-control"


class CaseOpenForm(Styled):
    branch = forms.ModelChoiceField(label=_("所在支部"), queryset=PartyOrg.objects.none())
    person = forms.ModelChoiceField(
        label=_("申请人"),
        queryset=Person.objects.none(),
        help_text=_("支部所联系单位中尚未入党的职工"),
    )
    applied_on = forms.DateField(label=_("递交申请书日期"), widget=DATE)
    leaving_on = forms.DateField(label=_("预计离开工作单位日期"), widget=DATE, required=False)
    decision = forms.CharField(label=_("接收人/依据"), max_length=200, required=False)
    notes = forms.CharField(
        label=_("情况说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    attachment = forms.FileField(label=_("入党申请书（PDF/JPG/PNG/Word）"), required=False)

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        branches = branch_choices(actor)
        self.fields["branch"].queryset = branches
        # Applicants are not members yet, so Person.restrict (which reaches people through
        # their membership) cannot list them: offer the staff of the units the actor's
        # branches cover instead — the party tree still decides.
        units = PartyOrg.units.through.objects.filter(partyorg__in=branches).values("unit_id")
        self.fields["person"].queryset = (
            Person.objects.filter(unit__in=units, membership__isnull=True, left_on__isnull=True)
            .select_related("unit")
            .order_by("name_pinyin")
        )
        self.fields["person"].label_from_instance = lambda p: f"{p.name}（{p.unit.name} {p.post}）"


# Which fields each step's form shows (besides date, basis, notes and the material).
PASSED_LABELS = {
    10: (_("政治审查结论"), _("合格"), _("不合格")),
    13: (_("预审结论"), _("通过"), _("未通过")),
    17: (_("审批结论"), _("批准"), _("不批准")),
    24: (_("审批结论"), _("批准"), _("不批准")),
}
TRAINING_FIELDS = ("training_days", "training_hours")
VOTE_FIELDS = (
    "entitled",
    "present",
    "votes_yes",
    "votes_no",
    "votes_abstain",
    "written_yes",
    "written_no",
    "written_abstain",
)
OUTCOME_FIELDS = ("outcome", "extension_months")
COMMON_FIELDS = ("number", "occurred_on", "decision", "notes", "attachment_kind", "attachment")
# Steps whose rules allow an exception with a recorded reason (调离预警, 超期审批).
EXCEPTION_STEPS = frozenset({15, 17, 24})
STEP_ATTACHMENT = {
    1: AttachmentKind.APPLICATION_LETTER,
    2: AttachmentKind.TALK_RECORD,
    6: AttachmentKind.ASSESSMENT,
    10: AttachmentKind.POLITICAL_REVIEW,
    11: AttachmentKind.TRAINING_CERTIFICATE,
    14: AttachmentKind.VOLUNTEER_FORM,
    15: AttachmentKind.VOTE_RECORD,
    23: AttachmentKind.VOTE_RECORD,
    17: AttachmentKind.APPROVAL,
    24: AttachmentKind.APPROVAL,
}


def step_fields(number: int) -> tuple[str, ...]:
    """The form fields step ``number`` needs, in display order."""
    fields = list(COMMON_FIELDS[:2])
    if number in PASSED_LABELS:
        fields.append("passed")
    if number == 11:
        fields += TRAINING_FIELDS
    if number in rules.VOTE_STEPS:
        fields += VOTE_FIELDS
    if number == 23:
        fields += OUTCOME_FIELDS
    fields += ["decision", "notes"]
    if number in EXCEPTION_STEPS:
        fields.append("exception_reason")
    fields += ["attachment_kind", "attachment"]
    return tuple(fields)


def step_hints(number: int, facts: rules.Facts, values: dict, today: dt.date) -> list[str]:
    """What the rules ask of step ``number`` for this case, with the dates worked out — shown
    on the form before the secretary submits (the service still checks every rule)."""
    d = facts.dates
    v = values
    out: list[str] = []
    if number == 1:
        out.append(_("申请人递交申请时须年满 %(n)s 周岁") % {"n": v["dev.min_age"]})
    elif number == 2 and 1 in d:
        out.append(
            _("须在收到入党申请书后 %(n)s 个月内（%(d)s 前）派人谈话")
            % {
                "n": v["dev.talk_within_months"],
                "d": rules.talk_deadline(d[1], v["dev.talk_within_months"]),
            }
        )
    elif number == 3 and 1 in d:
        months = v.get("dev.application_min_months")
        if months:
            out.append(
                _("递交申请满 %(n)s 个月后方可确定（最早 %(d)s）")
                % {"n": months, "d": rules.add_months(d[1], months)}
            )
        out.append(_("由支部委员会研究确定为入党积极分子"))
    elif number == 5:
        out.append(
            _("须指定 %(a)s–%(b)s 名正式党员作为培养联系人（已添加 %(n)s 名，请先在右侧添加）")
            % {"a": v["dev.mentors_min"], "b": v["dev.mentors_max"], "n": facts.mentors}
        )
    elif number == 6 and 3 in d:
        due = rules.next_assessment_due(
            d[3], facts.assessments, v["dev.assessment_interval_months"]
        )
        out.append(
            _("每 %(n)s 个月考察一次，下次考察应于 %(d)s 前")
            % {"n": v["dev.assessment_interval_months"], "d": due}
        )
    elif number == 7 and 3 in d:
        out.append(
            _("确定为入党积极分子后经过 %(n)s 个月以上培养考察方可确定（最早 %(d)s）")
            % {
                "n": v["dev.activist_min_months"],
                "d": rules.earliest_candidate_date(d[3], v["dev.activist_min_months"]),
            }
        )
    elif number == 9:
        out.append(
            _("须有 %(n)s 名正式党员作入党介绍人（已添加 %(k)s 名，请先在右侧添加）")
            % {"n": v["dev.sponsors_required"], "k": facts.full_sponsors}
        )
    elif number == 10:
        months = v.get("dev.review_within_months")
        if months and 7 in d:
            out.append(
                _("确定发展对象后 %(n)s 个月内（%(d)s 前）完成")
                % {"n": months, "d": rules.add_months(d[7], months)}
            )
        out.append(_("政治审查不合格的，不能发展入党"))
    elif number == 11:
        out.append(
            _("集中培训一般不少于 %(d)s 天或 %(h)s 学时")
            % {"d": v["dev.training_min_days"], "h": v["dev.training_min_hours"]}
        )
    elif number in (12, 14):
        out.append(
            _("须政治审查合格") if number == 12 else _("上级党委预审通过后方可填写入党志愿书")
        )
    elif number in (17, 24):
        meeting = d.get(15 if number == 17 else 23)
        if meeting:
            normal, absolute = rules.approval_deadlines(
                meeting, v["dev.approval_within_months"], v["dev.approval_max_months"]
            )
            out.append(
                _(
                    "上级党委应在支部大会后 %(n)s 个月内（%(d)s 前）审批；超期须填写例外理由，最长不超过 %(m)s 个月（%(e)s）"
                )
                % {
                    "n": v["dev.approval_within_months"],
                    "d": normal,
                    "m": v["dev.approval_max_months"],
                    "e": absolute,
                }
            )
    elif number in (22, 23) and 15 in d:
        end = rules.probation_end(d[15], v["dev.probation_months"], facts.extension_months)
        out.append(
            _("预备期 %(n)s 个月，至 %(d)s 满")
            % {"n": v["dev.probation_months"] + facts.extension_months, "d": end}
            + ("" if number == 22 else _("；期满后方可讨论转正"))
        )
    if number in rules.NOTICE_STEPS:
        notice = facts.notices.get(number)
        if notice is None:
            out.append(
                _("须先公示 %(n)s 个工作日（请在右侧发布公示）")
                % {"n": v["dev.notice_working_days"]}
            )
        else:
            out.append(_("公示期至 %(d)s 结束，期满后方可进行本步骤") % {"d": notice.ends_on})
    if number in rules.VOTE_STEPS:
        out.append(_("填写表决情况；结论由系统按“赞成票超过应到会有表决权正式党员半数”计算"))
    earlier = [day for n, day in d.items() if n < number]
    if number == 6 and facts.assessments:
        earlier.append(max(facts.assessments))
    if earlier:
        out.append(_("日期不早于 %(d)s，不晚于今天") % {"d": max(earlier)})
    return out


class StepForm(Styled):
    """The form of one step: only the fields that step needs (``step_fields``)."""

    number = forms.TypedChoiceField(
        label=_("步骤"),
        coerce=int,
        choices=[(n, rules.step_label(n)) for n in rules.STEPS],
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("步骤无效，请从页面上选择要记录的步骤")},
    )
    occurred_on = forms.DateField(
        label=_("日期"), widget=DATE, error_messages={"required": _("请填写日期")}
    )
    decision = forms.CharField(label=_("依据（决定、会议或文号）"), max_length=200, required=False)
    notes = forms.CharField(
        label=_("情况说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    passed = forms.TypedChoiceField(
        label=_("结论"),
        coerce=lambda v: {"1": True, "0": False}.get(v),
        empty_value=None,
        choices=[("", "—"), ("1", _("通过 / 合格 / 批准")), ("0", _("未通过 / 不合格 / 不批准"))],
    )
    training_days = forms.IntegerField(label=_("培训天数"), min_value=0, required=False)
    training_hours = forms.IntegerField(label=_("培训学时"), min_value=0, required=False)
    entitled = forms.IntegerField(
        label=_("应到人数"),
        help_text=_("有表决权的正式党员"),
        min_value=0,
        error_messages={"required": _("请填写应到会有表决权的正式党员人数")},
    )
    present = forms.IntegerField(
        label=_("实到人数"), min_value=0, error_messages={"required": _("请填写实到人数")}
    )
    votes_yes = forms.IntegerField(
        label=_("赞成"), min_value=0, error_messages={"required": _("请填写赞成票数")}
    )
    votes_no = forms.IntegerField(label=_("反对"), min_value=0, required=False)
    votes_abstain = forms.IntegerField(label=_("弃权"), min_value=0, required=False)
    written_yes = forms.IntegerField(
        label=_("书面赞成"), help_text=_("未到会党员的书面意见"), min_value=0, required=False
    )
    written_no = forms.IntegerField(label=_("书面反对"), min_value=0, required=False)
    written_abstain = forms.IntegerField(label=_("书面弃权"), min_value=0, required=False)
    outcome = forms.ChoiceField(
        label=_("讨论结果"),
        choices=[
            ("", "—"),
            (rules.OUTCOME_FULL, _("按期转正")),
            (rules.OUTCOME_EXTEND, _("延长预备期")),
            (rules.OUTCOME_CANCEL, _("取消预备党员资格")),
        ],
        error_messages={"required": _("请选择讨论结果：按期转正、延长预备期或取消预备党员资格")},
    )
    extension_months = forms.IntegerField(
        label=_("延长月数（延长预备期时填写）"), min_value=0, required=False
    )
    exception_reason = forms.CharField(
        label=_("例外理由（超期审批、调离预警等特殊情况）"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    attachment_kind = forms.ChoiceField(
        label=_("材料类型"), choices=AttachmentKind.choices, required=False
    )
    attachment = forms.FileField(label=_("上传材料"), required=False)

    # Fields shown on a narrow column (numbers), the rest take half a row.
    NARROW = frozenset(VOTE_FIELDS + TRAINING_FIELDS + ("extension_months",))

    def __init__(self, *args, number: int, hints=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.step_number = number
        self.hints = list(hints)
        keep = step_fields(number)
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        self.fields["number"].initial = number
        self.fields["occurred_on"].initial = timezone.localdate()
        self.fields["attachment_kind"].initial = STEP_ATTACHMENT.get(number, AttachmentKind.OTHER)
        if number in PASSED_LABELS:
            label, yes, no = PASSED_LABELS[number]
            field = self.fields["passed"]
            field.label = label
            field.choices = [("", "—"), ("1", yes), ("0", no)]
            field.error_messages["required"] = _("请填写%(label)s（%(yes)s / %(no)s）") % {
                "label": label,
                "yes": yes,
                "no": no,
            }
        for name in self.fields:
            if name in self.NARROW:
                self.fields[name].widget.attrs["inputmode"] = "numeric"

    @property
    def label(self) -> str:
        return rules.step_label(self.step_number)

    def clean(self):
        data = super().clean()
        if "number" in self.errors:  # hidden: say it on top of the form
            for message in self.errors.pop("number"):
                self.add_error(None, message)
        elif data.get("number") is not None and data["number"] != self.step_number:
            self.add_error(None, _("步骤无效，请从页面上选择要记录的步骤"))
        return data

    def vote(self) -> dict | None:
        d = self.cleaned_data
        if d.get("entitled") is None:
            return None
        return {
            "entitled": d["entitled"],
            "present": d.get("present") or 0,
            "yes": d.get("votes_yes") or 0,
            "no": d.get("votes_no") or 0,
            "abstain": d.get("votes_abstain") or 0,
            "written_yes": d.get("written_yes") or 0,
            "written_no": d.get("written_no") or 0,
            "written_abstain": d.get("written_abstain") or 0,
        }


def chosen_step(value, numbers) -> int | None:
    """The step a request asks for (``?step=`` or the posted ``number``): any of the 25 steps
    when posted (the service refuses one out of order, citing the rule), else the first of
    ``numbers`` (the steps that may come next)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = None
    if number in rules.STEPS:
        return number
    return numbers[0] if numbers else None


class CorrectForm(Styled):
    occurred_on = forms.DateField(label=_("更正后的日期"), widget=DATE)
    reason = forms.CharField(label=_("更正理由"), widget=forms.Textarea(attrs={"rows": 2}))


class ContactForm(Styled):
    role = forms.ChoiceField(label=_("身份"), choices=CaseContact.Role.choices)
    person = forms.ModelChoiceField(label=_("正式党员"), queryset=Person.objects.none())
    named_on = forms.DateField(label=_("确定日期"), widget=DATE)
    phone = forms.CharField(
        label=_("联系电话（留空则用本人手机号）"), max_length=30, required=False
    )

    def __init__(self, *args, actor=None, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = (
            Person.objects.restrict(actor, "view")
            .filter(membership__branch=case.branch, membership__status="full")
            .order_by("name_pinyin")
        )


class NoticeForm(Styled):
    before_step = forms.TypedChoiceField(
        label=_("公示环节"),
        coerce=int,
        choices=[(7, _("确定发展对象前（第7步）")), (15, _("支部大会讨论前（第15步）"))],
    )
    starts_on = forms.DateField(label=_("公示开始日期"), widget=DATE)
    content = forms.CharField(
        label=_("公示内容"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class ObjectionForm(Styled):
    received_on = forms.DateField(label=_("收到日期"), widget=DATE)
    raised_by = forms.CharField(label=_("反映人（可匿名）"), max_length=50, required=False)
    content = forms.CharField(label=_("反映内容"), widget=forms.Textarea(attrs={"rows": 2}))


class ResolveForm(Styled):
    resolved_on = forms.DateField(label=_("处理日期"), widget=DATE)
    resolution = forms.CharField(label=_("核实处理结果"), widget=forms.Textarea(attrs={"rows": 2}))


class MoveForm(Styled):
    to_branch = forms.ModelChoiceField(label=_("转入支部"), queryset=PartyOrg.objects.none())
    moved_on = forms.DateField(label=_("转移日期"), widget=DATE)
    reason = forms.CharField(label=_("原因"), max_length=200)

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_branch"].queryset = branch_choices(actor)


class PlanForm(Styled):
    branch = forms.ModelChoiceField(label=_("支部"), queryset=PartyOrg.objects.none())
    year = forms.IntegerField(
        label=_("年度"), min_value=2000, max_value=2100, initial=dt.date.today().year
    )
    quota = forms.IntegerField(label=_("计划发展人数"), min_value=0, max_value=500)
    notes = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branch_choices(actor)

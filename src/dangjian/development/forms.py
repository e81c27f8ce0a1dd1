import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.orgs.models import PartyOrg
from dangjian.people.models import Person

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


class CaseFilterForm(forms.Form):
    stage = forms.ChoiceField(
        label=_("阶段"),
        required=False,
        choices=[("", _("全部阶段")), ("open", _("进行中"))] + list(Stage.choices),
    )
    branch = forms.ModelChoiceField(
        label=_("支部"), queryset=PartyOrg.objects.none(), required=False, empty_label=_("全部支部")
    )
    overdue = forms.BooleanField(label=_("只看逾期"), required=False)

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branch_choices(actor)
        for name in ("stage", "branch"):
            self.fields[name].widget.attrs["class"] = "form-select"


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


class StepForm(Styled):
    number = forms.TypedChoiceField(label=_("步骤"), coerce=int, choices=[])
    occurred_on = forms.DateField(label=_("日期"), widget=DATE)
    decision = forms.CharField(label=_("依据（决定、会议或文号）"), max_length=200, required=False)
    notes = forms.CharField(
        label=_("情况说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    passed = forms.TypedChoiceField(
        label=_("结论"),
        required=False,
        coerce=lambda v: {"1": True, "0": False}.get(v),
        empty_value=None,
        choices=[("", "—"), ("1", _("通过 / 合格 / 批准")), ("0", _("未通过 / 不合格 / 不批准"))],
    )
    training_days = forms.IntegerField(label=_("培训天数"), min_value=0, required=False)
    training_hours = forms.IntegerField(label=_("培训学时"), min_value=0, required=False)
    entitled = forms.IntegerField(label=_("应到会有表决权的正式党员"), min_value=0, required=False)
    present = forms.IntegerField(label=_("实到"), min_value=0, required=False)
    votes_yes = forms.IntegerField(label=_("赞成"), min_value=0, required=False)
    votes_no = forms.IntegerField(label=_("反对"), min_value=0, required=False)
    votes_abstain = forms.IntegerField(label=_("弃权"), min_value=0, required=False)
    written_yes = forms.IntegerField(label=_("未到会党员书面赞成"), min_value=0, required=False)
    written_no = forms.IntegerField(label=_("书面反对"), min_value=0, required=False)
    written_abstain = forms.IntegerField(label=_("书面弃权"), min_value=0, required=False)
    outcome = forms.ChoiceField(
        label=_("讨论结果"),
        required=False,
        choices=[
            ("", "—"),
            (rules.OUTCOME_FULL, _("按期转正")),
            (rules.OUTCOME_EXTEND, _("延长预备期")),
            (rules.OUTCOME_CANCEL, _("取消预备党员资格")),
        ],
    )
    extension_months = forms.IntegerField(label=_("延长月数"), min_value=0, required=False)
    exception_reason = forms.CharField(
        label=_("例外理由（超期审批、调离预警等特殊情况）"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    attachment_kind = forms.ChoiceField(
        label=_("材料类型"), choices=AttachmentKind.choices, required=False
    )
    attachment = forms.FileField(label=_("上传材料"), required=False)

    def __init__(self, *args, numbers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["number"].choices = [(n, rules.step_label(n)) for n in numbers]
        self.fields["occurred_on"].initial = timezone.localdate()

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

import datetime as dt

from django import forms
from django.db.models import Q
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.orgs.models import PartyOrg, Unit
from dangjian.people.models import Person
from dangjian.platform.forms import StyledFormMixin
from dangjian.platform.search_pick import SearchPickField

from .models import Attendance, Meeting, MeetingFile, MeetingKind
from .services import AttendanceEntry


def _years():
    this = timezone.localdate().year
    return [(y, f"{y}年") for y in range(this + 1, this - 6, -1)]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def search_by_name(queryset, text):
    """Organisations (party or units) whose name contains ``text`` or whose code is it."""
    return queryset.filter(Q(name__icontains=text) | Q(code=text)).order_by("path")


class MeetingFilterForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("会议类型"), required=False, choices=[("", _("全部类型")), *MeetingKind.choices]
    )
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *Meeting.Status.choices]
    )
    year = forms.TypedChoiceField(label=_("年度"), required=False, coerce=int, empty_value=None)
    # A search box, not a <select>: the national office sees 2 000+ organisations.
    branch = SearchPickField(
        PartyOrg.objects.none(),
        label=_("党组织"),
        required=False,
        search=search_by_name,
        suggest_url=reverse_lazy("orglife:suggest", args=["branch"]),
        placeholder=_("党组织名称或编码"),
        clear_label=_("全部党组织"),
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("全部年度")), *_years()]
        self.fields["branch"].queryset = PartyOrg.objects.restrict(actor, "view").exclude(
            kind=PartyOrg.Kind.GROUP
        )


class MatrixFilterForm(StyledFormMixin, forms.Form):
    year = forms.TypedChoiceField(label=_("年度"), required=False, coerce=int, empty_value=None)
    org = SearchPickField(
        PartyOrg.objects.none(),
        label=_("党组织"),
        required=False,
        search=search_by_name,
        suggest_url=reverse_lazy("orglife:suggest", args=["org"]),
        placeholder=_("党委、党总支名称"),
        clear_label=_("全部党组织"),
    )
    unit = SearchPickField(
        Unit.objects.none(),
        label=_("县局"),
        required=False,
        search=search_by_name,
        suggest_url=reverse_lazy("orglife:suggest", args=["unit"]),
        placeholder=_("县局名称或编码"),
        clear_label=_("全部县局"),
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = _years()
        self.fields["org"].queryset = PartyOrg.objects.restrict(actor, "view").filter(
            kind__in=[PartyOrg.Kind.COMMITTEE, PartyOrg.Kind.GENERAL_BRANCH]
        )
        self.fields["unit"].queryset = Unit.objects.restrict(actor, "view").filter(
            kind=Unit.Kind.BUREAU
        )


class PlanForm(StyledFormMixin, forms.Form):
    year = forms.TypedChoiceField(label=_("年度"), coerce=int)
    theme_day_of_month = forms.IntegerField(
        label=_("主题党日固定日"),
        min_value=1,
        max_value=31,
        help_text=_("每月第几日开展主题党日（小月取月末）"),
        error_messages={
            "min_value": _("主题党日固定日应在 1–31 之间"),
            "max_value": _("主题党日固定日应在 1–31 之间"),
            "invalid": _("主题党日固定日应为整数"),
        },
    )
    note = forms.CharField(
        label=_("计划说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = _years()


class MeetingPlanForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["branch", "kind", "planned_on", "place", "topic", "study_hours"]
        widgets = {"planned_on": DateInput()}

    def __init__(self, *args, branches, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches
        self.fields["planned_on"].required = True
        self.fields["study_hours"].required = False


class MeetingRecordForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Meeting
        fields = [
            "kind",
            "held_on",
            "place",
            "host",
            "recorder",
            "lecturer",
            "topic",
            "study_hours",
            "agenda",
            "minutes",
            "resolutions",
        ]
        widgets = {
            "held_on": DateInput(),
            "agenda": forms.Textarea(attrs={"rows": 3}),
            "minutes": forms.Textarea(attrs={"rows": 6}),
            "resolutions": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "lecturer": _("党课必填"),
            "resolutions": _("支部党员大会须超过半数有表决权的正式党员到会才能形成决议"),
        }

    def __init__(self, *args, roll, **kwargs):
        super().__init__(*args, **kwargs)
        people = Person.objects.filter(pk__in=[m.person_id for m in roll]).order_by("name_pinyin")
        self.fields["host"].queryset = people
        self.fields["recorder"].queryset = people
        self.fields["held_on"].required = True
        self.fields["place"].required = True
        if not self.instance.held_on and not self.is_bound:
            # The instance's initial holds held_on=None: setdefault would keep that None.
            self.initial["held_on"] = min(
                self.instance.planned_on or dt.date.max, timezone.localdate()
            )


def attendance_from_post(data) -> list[AttendanceEntry]:
    """``att_<person id>`` = present/leave/absent and ``reason_<person id>`` from the form."""
    entries = []
    for key, value in data.items():
        if not key.startswith("att_"):
            continue
        try:
            person_id = int(key[4:])
        except ValueError:
            continue
        entries.append(
            AttendanceEntry(person_id, value, data.get(f"reason_{person_id}", "").strip())
        )
    return entries


ATTENDANCE_CHOICES = Attendance.Status.choices


class MeetingFileForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=MeetingFile.Kind.choices)
    file = forms.FileField(
        label=_("文件"),
        help_text=_("照片 jpg/png；附件 pdf/docx/xlsx/doc/xls；不超过 10 MB"),
        error_messages={"required": _("请选择要上传的文件")},
    )

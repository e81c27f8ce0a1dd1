from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.platform.exports import exportable, workbook_export
from dangjian.platform.history import history_rows
from dangjian.platform.listing import paginate
from dangjian.platform.reveal import reveal_field
from dangjian.platform.scoping import get_restricted_or_404, grants_for, model_label, user_can

from . import selectors, services
from .forms import MembershipForm, PersonFilterForm, PersonForm
from .models import Person

SORTS = {
    "name": "name_pinyin",
    "unit": "unit__path",
    "joined": "membership__joined_on",
    "birth": "birth_date",
}


def _filtered(request):
    form = PersonFilterForm(request.GET or None, actor=request.user)
    branch = status = None
    if form.is_valid():
        branch, status = form.cleaned_data["branch"], form.cleaned_data["status"]
    people = selectors.person_list(
        request.user, query=request.GET.get("q", ""), branch=branch, status=status or ""
    )
    return form, people


@login_required
def person_list(request):
    if not user_can(request.user, "view", Person):
        raise Http404
    form, people = _filtered(request)
    listing = paginate(request, people, sort_fields=SORTS, default_sort="name")
    return render(
        request,
        "people/list.html",
        {
            "listing": listing,
            "filter_form": form,
            "can_add": user_can(request.user, "add", Person),
            "can_export": user_can(request.user, "export", Person),
        },
    )


@login_required
def person_export(request):
    _form, people = _filtered(request)
    people = exportable(request, Person, people)

    def rows():
        for p in people.order_by("unit__path", "name_pinyin").iterator(chunk_size=2000):
            m = getattr(p, "membership", None)
            yield [
                p.name,
                p.get_gender_display(),
                p.birth_date,
                p.age,
                p.ethnicity,
                p.get_education_display(),
                p.unit.name,
                p.post,
                p.title,
                p.id_number_masked,
                p.phone_masked,
                m.branch.name if m else "",
                m.get_status_display() if m else _("非党员"),
                m.joined_on if m else None,
                m.full_member_on if m else None,
            ]

    return workbook_export(
        request,
        model=Person,
        count=people.count(),
        filename="人员名册.xlsx",
        title="人员",
        headers=[
            "姓名",
            "性别",
            "出生日期",
            "年龄",
            "民族",
            "学历",
            "所在单位",
            "岗位",
            "职务",
            "身份证号",
            "手机号码",
            "所在支部",
            "党员类别",
            "入党日期",
            "转正日期",
        ],
        rows=rows(),
    )


def _history(person, membership) -> list[dict]:
    """Person and membership changes in one list, newest first; membership rows say so."""
    rows = history_rows(person, secret_fields=Person.PERSONAL_FIELDS)
    if membership is not None:
        for row in history_rows(membership):
            row["kind"] = _("党员信息%(kind)s") % {"kind": row["kind"]}
            rows.append(row)
    return sorted(rows, key=lambda row: row["at"], reverse=True)


def _may_keep_non_members(user) -> bool:
    """Whether the user reaches people by their unit (not only through a party branch)."""
    if user.is_superuser:
        return True
    label = model_label(Person)
    return any(g.tree == "unit" and g.allows(label, "add") for g in grants_for(user))


@login_required
def person_detail(request, pk):
    person = get_restricted_or_404(
        Person.objects.select_related("unit", "membership__branch", "membership__group"),
        request.user,
        pk=pk,
    )
    membership = getattr(person, "membership", None)
    return render(
        request,
        "people/detail.html",
        {
            "person": person,
            "membership": membership,
            "history": _history(person, membership),
            "can_change": Person.objects.restrict(request.user, "change").filter(pk=pk).exists(),
            "can_reveal": Person.objects.restrict(request.user, "reveal").filter(pk=pk).exists(),
        },
    )


@login_required
def person_edit(request, pk=None):
    if pk is None:
        if not user_can(request.user, "add", Person):
            raise Http404
        person = Person()
        membership = None
    else:
        person = get_restricted_or_404(Person, request.user, "change", pk=pk)
        membership = getattr(person, "membership", None)
    is_member_posted = request.POST.get("is_member") == "on"
    form = PersonForm(
        request.POST or None, request.FILES or None, instance=person, actor=request.user
    )
    mform = MembershipForm(
        request.POST if is_member_posted else None,
        instance=membership,
        actor=request.user,
        prefix="m",
    )
    # Validate both forms so every error shows at once, not the membership ones only later.
    valid = request.method == "POST" and all(
        [form.is_valid(), (not is_member_posted) or mform.is_valid()]
    )
    if valid and not is_member_posted and not _may_keep_non_members(request.user):
        # A party-tree role reaches people only through their membership: a non-member
        # saved by a branch secretary would vanish from his own scope.
        form.add_error(None, _("您只能登记和维护党员，请勾选“是中共党员”并选择所在支部。"))
        valid = False
    if valid:
        try:
            saved = services.person_save(
                actor=request.user,
                person=form.save(commit=False),
                membership=mform.save(commit=False) if is_member_posted else None,
                drop_membership=not is_member_posted,
            )
        except ValidationError as exc:
            for field, errors in getattr(exc, "error_dict", {None: exc.error_list}).items():
                target = form if field in form.fields else mform if field in mform.fields else form
                target.add_error(field if field in target.fields else None, errors)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已保存“%(name)s”") % {"name": saved.name})
            return redirect("people:detail", pk=saved.pk)
    elif request.method == "POST":
        messages.error(request, _("保存失败，请按提示修改后重新提交。"))
    return render(
        request,
        "people/form.html",
        {
            "form": form,
            "mform": mform,
            "person": person,
            "is_member": is_member_posted if request.method == "POST" else membership is not None,
        },
    )


@login_required
def my_profile(request):
    """The logged-in user's own record (members see only themselves)."""
    person = (
        Person.objects.restrict(request.user, "view")
        .filter(user=request.user)
        .values_list("pk", flat=True)
        .first()
    )
    if person is None:
        return render(request, "people/no_profile.html", status=404)
    return redirect("people:detail", pk=person)


@login_required
def person_photo(request, pk):
    person = get_restricted_or_404(Person, request.user, pk=pk)
    if not person.photo:
        raise Http404
    return FileResponse(person.photo.open("rb"), content_type="image/jpeg")


@login_required
@require_POST
def person_reveal(request, pk, field):
    return reveal_field(request, Person, pk, field)

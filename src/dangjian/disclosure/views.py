from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.platform.exports import exportable, workbook_export
from dangjian.platform.forms import add_service_errors
from dangjian.platform.history import history_rows
from dangjian.platform.listing import filtered_list, paginate
from dangjian.platform.scoping import get_restricted_or_404, user_can
from dangjian.platform.search_pick import is_pick_search, pick_search_initial, suggest_response

from . import public_guard, selectors, services
from .forms import (
    AnswerForm,
    AttachmentForm,
    CloseForm,
    NoticeFilterForm,
    NoticeForm,
    ObjectionForm,
    PublicObjectionForm,
)
from .models import Attachment, Notice, Objection

SORTS = {"start": "starts_on", "end": "ends_on", "title": "title", "status": "status"}


def _filtered(request):
    form = NoticeFilterForm(request.GET or None, actor=request.user)
    return filtered_list(request, form, selectors.notice_list)


@login_required
def notice_list(request):
    form, notices = _filtered(request)
    listing = paginate(request, notices, sort_fields=SORTS, default_sort="-start")
    # Objection counts only for the rows on this page, in one GROUP BY.
    page_ids = [n.pk for n in listing.rows]
    counts = {
        n.pk: n
        for n in selectors.with_objection_counts(
            Notice.objects.restrict(request.user, "view").filter(pk__in=page_ids)
        )
    }
    rows = [(n, counts.get(n.pk)) for n in listing.rows]
    return render(
        request,
        "disclosure/list.html",
        {
            "listing": listing,
            "rows": rows,
            "filter_form": form,
            "can_add": user_can(request.user, "add", Notice),
            "can_export": user_can(request.user, "export", Notice),
            "today": timezone.localdate(),
        },
    )


@login_required
def notice_export(request):
    _form, notices = _filtered(request)
    notices = selectors.with_objection_counts(exportable(request, Notice, notices))

    def rows():
        for n in notices.order_by("-starts_on", "pk").iterator(chunk_size=2000):
            yield [
                n.get_kind_display(),
                n.title,
                n.issuing_org.name,
                n.get_audience_display(),
                n.starts_on,
                n.ends_on,
                n.working_days,
                _("暂定") if n.ends_on_provisional else "",
                n.get_status_display(),
                n.objections_total,
                n.objections_open,
                n.get_result_display() if n.result else "",
                n.result_note,
            ]

    return workbook_export(
        request,
        model=Notice,
        count=notices.count(),
        filename="公示公告.xlsx",
        title="公示公告",
        headers=[
            "类别",
            "标题",
            "发布组织",
            "公开范围",
            "公示开始",
            "公示截止",
            "工作日",
            "截止日期",
            "状态",
            "异议数",
            "待答复",
            "公示结果",
            "结果说明",
        ],
        rows=rows(),
        widths=[10, 40, 24, 14, 12, 12, 8, 8, 8, 8, 8, 22, 40],
    )


def _visible_or_404(request, pk):
    notice = (
        selectors.visible_notices(request.user).select_related("issuing_org").filter(pk=pk).first()
    )
    if notice is None:
        raise Http404
    return notice


@login_required
def notice_detail(request, pk):
    notice = _visible_or_404(request, pk)
    can_change = Notice.objects.restrict(request.user, "change").filter(pk=pk).exists()
    manages = Notice.objects.restrict(request.user, "view").filter(pk=pk).exists()
    objections = list(selectors.objections_for(request.user, notice))
    open_count = sum(1 for o in objections if o.status == Objection.Status.OPEN)
    can_object = notice.is_open_for_objections() and selectors.notice_reaches(request.user, notice)
    return render(
        request,
        "disclosure/detail.html",
        {
            "notice": notice,
            "attachments": notice.attachments.order_by("pk"),
            "audience_orgs": notice.audience_orgs.order_by("path"),
            "objections": objections,
            "open_count": open_count,
            "manages": manages,
            "can_change": can_change,
            "can_answer": Objection.objects.restrict(request.user, "change")
            .filter(notice=notice)
            .exists(),
            "can_object": can_object,
            "objection_form": ObjectionForm(),
            "answer_form": AnswerForm(),
            "attachment_form": AttachmentForm(),
            "history": history_rows(notice) if manages else [],
            "today": timezone.localdate(),
        },
    )


@login_required
def notice_edit(request, pk=None):
    if pk is None:
        if not user_can(request.user, "add", Notice):
            raise Http404
        notice = Notice()
    else:
        notice = get_restricted_or_404(Notice, request.user, "change", pk=pk)
        if notice.status != Notice.Status.DRAFT:
            messages.error(request, _("已发布的公示不能修改"))
            return redirect("disclosure:detail", pk=pk)
    if is_pick_search(request):
        form = NoticeForm(instance=notice, actor=request.user, initial=pick_search_initial(request))
    else:
        form = NoticeForm(request.POST or None, instance=notice, actor=request.user)
    if form.is_bound and form.is_valid():
        try:
            saved = services.notice_save(
                actor=request.user,
                notice=form.save(commit=False),
                audience_orgs=form.cleaned_data["audience_orgs"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error("issuing_org", str(exc))
        else:
            messages.success(request, _("已保存“%(t)s”") % {"t": saved.title})
            return redirect("disclosure:detail", pk=saved.pk)
    return render(request, "disclosure/form.html", {"form": form, "notice": notice})


@login_required
def suggest(request, field):
    """Matches for the notice form's organisation pickers, in the form's own scope."""
    if field not in ("issuing_org", "audience_orgs") or not user_can(request.user, "add", Notice):
        raise Http404
    return suggest_response(request, NoticeForm(actor=request.user), field)


@login_required
@require_POST
def notice_attach(request, pk):
    notice = get_restricted_or_404(Notice, request.user, "change", pk=pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.attachment_add(
                actor=request.user, notice=notice, upload=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, _("附件已上传"))
    else:
        messages.error(request, _("附件：请选择要上传的文件"))
    return redirect("disclosure:detail", pk=pk)


@login_required
@require_POST
def notice_publish(request, pk):
    notice = get_restricted_or_404(Notice, request.user, "change", pk=pk)
    try:
        notice = services.notice_publish(actor=request.user, notice=notice)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(
            request,
            _("已发布，公示期 %(s)s 至 %(e)s") % {"s": notice.starts_on, "e": notice.ends_on},
        )
    return redirect("disclosure:detail", pk=pk)


@login_required
def notice_close(request, pk):
    notice = get_restricted_or_404(Notice, request.user, "change", pk=pk)
    form = CloseForm(request.POST or None, notice=notice)
    if request.method == "POST" and form.is_valid():
        try:
            services.notice_close(
                actor=request.user,
                notice=notice,
                result=form.cleaned_data["result"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已登记公示结果"))
            return redirect("disclosure:detail", pk=pk)
    return render(request, "disclosure/close.html", {"form": form, "notice": notice})


@login_required
@require_POST
def objection_submit(request, pk):
    notice = _visible_or_404(request, pk)
    form = ObjectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("异议内容：请填写（不超过2000字）"))
        return redirect("disclosure:detail", pk=pk)
    try:
        services.objection_submit(
            actor=request.user,
            notice=notice,
            content=form.cleaned_data["content"],
            anonymous=form.cleaned_data["anonymous"],
        )
    except (ValidationError, PermissionDenied) as exc:
        text = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        messages.error(request, text)
    else:
        messages.success(request, _("异议已提交，公示组织将核实答复"))
    return redirect("disclosure:detail", pk=pk)


@login_required
@require_POST
def objection_answer(request, pk):
    objection = get_restricted_or_404(
        Objection.objects.select_related("notice"), request.user, "change", pk=pk
    )
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("核实结论和答复均为必填项"))
    else:
        try:
            services.objection_answer(
                actor=request.user,
                objection=objection,
                finding=form.cleaned_data["finding"],
                answer=form.cleaned_data["answer"],
            )
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, _("已答复该异议"))
    return redirect("disclosure:detail", pk=objection.notice_id)


def _file_response(attachment: Attachment):
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(handle, as_attachment=True, filename=attachment.name)


@login_required
def attachment_download(request, pk):
    attachment = get_object_or_404(Attachment, pk=pk)
    _visible_or_404(request, attachment.notice_id)
    return _file_response(attachment)


# -- public pages (no login) ------------------------------------------------------------------


def public_list(request):
    notices = selectors.public_notices(
        query=request.GET.get("q", "").strip(), kind=request.GET.get("kind", "")
    )
    listing = paginate(request, notices, sort_fields=SORTS, default_sort="-start", per_page=20)
    return render(
        request,
        "disclosure/public_list.html",
        {"listing": listing, "kinds": Notice.Kind.choices, "today": timezone.localdate()},
    )


def _public_or_404(pk):
    notice = selectors.public_notices().filter(pk=pk).first()
    if notice is None:
        raise Http404
    return notice


def public_detail(request, pk, form=None):
    notice = _public_or_404(pk)
    open_now = notice.is_open_for_objections()
    if form is None and open_now:
        form = PublicObjectionForm(initial={"token": public_guard.issue_token(notice.pk)})
    return render(
        request,
        "disclosure/public_detail.html",
        {
            "notice": notice,
            "attachments": notice.attachments.order_by("pk"),
            "open_now": open_now,
            "form": form,
            "today": timezone.localdate(),
        },
        status=422 if form is not None and form.is_bound else 200,
    )


@require_POST
def public_objection(request, pk):
    notice = _public_or_404(pk)
    form = PublicObjectionForm(request.POST)
    if public_guard.over_limit(request):
        return render(
            request,
            "disclosure/public_detail.html",
            {
                "notice": notice,
                "open_now": False,
                "limited": True,
                "today": timezone.localdate(),
            },
            status=429,
        )
    if form.is_valid():
        try:
            nonce = public_guard.read_token(form.cleaned_data["token"], notice.pk)
        except public_guard.TokenInvalid:
            form.add_error(None, _("表单已过期或无效，请刷新页面后重新填写"))
        else:
            try:
                services.objection_submit(
                    notice=notice,
                    content=form.cleaned_data["content"],
                    anonymous=form.cleaned_data["anonymous"],
                    contact_name=form.cleaned_data["contact_name"],
                    contact_phone=form.cleaned_data["contact_phone"],
                    nonce=nonce,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("异议已收到，公示组织将依规核实处理。谢谢您的监督！"))
                return redirect("disclosure:public_detail", pk=pk)
    # A fresh token for the next attempt: the old one may be spent.
    data = form.data.copy()
    data["token"] = public_guard.issue_token(notice.pk)
    form.data = data
    return public_detail(request, pk, form=form)


def public_attachment(request, pk):
    attachment = get_object_or_404(Attachment, pk=pk)
    _public_or_404(attachment.notice_id)
    return _file_response(attachment)

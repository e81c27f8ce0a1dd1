from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.orgs.models import PartyOrg
from dangjian.platform.exports import exportable, workbook_export
from dangjian.platform.links import absolute_url
from dangjian.platform.listing import paginate
from dangjian.platform.qr import qr_svg_data_uri
from dangjian.platform.reveal import reveal_field
from dangjian.platform.scoping import get_restricted_or_404, user_can

from . import guard, selectors, services
from .forms import AnswerForm, PublicSuggestionForm, SuggestionFilterForm, TrackForm
from .models import Suggestion, SuggestionBox

SORTS = {"submitted": "submitted_at", "status": "status"}


def _filtered(request):
    form = SuggestionFilterForm(request.GET or None)
    params = form.cleaned_data if form.is_valid() else {}
    branch = None
    if params.get("branch"):
        branch = PartyOrg.objects.restrict(request.user, "view").filter(pk=params["branch"]).first()
    qs = selectors.suggestion_list(
        request.user,
        query=request.GET.get("q", "").strip(),
        status=params.get("status", ""),
        topic=params.get("topic", ""),
        branch=branch,
        since=params.get("since"),
        until=params.get("until"),
    )
    return form, branch, qs


@login_required
def suggestion_list(request):
    if not user_can(request.user, "view", Suggestion):
        raise Http404
    form, branch, qs = _filtered(request)
    listing = paginate(request, qs, sort_fields=SORTS, default_sort="-submitted")
    return render(
        request,
        "suggestions/list.html",
        {
            "listing": listing,
            "filter_form": form,
            "branch": branch,
            "can_export": user_can(request.user, "export", Suggestion),
        },
    )


@login_required
def suggestion_export(request):
    _form, _branch, qs = _filtered(request)
    qs = exportable(request, Suggestion, qs)

    def rows():
        for s in qs.order_by("-submitted_at", "pk").iterator(chunk_size=2000):
            yield [
                s.code,
                s.box.branch.name,
                s.get_topic_display(),
                s.submitted_at,
                s.sender_display,
                s.contact_phone_masked,
                s.content,
                s.get_status_display(),
                s.answer,
                s.answered_at,
                s.closed_at,
            ]

    return workbook_export(
        request,
        model=Suggestion,
        count=qs.count(),
        filename="意见箱留言.xlsx",
        title="意见箱留言",
        headers=[
            "查询码",
            "支部",
            "类别",
            "提交时间",
            "留言人",
            "联系电话",
            "留言内容",
            "状态",
            "答复",
            "答复时间",
            "办结时间",
        ],
        rows=rows(),
        widths=[16, 24, 10, 18, 10, 14, 60, 8, 60, 18, 18],
    )


@login_required
def suggestion_detail(request, pk):
    suggestion = get_restricted_or_404(
        Suggestion.objects.select_related("box__branch", "answered_by"), request.user, "view", pk=pk
    )
    can_answer = Suggestion.objects.restrict(request.user, "change").filter(pk=pk).exists()
    return render(
        request,
        "suggestions/detail.html",
        {
            "s": suggestion,
            "can_answer": can_answer and suggestion.status != Suggestion.Status.CLOSED,
            "can_close": can_answer and suggestion.status == Suggestion.Status.ANSWERED,
            "can_reveal": not suggestion.is_anonymous
            and Suggestion.objects.restrict(request.user, "reveal").filter(pk=pk).exists(),
            "form": AnswerForm(initial={"answer": suggestion.answer}),
        },
    )


@login_required
@require_POST
def suggestion_answer(request, pk):
    suggestion = get_restricted_or_404(Suggestion, request.user, "change", pk=pk)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("答复：请填写（不超过2000字）"))
        return redirect("suggestions:detail", pk=pk)
    try:
        services.suggestion_answer(
            actor=request.user,
            suggestion=suggestion,
            answer=form.cleaned_data["answer"],
            close=form.cleaned_data["close"],
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("已答复，留言人可凭查询码查看"))
    return redirect("suggestions:detail", pk=pk)


@login_required
@require_POST
def suggestion_close(request, pk):
    suggestion = get_restricted_or_404(Suggestion, request.user, "change", pk=pk)
    try:
        services.suggestion_close(actor=request.user, suggestion=suggestion)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("留言已办结"))
    return redirect("suggestions:detail", pk=pk)


@login_required
@require_POST
def suggestion_reveal(request, pk, field):
    return reveal_field(request, Suggestion, pk, field)


@login_required
def box_list(request):
    if not user_can(request.user, "view", SuggestionBox):
        raise Http404
    rows = []
    for box in selectors.boxes(request.user)[:200]:
        url = absolute_url(reverse("suggestions:public_box", args=[box.key]))
        rows.append((box, url, qr_svg_data_uri(url, scale=3)))
    can_open = user_can(request.user, "add", SuggestionBox)
    return render(
        request,
        "suggestions/boxes.html",
        {
            "rows": rows,
            "can_open": can_open,
            "branches": list(selectors.branches_without_box(request.user)[:200])
            if can_open
            else [],
        },
    )


@login_required
@require_POST
def box_toggle(request, branch):
    """Open the branch's box (creating it), or pause it when open."""
    if not user_can(request.user, "add", SuggestionBox):
        raise Http404
    branch = get_restricted_or_404(PartyOrg, request.user, "change", pk=branch)
    box = SuggestionBox.objects.filter(branch=branch).first()
    if box is not None and box.is_open:
        services.box_close(actor=request.user, box=box)
        messages.success(request, _("%(b)s已暂停接收留言") % {"b": box})
        return redirect("suggestions:boxes")
    try:
        box = services.box_open(actor=request.user, branch=branch)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("%(b)s已开通") % {"b": box})
    return redirect("suggestions:boxes")


# -- public pages (no login) ------------------------------------------------------------------


def _public_box_or_404(key):
    box = selectors.public_box(key)
    if box is None:
        raise Http404
    return box


def public_box(request, key, form=None, status=200):
    box = _public_box_or_404(key)
    if form is None and box.is_open:
        form = PublicSuggestionForm(initial={"token": guard.issue_token(box.pk), "anonymous": True})
    return render(
        request,
        "suggestions/public_box.html",
        {"box": box, "form": form, "max_chars": guard.LIMITS["max_chars"]},
        status=status,
    )


@require_POST
def public_submit(request, key):
    box = _public_box_or_404(key)
    if guard.over_limit(request):
        return render(
            request, "suggestions/public_box.html", {"box": box, "limited": True}, status=429
        )
    form = PublicSuggestionForm(request.POST)
    if form.is_valid():
        try:
            nonce = guard.read_token(form.cleaned_data["token"], box.pk)
        except guard.TokenInvalid:
            form.add_error(None, _("表单已过期或无效，请刷新页面后重新填写"))
        else:
            try:
                suggestion = services.suggestion_submit(
                    box=box,
                    content=form.cleaned_data["content"],
                    topic=form.cleaned_data["topic"],
                    anonymous=form.cleaned_data["anonymous"],
                    contact_name=form.cleaned_data["contact_name"],
                    contact_phone=form.cleaned_data["contact_phone"],
                    nonce=nonce,
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(None if field == "__all__" else field, errors)
            else:
                return render(
                    request,
                    "suggestions/public_thanks.html",
                    {
                        "box": box,
                        "s": suggestion,
                        "track_url": absolute_url(
                            reverse("suggestions:track_code", args=[suggestion.code])
                        ),
                    },
                )
    data = form.data.copy()
    data["token"] = guard.issue_token(box.pk)
    form.data = data
    return public_box(request, key, form=form, status=422)


def track(request):
    form = TrackForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return redirect("suggestions:track_code", code=form.cleaned_data["code"].strip().upper())
    return render(request, "suggestions/track.html", {"form": form})


def track_code(request, code):
    if guard.over_track_limit(request):
        return render(request, "suggestions/track.html", {"limited": True}, status=429)
    suggestion = selectors.tracked(code)
    if suggestion is None:
        return render(
            request,
            "suggestions/track.html",
            {"form": TrackForm(initial={"code": code}), "not_found": True},
            status=404,
        )
    return render(request, "suggestions/track_result.html", {"s": suggestion})

"""Signed-in pages of 三评: campaigns (setup, schedule, figures, tokens, slips, export), the
peer / leader / self sheets and 待我评议."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.people.models import Person
from dangjian.platform.exports import workbook_export
from dangjian.platform.forms import add_service_errors, form_errors_text
from dangjian.platform.jobs import job_start
from dangjian.platform.listing import filtered_list, paginate
from dangjian.platform.pdf import pdf_response
from dangjian.platform.scoping import get_restricted_or_404, user_can
from dangjian.platform.search_pick import is_pick_search, pick_search_initial, suggest_response

from . import selectors, services, slips, tasks
from .forms import AreaSlipsForm, CampaignFilterForm, CampaignForm, TokenFilterForm
from .models import Campaign, RaterKind, RatingToken
from .sheets import read_scores, sheet_fields

SORTS = {"year": "year", "name": "name", "start": "starts_on", "status": "status"}


def _visible_or_404(request, pk) -> Campaign:
    campaign = (
        selectors.campaigns_visible(request.user).select_related("party_org").filter(pk=pk).first()
    )
    if campaign is None:
        raise Http404
    return campaign


@login_required
def campaign_list(request):
    form = CampaignFilterForm(request.GET or None)
    form, campaigns = filtered_list(request, form, selectors.campaign_list)
    listing = paginate(request, campaigns, sort_fields=SORTS, default_sort="-year")
    return render(
        request,
        "appraisal/list.html",
        {
            "listing": listing,
            "filter_form": form,
            "can_add": user_can(request.user, "add", Campaign),
        },
    )


@login_required
def campaign_edit(request, pk=None):
    if pk is None:
        if not user_can(request.user, "add", Campaign):
            raise Http404
        campaign = Campaign()
        criteria = weights = None
    else:
        campaign = get_restricted_or_404(Campaign, request.user, "change", pk=pk)
        if campaign.status != Campaign.Status.DRAFT:
            messages.error(request, _("评议已开始，不能再修改评议项目和权重"))
            return redirect("appraisal:detail", pk=pk)
        criteria = [(c.name, c.weight) for c in selectors.criteria_of(campaign)]
        weights = selectors.weights_of(campaign)
    kwargs = {"instance": campaign, "actor": request.user, "criteria": criteria, "weights": weights}
    if is_pick_search(request):
        form = CampaignForm(initial=pick_search_initial(request), **kwargs)
    else:
        form = CampaignForm(request.POST or None, **kwargs)
    if form.is_bound and form.is_valid():
        try:
            saved = services.campaign_save(
                actor=request.user,
                campaign=form.save(commit=False),
                criteria=form.criteria(),
                weights=form.weights(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error("party_org", str(exc))
        else:
            messages.success(request, _("已保存“%(n)s”") % {"n": saved.name})
            return redirect("appraisal:detail", pk=saved.pk)
    return render(request, "appraisal/form.html", {"form": form, "campaign": campaign})


@login_required
def suggest_org(request):
    if not user_can(request.user, "add", Campaign):
        raise Http404
    return suggest_response(request, CampaignForm(actor=request.user), "party_org")


@login_required
def campaign_detail(request, pk):
    campaign = _visible_or_404(request, pk)
    figures = selectors.campaign_figures(request.user, campaign)
    manages = selectors.manages(request.user, campaign)
    chart = {
        "branches": [row["branch"].name for row in figures["branches"]],
        "series": {
            kind: [row["counts"][kind] for row in figures["branches"]] for kind in RaterKind.values
        },
        "labels": dict(RaterKind.choices),
        "rates": {
            "customer": [row["customer_rate"] or 0 for row in figures["branches"]],
            "peer": [row["peer_rate"] or 0 for row in figures["branches"]],
            "self": [row["self_rate"] or 0 for row in figures["branches"]],
            "leader": [row["leader_rate"] or 0 for row in figures["branches"]],
        },
    }
    chart["labels"] = {k: str(v) for k, v in chart["labels"].items()}
    return render(
        request,
        "appraisal/detail.html",
        {
            "campaign": campaign,
            "criteria": selectors.criteria_of(campaign),
            "weights": [
                (RaterKind(k).label, w) for k, w in sorted(selectors.weights_of(campaign).items())
            ],
            "figures": figures,
            "chart": chart,
            "manages": manages,
            "closed_reason": selectors.campaign_closed_reason(campaign),
            "survey_url": reverse("appraisal:survey", args=[campaign.public_token]),
            "takes_public": selectors.takes_kind(campaign, RaterKind.PUBLIC),
            "takes_customer": selectors.takes_kind(campaign, RaterKind.CUSTOMER),
            "used_tokens": RatingToken.objects.filter(
                campaign=campaign, used_at__isnull=False
            ).count()
            if manages
            else None,
            "can_export": manages or user_can(request.user, "export", Campaign),
        },
    )


@login_required
@require_POST
def campaign_open(request, pk):
    campaign = get_restricted_or_404(Campaign, request.user, "change", pk=pk)
    try:
        services.campaign_open(actor=request.user, campaign=campaign)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("评议已开始"))
    return redirect("appraisal:detail", pk=pk)


@login_required
@require_POST
def campaign_close(request, pk):
    campaign = get_restricted_or_404(Campaign, request.user, "change", pk=pk)
    try:
        services.campaign_close(actor=request.user, campaign=campaign)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("评议已截止，所有评议链接不再接受提交"))
    return redirect("appraisal:detail", pk=pk)


@login_required
def campaign_export(request, pk):
    campaign = _visible_or_404(request, pk)
    if not (
        selectors.manages(request.user, campaign, "export")
        or user_can(request.user, "export", Campaign)
    ):
        raise Http404
    criteria = selectors.criteria_of(campaign)
    ratings = selectors.ratings_for_export(request.user, campaign)

    def rows():
        for rating in ratings.iterator(chunk_size=2000):
            values = {s.criterion_id: s.value for s in rating.scores.all()}
            yield [
                rating.ratee.membership.branch.name,
                rating.ratee.name,
                rating.ratee.post,
                rating.get_kind_display(),
                timezone.localtime(rating.submitted_at).replace(tzinfo=None),
                *[values.get(c.pk) for c in criteria],
                rating.comment,
                _("是") if rating.excluded else "",
            ]

    headers = [
        _("支部"),
        _("被评党员"),
        _("岗位"),
        _("评议主体"),
        _("提交时间"),
        *[c.name for c in criteria],
        _("评语"),
        _("已剔除"),
    ]
    return workbook_export(
        request,
        model=Campaign,
        object_id=campaign.pk,
        count=ratings.count(),
        detail=_("三评评议记录（不含评议人）"),
        filename=f"{campaign.name}-评议记录.xlsx",
        title=_("评议记录"),
        headers=headers,
        rows=rows(),
        widths=[24, 10, 12, 10, 18, *[8] * len(criteria), 40, 8],
    )


# -- customer tokens and slips -----------------------------------------------------------------


@login_required
def token_list(request, pk):
    campaign = get_restricted_or_404(Campaign, request.user, "change", pk=pk)
    form = TokenFilterForm(request.GET or None, actor=request.user, campaign=campaign)
    filters = {}
    if form.is_bound:
        form.is_valid()  # an unknown or out-of-scope area: the picker's message, no filter
        filters = form.cleaned_data
    tokens = selectors.token_list(
        request.user,
        campaign,
        query=request.GET.get("q", "").strip(),
        unit=filters.get("unit"),
        used=filters.get("used") or "",
    )
    listing = paginate(
        request,
        tokens,
        # By id (the order tokens were made in): sorting a million tokens by a customer
        # column would sort them all for every page.
        sort_fields={"id": "id", "licence": "customer__licence_no", "used": "used_at"},
        default_sort="id",
    )
    # The slip form's no-script 搜索 comes back here (``area_slips``) with its query.
    slip_form = AreaSlipsForm(
        actor=request.user,
        campaign=campaign,
        initial={k: request.GET[k] for k in ("area", "area_q") if k in request.GET},
    )
    return render(
        request,
        "appraisal/tokens.html",
        {
            "campaign": campaign,
            "listing": listing,
            "filter_form": form,
            "slip_form": slip_form,
            "used_count": RatingToken.objects.filter(
                campaign=campaign, used_at__isnull=False
            ).count(),
        },
    )


TOKEN_AREA_FORMS = {"unit": TokenFilterForm, "area": AreaSlipsForm}


@login_required
def token_suggest(request, pk, field):
    """Matches for the token page's area pickers: the areas with tokens the user may view."""
    campaign = get_restricted_or_404(Campaign, request.user, "change", pk=pk)
    form_class = TOKEN_AREA_FORMS.get(field)
    if form_class is None:
        raise Http404
    return suggest_response(request, form_class(actor=request.user, campaign=campaign), field)


@login_required
@require_POST
def token_generate(request, pk):
    campaign = get_restricted_or_404(Campaign, request.user, "change", pk=pk)
    try:
        job = services.tokens_generate(actor=request.user, campaign=campaign)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("appraisal:detail", pk=pk)
    return redirect("platform:job_detail", pk=job.pk)


@login_required
def slip_pdf(request, pk, token_id):
    campaign = get_restricted_or_404(Campaign, request.user, "change", pk=pk)
    token = get_restricted_or_404(
        RatingToken.objects.select_related("customer", "customer__unit").filter(campaign=campaign),
        request.user,
        "view",
        pk=token_id,
    )
    pdf = slips.slips_pdf(campaign, [token], single=True)
    return pdf_response(pdf, filename=f"客户评议卡-{token.customer.licence_no}.pdf")


@login_required
@require_POST
def area_slips(request, pk):
    campaign = get_restricted_or_404(Campaign, request.user, "change", pk=pk)
    tokens_url = reverse("appraisal:tokens", args=[pk])
    if is_pick_search(request):
        # No script: the picker's 搜索 shows the matches on the token page, nothing starts.
        search = {k: v for k, v in pick_search_initial(request).items() if k in ("area", "area_q")}
        return redirect(f"{tokens_url}?{urlencode(search)}" if search else tokens_url)
    form = AreaSlipsForm(request.POST, actor=request.user, campaign=campaign)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return redirect(tokens_url)
    area = form.cleaned_data["area"]
    job = job_start(
        actor=request.user,
        kind="appraisal.slips",
        task=tasks.area_slips,
        title=_("客户评议卡：%(u)s") % {"u": area.name},
        campaign_id=campaign.pk,
        unit_id=area.pk,
    )
    return redirect("platform:job_detail", pk=job.pk)


# -- member sheets -----------------------------------------------------------------------------


@login_required
def todo(request):
    return render(
        request,
        "appraisal/todo.html",
        {"sections": selectors.pending_for(request.user), "me": selectors.person_of(request.user)},
    )


@login_required
def member_sheet(request, pk, person_id, kind):
    if kind not in (RaterKind.PEER, RaterKind.LEADER, RaterKind.SELF):
        raise Http404
    campaign = _open_for_member_or_404(request, pk)
    ratee = (
        Person.objects.select_related("membership__branch", "unit")
        .filter(pk=person_id, membership__isnull=False)
        .first()
    )
    if ratee is None or selectors.may_rate(request.user, campaign, ratee, kind):
        raise Http404  # not his to rate: says nothing about who exists
    criteria = selectors.criteria_of(campaign)
    errors: dict = {}
    values: dict = {}
    comment = ""
    if request.method == "POST":
        values = read_scores(request.POST, criteria, prefix="s-")
        comment = request.POST.get("comment", "")
        try:
            services.rating_submit(
                actor=request.user,
                campaign=campaign,
                ratee=ratee,
                kind=kind,
                raw=values,
                comment=comment,
            )
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        else:
            messages.success(request, _("已提交对%(n)s的评议") % {"n": ratee.name})
            return redirect("appraisal:todo")
    return render(
        request,
        "appraisal/sheet.html",
        {
            "campaign": campaign,
            "ratee": ratee,
            "kind": kind,
            "kind_label": RaterKind(kind).label,
            "fields": sheet_fields(campaign, criteria, values, errors, prefix="s-"),
            "comment": comment,
            "errors": errors,
            "general_errors": errors.get("__all__", []),
        },
        status=422 if errors else 200,
    )


def _open_for_member_or_404(request, pk) -> Campaign:
    # Which sheets the user may fill in is decided by selectors.may_rate (404 otherwise).
    campaign = Campaign.objects.select_related("party_org").filter(pk=pk).first()
    if campaign is None:
        raise Http404
    return campaign

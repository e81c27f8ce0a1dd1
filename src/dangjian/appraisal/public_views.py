"""No-login pages of 三评, phone first: the customer's rating page behind his one-use token,
public rating (群众评议) from a member's card, and the campaign's open questionnaire.

They show only what a 三亮 card shows (photo, name, post, department) and never who rated.
Public forms carry a signed one-use form token, a rate limit per address and a device
cookie (``platform.public_forms``); the device's keyed hash makes "one per device per member
per campaign" a database constraint.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from dangjian.exemplar.showcase.models import MemberCard
from dangjian.exemplar.showcase.selectors import card_for_public_token
from dangjian.people.models import Person
from dangjian.platform import public_forms
from dangjian.platform.listing import paginate

from . import selectors, services
from .models import Campaign, RaterKind
from .sheets import read_customer_sheets, read_scores, sheet_fields

PUBLIC_PURPOSE = "appraisal.public"
# Light abuse control for 群众评议 (per client address, shared cache): generous enough for a
# shop or an office behind one address, far below a script's 10 000 a minute.
PUBLIC_RATE_LIMIT = getattr(settings, "DANGJIAN_APPRAISAL_PUBLIC_RATE_LIMIT", 30)
PUBLIC_RATE_WINDOW = 60
FORM_MAX_AGE = 2 * 3600


def _photo_response(person: Person):
    if not person.photo:
        raise Http404
    try:
        handle = person.photo.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle)
    response["Cache-Control"] = "private, max-age=3600"
    return response


# -- customer token ----------------------------------------------------------------------------


@never_cache
def rate(request, token: str):
    """客户评议: the members who serve this customer, a score per criterion each."""
    found = selectors.token_for(token)
    if found is None:
        raise Http404
    campaign = found.campaign
    closed = selectors.campaign_closed_reason(campaign)
    context = {"campaign": campaign, "token": found, "closed": closed}
    if found.used_at is not None and not closed:
        context["used"] = True
    if closed or found.used_at is not None:
        return render(request, "appraisal/public_rate.html", context)
    criteria = selectors.criteria_of(campaign)
    errors: dict = {}
    sheets: dict = {}
    if request.method == "POST":
        # Whom the customer may rate is checked by the service (inside the write statement on
        # PostgreSQL): the ratees are read only to show the page.
        sheets = read_customer_sheets(request.POST, criteria)
        try:
            services.rating_submit_customer(token=found, sheets=sheets, criteria=criteria)
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        else:
            # Back to this very page (now "thank you"); no URL reversal on the busiest path.
            return HttpResponseRedirect(request.path)
    ratees = selectors.customer_ratees(campaign, found.customer)
    posted = {pk: sheets.get(pk, ({}, "")) for pk in (p.pk for p in ratees)}
    context.update(
        {
            "members": [
                {
                    "person": p,
                    "card": getattr(p, "member_card", None),
                    "fields": sheet_fields(
                        campaign,
                        criteria,
                        posted.get(p.pk, ({}, ""))[0],
                        errors,
                        prefix=f"s-{p.pk}-",
                    ),
                    "comment": posted.get(p.pk, ({}, ""))[1],
                    "comment_errors": errors.get(f"c-{p.pk}", []),
                }
                for p in ratees
            ],
            "errors": errors.get("__all__", []),
            "has_errors": bool(errors),
        }
    )
    return render(request, "appraisal/public_rate.html", context, status=422 if errors else 200)


def rate_photo(request, token: str, person_id: int):
    found = selectors.token_for(token)
    if found is None:
        raise Http404
    for person in selectors.customer_ratees(found.campaign, found.customer):
        if person.pk == person_id:
            return _photo_response(person)
    raise Http404


# -- public rating (群众评议) ---------------------------------------------------------------------


def _subject(campaign: Campaign, person: Person) -> str:
    return f"{campaign.pk}:{person.pk}"


def _public_sheet(request, *, card: MemberCard, campaign: Campaign | None, action: str):
    person = card.person
    criteria = selectors.criteria_of(campaign) if campaign else []
    context = {
        "card": card,
        "person": person,
        "campaign": campaign,
        "action": action,
        "closed": _("目前没有进行中的群众评议") if campaign is None else None,
    }
    if campaign is not None:
        context["closed"] = selectors.campaign_closed_reason(campaign)
        if not context["closed"] and not selectors.takes_kind(campaign, RaterKind.PUBLIC):
            context["closed"] = _("本次评议不接受群众评议")
    status = 200
    errors: dict = {}
    values: dict = {}
    comment = ""
    device = public_forms.device_id(request)
    if request.method == "POST" and not context["closed"]:
        if public_forms.over_rate_limit(
            request, PUBLIC_PURPOSE, limit=PUBLIC_RATE_LIMIT, window=PUBLIC_RATE_WINDOW
        ):
            context["limited"] = True
            return render(request, "appraisal/public_member.html", context, status=429)
        values = read_scores(request.POST, criteria, prefix="s-")
        comment = request.POST.get("comment", "")
        try:
            public_forms.read_form_token(
                request.POST.get("ft", ""),
                PUBLIC_PURPOSE,
                _subject(campaign, person),
                max_age=FORM_MAX_AGE,
            )
        except public_forms.TokenInvalid:
            errors = {"__all__": [_("表单已过期或无效，请刷新页面后重新填写")]}
        else:
            try:
                services.rating_submit_public(
                    campaign=campaign, ratee=person, raw=values, comment=comment, device=device
                )
            except ValidationError as exc:
                errors = (
                    exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
                )
            else:
                context["thanks"] = True
        status = 422 if errors else 200
    if campaign is not None and not context["closed"] and not context.get("thanks"):
        context.update(
            {
                "fields": sheet_fields(campaign, criteria, values, errors, prefix="s-"),
                "comment": comment,
                "comment_errors": errors.get("comment", []),
                "errors": errors.get("__all__", []),
                "form_token": public_forms.issue_form_token(
                    PUBLIC_PURPOSE, _subject(campaign, person)
                ),
            }
        )
    response = render(request, "appraisal/public_member.html", context, status=status)
    return public_forms.remember_device(response, device)


@never_cache
def public_rate(request, token: str):
    """评一评 from a member's card: counts as 群众评议 in the campaign that reaches him."""
    card = card_for_public_token(token)
    campaign = selectors.public_campaign_for(card.person)
    return _public_sheet(request, card=card, campaign=campaign, action=request.path)


def card_photo(request, token: str):
    return _photo_response(card_for_public_token(token).person)


def _survey_campaign_or_404(public_token: str) -> Campaign:
    campaign = (
        Campaign.objects.select_related("party_org")
        .filter(public_token=public_token)
        .exclude(status=Campaign.Status.DRAFT)
        .first()
    )
    if campaign is None or not public_token:
        raise Http404
    return campaign


@never_cache
def survey(request, public_token: str):
    """群众评议问卷: the campaign's members with a published card, found by name."""
    campaign = _survey_campaign_or_404(public_token)
    cards = MemberCard.objects.filter(
        is_published=True,
        person__membership__branch__path__startswith=campaign.party_org.path,
    ).select_related("person", "person__membership__branch")
    query = request.GET.get("q", "").strip()[:20]
    if query:
        cards = cards.filter(person__name__contains=query)
    listing = paginate(
        request,
        cards,
        sort_fields={"branch": "person__membership__branch__path"},
        default_sort="branch",
        per_page=30,
    )
    return render(
        request,
        "appraisal/survey.html",
        {
            "campaign": campaign,
            "listing": listing,
            "closed": selectors.campaign_closed_reason(campaign)
            or (
                None
                if selectors.takes_kind(campaign, RaterKind.PUBLIC)
                else _("本次评议不接受群众评议")
            ),
        },
    )


@never_cache
def survey_rate(request, public_token: str, card_token: str):
    campaign = _survey_campaign_or_404(public_token)
    card = card_for_public_token(card_token)
    if not selectors.campaign_members(campaign).filter(pk=card.person_id).exists():
        raise Http404
    return _public_sheet(request, card=card, campaign=campaign, action=request.path)

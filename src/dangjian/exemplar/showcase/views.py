from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.people.models import Person
from dangjian.platform.exports import exportable, workbook_export
from dangjian.platform.history import history_rows
from dangjian.platform.links import absolute_url
from dangjian.platform.listing import filtered_list, paginate
from dangjian.platform.pdf import pdf_response, render_pdf
from dangjian.platform.qr import qr_svg_data_uri, qr_svg_inline
from dangjian.platform.scoping import get_restricted_or_404, user_can

from . import selectors, services
from .forms import (
    CardFilterForm,
    CardForm,
    CommitmentForm,
    EnsureForm,
    FileForm,
    PrintForm,
    ReviewForm,
)
from .models import Commitment, CommitmentFile, MemberCard
from .photos import photo_data_uri, photo_jpeg
from .reach import is_officer, reaches

SORTS = {"name": "person__name_pinyin", "updated": "updated_at"}


def _add_errors(form, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    labels = {"year": _("年度")}
    for field, errors in exc.message_dict.items():
        if field in form.fields and not form.fields[field].widget.is_hidden:
            form.add_error(field, errors)
        else:  # a hidden field (the year): shown above the form, named
            label = labels.get(field, "")
            form.add_error(None, [f"{label}：{e}" if label else e for e in errors])


def _public_path(card: MemberCard) -> str:
    return reverse("showcase:public", args=[card.public_token])


def _filtered(request):
    return filtered_list(request, CardFilterForm(request.GET or None), selectors.card_list)


@login_required
def card_list(request):
    if not user_can(request.user, "view", MemberCard):
        raise Http404
    form, cards = _filtered(request)
    listing = paginate(request, cards, sort_fields=SORTS, default_sort="name")
    year = timezone.localdate().year
    written = set(
        Commitment.objects.filter(card__in=[c.pk for c in listing.rows], year=year).values_list(
            "card_id", flat=True
        )
    )
    return render(
        request,
        "exemplar_showcase/list.html",
        {
            "listing": listing,
            "filter_form": form,
            "written": written,
            "year": year,
            "can_export": user_can(request.user, "export", MemberCard),
            "can_print": is_officer(request.user, "view", MemberCard),
        },
    )


@login_required
def card_export(request):
    _form, cards = _filtered(request)
    cards = exportable(request, MemberCard, cards)
    year = timezone.localdate().year
    texts = dict(
        Commitment.objects.filter(card__in=cards.values("pk"), year=year).values_list(
            "card_id", "text"
        )
    )

    def rows():
        for c in cards.order_by("person__name_pinyin", "pk").iterator(chunk_size=2000):
            person = c.person
            yield [
                person.name,
                person.membership.branch.name,
                c.department,
                person.post,
                person.title,
                c.is_model_post,
                c.model_post_name,
                c.is_published,
                texts.get(c.pk, ""),
            ]

    return workbook_export(
        request,
        model=MemberCard,
        count=cards.count(),
        filename="党员亮身份卡.xlsx",
        title="党员亮身份卡",
        headers=[
            "姓名",
            "所在支部",
            "部门",
            "岗位",
            "职务",
            "党员示范岗",
            "示范岗名称",
            "公开",
            f"{year}年承诺",
        ],
        rows=rows(),
        widths=[10, 24, 16, 12, 12, 10, 18, 6, 60],
    )


def _detail_context(request, card: MemberCard, *, commitment_form=None, review_forms=None):
    user = request.user
    today = timezone.localdate()
    commitments = list(selectors.commitments_of(user, card))
    own = card.person.user_id == user.pk
    can_change_card = MemberCard.objects.restrict(user, "change").filter(pk=card.pk).exists()
    by_year = {c.year: c for c in commitments}
    # The year to write: this year's until it is reviewed; from November also the next.
    years = [today.year] + ([today.year + 1] if today.month >= 11 else [])
    writable = []
    for year in years:
        existing = by_year.get(year)
        if existing is not None and existing.is_reviewed:
            continue
        action = "change" if existing else "add"
        if reaches(user, action, Commitment, "card", card):
            form = (
                commitment_form
                if commitment_form is not None and commitment_form["year"].value() == str(year)
                else CommitmentForm(
                    initial={"year": year, "text": existing.text if existing else ""},
                    prefix=f"y{year}",
                )
            )
            writable.append({"year": year, "form": form, "existing": existing})
    if commitment_form is not None and not any(w["form"] is commitment_form for w in writable):
        # A refused year (a past year, a reviewed set): show the form with its errors.
        writable.append({"year": commitment_form["year"].value(), "form": commitment_form})
    reviewable = set()
    if not own:
        reviewable = set(
            Commitment.objects.restrict(user, "change")
            .filter(card=card)
            .values_list("pk", flat=True)
        )
    review_forms = review_forms or {}
    for c in commitments:
        c.can_review = c.pk in reviewable and today >= services.review_opens_on(c.year)
        c.review_form = review_forms.get(c.pk) or ReviewForm(
            initial={"result": c.result, "evidence": c.evidence}, prefix=f"r{c.pk}"
        )
        c.can_attach = reaches(user, "add", CommitmentFile, "commitment", c)
    public_url = absolute_url(_public_path(card))
    return {
        "card": card,
        "person": card.person,
        "current": selectors.current_commitment(card, today),
        "commitments": commitments,
        "writable": writable,
        "own": own,
        "can_change_card": can_change_card,
        "public_url": public_url,
        "qr_svg": qr_svg_inline(public_url, scale=3) if card.is_published else "",
        "file_form": FileForm(),
        "history": history_rows(card),
        "photo_url": reverse("showcase:photo", args=[card.pk]) if card.person.photo else "",
    }


def _card_or_404(request, pk, action="view"):
    return get_restricted_or_404(
        MemberCard.objects.select_related("person", "person__unit", "person__membership__branch"),
        request.user,
        action,
        pk=pk,
    )


@login_required
def card_detail(request, pk):
    card = _card_or_404(request, pk)
    return render(request, "exemplar_showcase/detail.html", _detail_context(request, card))


@login_required
def my_card(request):
    """我的亮身份卡: the member's own card, created on first visit."""
    person = (
        Person.objects.select_related("unit", "membership__branch")
        .filter(user=request.user)
        .first()
    )
    if person is None or not hasattr(person, "membership"):
        return render(request, "exemplar_showcase/no_card.html", status=404)
    try:
        card = services.card_ensure(actor=request.user, person=person)
    except (PermissionDenied, ValidationError):
        return render(request, "exemplar_showcase/no_card.html", status=404)
    card = _card_or_404(request, card.pk)
    return render(request, "exemplar_showcase/detail.html", _detail_context(request, card))


def _back(card, request):
    if card.person.user_id == request.user.pk:
        return redirect("showcase:me")
    return redirect("showcase:detail", pk=card.pk)


@login_required
@require_POST
def commitment_save(request, pk):
    card = _card_or_404(request, pk)
    year = request.POST.get("year_key", "")
    form = CommitmentForm(request.POST, prefix=f"y{year}" if year.isdigit() else None)
    if form.is_valid():
        try:
            services.commitment_save(
                actor=request.user,
                card=card,
                year=form.cleaned_data["year"],
                text=form.cleaned_data["text"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            messages.success(request, _("承诺已保存"))
            return _back(card, request)
    context = _detail_context(request, card, commitment_form=form)
    return render(request, "exemplar_showcase/detail.html", context, status=422)


@login_required
@require_POST
def commitment_review(request, pk):
    commitment = get_restricted_or_404(
        Commitment.objects.select_related("card__person"), request.user, "change", pk=pk
    )
    card = _card_or_404(request, commitment.card_id)
    form = ReviewForm(request.POST, prefix=f"r{commitment.pk}")
    if form.is_valid():
        try:
            services.commitment_review(
                actor=request.user, commitment=commitment, **form.cleaned_data
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已评定%(y)s年承诺") % {"y": commitment.year})
            return redirect("showcase:detail", pk=card.pk)
    context = _detail_context(request, card, review_forms={commitment.pk: form})
    return render(request, "exemplar_showcase/detail.html", context, status=422)


@login_required
@require_POST
def commitment_file_add(request, pk):
    commitment = get_restricted_or_404(
        Commitment.objects.select_related("card__person"), request.user, pk=pk
    )
    form = FileForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.commitment_file_add(
                actor=request.user, commitment=commitment, upload=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            messages.error(request, _("佐证文件：%(e)s") % {"e": "；".join(exc.messages)})
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            messages.success(request, _("已上传佐证"))
    else:
        messages.error(request, _("佐证文件：请选择文件"))
    return _back(commitment.card, request)


@login_required
def commitment_file(request, pk):
    row = get_restricted_or_404(CommitmentFile, request.user, pk=pk)
    try:
        handle = row.file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    inline = row.content_type.startswith("image/") or row.content_type == "application/pdf"
    return FileResponse(
        handle, content_type=row.content_type, as_attachment=not inline, filename=row.name
    )


@login_required
def card_edit(request, pk):
    card = _card_or_404(request, pk, "change")
    form = CardForm(request.POST or None, instance=card)
    if request.method == "POST" and form.is_valid():
        try:
            services.card_update(actor=request.user, card=card, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("亮身份卡已保存"))
            return redirect("showcase:detail", pk=card.pk)
    return render(
        request,
        "exemplar_showcase/form.html",
        {"form": form, "card": card, "title": _("设置亮身份卡：%(p)s") % {"p": card.person.name}},
        status=422 if form.is_bound and form.errors else 200,
    )


def _jpeg(data: bytes | None) -> HttpResponse:
    if data is None:
        raise Http404
    response = HttpResponse(data, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
def card_photo(request, pk):
    card = _card_or_404(request, pk)
    return _jpeg(photo_jpeg(card.person, px=480))


# -- 党员示范岗牌 (PDF) ---------------------------------------------------------------------


def _size(request) -> str:
    size = request.GET.get("size", "A6").upper()
    return size if size in ("A6", "A5") else "A6"


def _postcards_pdf(cards, size: str) -> bytes:
    items = []
    for card in cards:
        this_year = getattr(card, "this_year", None)
        url = absolute_url(_public_path(card))
        items.append(
            {
                "card": card,
                "person": card.person,
                "photo": photo_data_uri(card.person),
                "commitment": this_year[0] if this_year else None,
                "qr": qr_svg_data_uri(url, scale=4, border=1),
                "url": url,
            }
        )
    return render_pdf(
        "exemplar_showcase/postcard_pdf.html",
        {"items": items, "year": timezone.localdate().year, "page_numbers": False},
        page_size=size,
    )


@login_required
def card_postcard(request, pk):
    card = _card_or_404(request, pk)
    cards = list(selectors.cards_for_print(request.user, pks=[card.pk]))
    if not cards:
        messages.error(request, _("该亮身份卡未公开，不能打印示范岗牌（二维码将无法打开）"))
        return redirect("showcase:detail", pk=card.pk)
    size = _size(request)
    pdf = _postcards_pdf(cards, size)
    return pdf_response(pdf, filename=f"党员示范岗牌-{card.person.name}-{size}.pdf")


@login_required
def branch_print(request):
    """Choose a branch: its members' post cards in one PDF (one card a page), or create the
    missing cards first."""
    if not is_officer(request.user, "view", MemberCard):
        raise Http404
    branches = selectors.branches_for_print(request.user)
    form = PrintForm(request.GET or None, branches=branches)
    if form.is_bound and form.is_valid():
        branch, size = form.cleaned_data["branch"], form.cleaned_data["size"]
        cards = list(selectors.cards_for_print(request.user, branch=branch))
        if cards:
            pdf = _postcards_pdf(cards, size)
            return pdf_response(pdf, filename=f"党员示范岗牌-{branch.name}-{size}.pdf")
        form.add_error("branch", _("该支部没有可打印的公开亮身份卡，请先生成亮身份卡"))
    return render(
        request,
        "exemplar_showcase/print.html",
        {
            "form": form,
            "ensure_form": EnsureForm(branches=branches, prefix="e"),
            "can_ensure": is_officer(request.user, "add", MemberCard),
        },
        status=422 if form.is_bound else 200,
    )


@login_required
@require_POST
def branch_ensure(request):
    if not is_officer(request.user, "add", MemberCard):
        raise Http404
    form = EnsureForm(request.POST, branches=selectors.branches_for_print(request.user), prefix="e")
    if not form.is_valid():
        messages.error(request, _("党支部：请选择"))
        return redirect("showcase:print")
    try:
        made = services.cards_ensure_for_branch(
            actor=request.user, branch=form.cleaned_data["branch"]
        )
    except (ValidationError, PermissionDenied) as exc:
        text = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        messages.error(request, text)
    else:
        messages.success(request, _("已生成 %(n)s 张亮身份卡") % {"n": made})
    return redirect("showcase:print")


# -- public (no login) ----------------------------------------------------------------------


def public_card(request, token):
    """The card's public page (QR code, link): only what 三亮 puts on the card."""
    card = selectors.card_for_public_token(token)
    return render(
        request,
        "exemplar_showcase/public.html",
        {
            "card": card,
            "person": card.person,
            "current": selectors.current_commitment(card),
            "rate_url": reverse("appraisal:public_rate", args=[token]),
            "photo_url": reverse("showcase:public_photo", args=[token])
            if card.person.photo
            else "",
        },
    )


def public_photo(request, token):
    card = selectors.card_for_public_token(token)
    return _jpeg(photo_jpeg(card.person, px=480))

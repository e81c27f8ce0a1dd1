"""客户评议卡: the printed slip that carries a customer's one-use link as a QR code — one per
page (A6) for a single customer, eight per A4 page for a market area's batch."""

from __future__ import annotations

from django.urls import reverse

from dangjian.platform.links import absolute_url
from dangjian.platform.pdf import render_pdf
from dangjian.platform.qr import qr_svg_data_uri

from .models import Campaign, RatingToken

PER_PAGE = 8


def rating_link(token: RatingToken) -> str:
    return absolute_url(reverse("appraisal:rate", args=[token.token]))


def _slip(token: RatingToken) -> dict:
    link = rating_link(token)
    return {"token": token, "customer": token.customer, "link": link, "qr": qr_svg_data_uri(link)}


def area_tokens(campaign: Campaign, unit_id: int) -> list[RatingToken]:
    return list(
        RatingToken.objects.filter(campaign=campaign, customer__unit_id=unit_id)
        .select_related("customer", "customer__unit")
        .order_by("customer__licence_no")
    )


def slips_pdf(campaign: Campaign, tokens: list[RatingToken], *, single: bool = False) -> bytes:
    slips = [_slip(t) for t in tokens]
    pages = [slips[i : i + PER_PAGE] for i in range(0, len(slips), PER_PAGE)]
    return render_pdf(
        "appraisal/slips_pdf.html",
        {"campaign": campaign, "pages": pages, "single": single, "page_numbers": False},
        page_size="A6" if single else "A4",
    )

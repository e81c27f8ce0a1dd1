"""HTML templates → PDF with WeasyPrint: A4 letters, A5/A6 cards, long report tables.

Chinese text needs a CJK font installed on the machine: the Debian package
``fonts-noto-cjk`` provides "Noto Sans CJK SC" and "Noto Serif CJK SC", which the templates
under ``platform/pdf/`` name. Templates extend ``platform/pdf/base.html`` and receive
``page_size`` ("A4", "A5", "A6") and ``landscape``.

Resources: only ``data:`` URIs are fetched (QR codes from :mod:`dangjian.platform.qr`,
inline images). A template can never make the server fetch a URL.

Long tables: WeasyPrint spends a few milliseconds on every table cell (Pango lays out each
one; measured 1 000 rows × 6 columns ≈ 8–20 s on a 2-CPU machine depending on load), so a
10 000-row table would take minutes. :func:`table_pdf` therefore caps a table at
``max_cells`` cells (default :data:`MAX_TABLE_CELLS`, i.e. 1 000 rows of 5 columns) and says
so at the top of the first page ("本表共 … 行，PDF 仅显示前 … 行；完整数据请导出 Excel") —
visibly, never silently. The full list is the Excel export's job (streamed). Tables use
``table-layout: fixed``: the automatic layout re-measures the whole table on every page.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import islice
from urllib.parse import quote

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from weasyprint import HTML, URLFetcher

PAGE_SIZES = ("A4", "A5", "A6")
MAX_TABLE_CELLS = 5_000


class DataOnlyFetcher(URLFetcher):
    """Refuses everything but ``data:`` URIs (no file system, no network)."""

    def __init__(self):
        super().__init__(allowed_protocols=("data",), timeout=1)


def _html(template_name: str, context: dict, *, page_size: str, landscape: bool, request):
    if page_size not in PAGE_SIZES:
        raise ValueError(f"page size must be one of {PAGE_SIZES}")
    context = {"page_size": page_size, "landscape": landscape, "page_numbers": True, **context}
    source = render_to_string(template_name, context, request=request)
    return HTML(string=source, url_fetcher=DataOnlyFetcher(), base_url=None)


def render_pdf(
    template_name: str,
    context: dict | None = None,
    *,
    page_size: str = "A4",
    landscape: bool = False,
    request=None,
) -> bytes:
    """Render ``template_name`` with ``context`` and return the PDF bytes."""
    html = _html(
        template_name, context or {}, page_size=page_size, landscape=landscape, request=request
    )
    return html.write_pdf()


def pdf_response(pdf: bytes, *, filename: str, inline: bool = True) -> HttpResponse:
    """An HTTP response for PDF bytes (``inline`` opens it in the browser)."""
    response = HttpResponse(pdf, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(filename)}"
    return response


def table_pdf(
    *,
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence],
    subtitle: str = "",
    page_size: str = "A4",
    landscape: bool = True,
    max_cells: int = MAX_TABLE_CELLS,
    total: int | None = None,
    template_name: str = "platform/pdf/table.html",
) -> tuple[bytes, bool]:
    """A report table as PDF, and whether it was cut short; rows are consumed lazily.

    ``total`` (when the caller knows it, e.g. from ``count()``) lets the notice say how many
    rows there were; without it the function reads one row past the cap to find out.
    """
    max_rows = max(1, max_cells // max(1, len(headers)))
    iterator = iter(rows)
    taken = list(islice(iterator, max_rows))
    truncated = total > max_rows if total is not None else next(iterator, None) is not None
    notice = ""
    if truncated:
        notice = _("本表共 %(total)s 行，PDF 仅显示前 %(shown)s 行；完整数据请导出 Excel。") % {
            "total": total if total is not None else _("超过%(n)s") % {"n": max_rows},
            "shown": max_rows,
        }
    context = {
        "title": title,
        "subtitle": subtitle,
        "headers": headers,
        "rows": taken,
        "notice": notice,
        "show_title": True,
    }
    html = _html(template_name, context, page_size=page_size, landscape=landscape, request=None)
    return html.write_pdf(), truncated

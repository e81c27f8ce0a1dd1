"""Excel exports of list pages: the permission check, the scope, the access log, the file.

Every export view does the same four things around its own rows::

    rows = exportable(request, RetailCustomer, customers)   # 404 / narrowed to "export"
    return workbook_export(request, model=RetailCustomer, count=rows.count(), ...)

``exportable`` answers 404 (never 403) to a user no grant lets export the model and keeps
only the rows ``restrict(user, "export")`` allows — a list built for viewing can reach rows
the user may see but not take away. ``workbook_export`` writes the personal-data access log
(``AccessLog``) and hands out the workbook.
"""

from __future__ import annotations

from django.http import Http404

from .audit import log_access
from .excel import xlsx_response
from .scoping import user_can


def exportable(request, model, queryset=None):
    """``queryset`` (of ``model``; default: all its rows) cut down to the rows
    ``request.user`` may export; 404 when no grant allows exporting ``model`` at all."""
    if not user_can(request.user, "export", model):
        raise Http404
    if queryset is None:
        queryset = model.objects.all()
    # The export grants' condition added to the list's own: no subquery over the table, and
    # nothing at all for a superuser or a grant on the whole tree.
    return queryset.restrict(request.user, "export")


def workbook_export(
    request,
    *,
    model,
    count: int,
    filename: str,
    title: str,
    headers,
    rows,
    widths=None,
    object_id="",
    detail: str | None = None,
):
    """Log the export of ``count`` rows of ``model`` and answer with the workbook.

    ``detail`` (default: the request's filters) says in the access log what was exported;
    ``rows`` may be any iterable, a generator streams.
    """
    log_access(
        user=request.user,
        action="export",
        model=model,
        object_id=object_id,
        rows=count,
        detail=request.GET.urlencode() if detail is None else detail,
        request=request,
    )
    return xlsx_response(filename=filename, title=title, headers=headers, rows=rows, widths=widths)

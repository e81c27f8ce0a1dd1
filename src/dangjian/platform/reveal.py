"""Showing a masked personal field in clear: allowed by role, always logged."""

from django.http import HttpResponse
from django.utils.html import escape

from .audit import log_access
from .scoping import get_restricted_or_404


def reveal_field(request, model, pk, field: str) -> HttpResponse:
    """POST-only reveal of one personal field; 404 when out of scope or not allowed."""
    if field not in getattr(model, "PERSONAL_FIELDS", ()):
        from django.http import Http404

        raise Http404
    obj = get_restricted_or_404(model, request.user, "reveal", pk=pk)
    log_access(
        user=request.user, action="reveal", model=model, object_id=pk, field=field, request=request
    )
    return HttpResponse(f'<span class="masked">{escape(getattr(obj, field) or "—")}</span>')

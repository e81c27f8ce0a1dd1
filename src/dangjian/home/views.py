from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

from .selectors import home_figures, party_work_items


@login_required
def index(request):
    figures = home_figures(request.user)
    chart = {
        "branches": [row["branch__name"] for row in figures["per_branch"]],
        "full": [row["full"] for row in figures["per_branch"]],
        "probationary": [row["probationary"] for row in figures["per_branch"]],
    }
    return render(
        request,
        "home/index.html",
        {"figures": figures, "chart": chart, "party_work": party_work_items(request.user)},
    )


def healthz(request):
    """200 with the database status; 503 when the database does not answer."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return JsonResponse({"status": "ok", "database": "ok", "vendor": connection.vendor})
    except Exception as exc:  # noqa: BLE001 - any database failure is "unhealthy"
        return JsonResponse({"status": "error", "database": str(exc)[:200]}, status=503)

"""The product's URL map plus ``/bench/bare-insert/``: a bare Django view doing one INSERT,
through the same middleware (sessions, CSRF, auth …) as the real form — the baseline the
rating submission is compared with."""

from django.db import connection
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.http import require_POST

from dangjian.urls import urlpatterns as product_urlpatterns


@require_POST
def bare_insert(request):
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO bench_bare_insert (token) VALUES (%s)", [request.POST["t"]])
    return HttpResponse("ok")


urlpatterns = [path("bench/bare-insert/", bare_insert), *product_urlpatterns]

"""The REST API (django-ninja) mounted at /api/v1/."""

from django.urls import path

from dangjian.api import api

urlpatterns = [path("", api.urls)]

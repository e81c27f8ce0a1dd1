from django.urls import path

from . import views

app_name = "rulebook"

urlpatterns = [
    path("", views.rule_list, name="list"),
    path("<str:key>/", views.rule_detail, name="detail"),
    path("<str:key>/new/", views.rule_version_create, name="version_create"),
]

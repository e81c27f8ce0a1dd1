from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("grants/", views.grant_list, name="grants"),
    path("access-log/", views.access_log, name="access_log"),
]

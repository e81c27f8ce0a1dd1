from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("grants/", views.grant_list, name="grants"),
    path("access-log/", views.access_log, name="access_log"),
    path("grants/new/", views.grant_create, name="grant_create"),
    path("grants/<int:pk>/", views.grant_detail, name="grant_detail"),
    path("grants/<int:pk>/revoke/", views.grant_revoke, name="grant_revoke"),
]

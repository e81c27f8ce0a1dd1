from django.urls import path

from . import views

app_name = "tickets"
urlpatterns = [
    path("", views.ticket_list, name="list"),
    path("export/", views.ticket_export, name="export"),
    path("new/", views.ticket_create, name="create"),
    path("suggest/<slug:field>/", views.suggest, name="suggest"),
    path("<int:pk>/", views.ticket_detail, name="detail"),
    path("<int:pk>/step/<slug:step>/", views.ticket_step, name="step"),
    path("<int:pk>/reveal/", views.ticket_reveal, name="reveal"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("stats/", views.ticket_stats, name="stats"),
    path("stats/export/", views.ticket_stats_export, name="stats_export"),
    path("stats/rebuild/", views.ticket_stats_rebuild, name="stats_rebuild"),
    path("settings/", views.ticket_settings, name="settings"),
    # Public pages: no login.
    path("public/", views.public_form, name="public"),
    path("track/<str:code>/", views.public_track, name="track"),
    path("track/<str:code>/supplement/", views.public_supplement, name="supplement"),
    path("rate/<str:code>/", views.public_rate, name="rate"),
]

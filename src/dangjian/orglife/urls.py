from django.urls import path

from . import views

app_name = "orglife"

urlpatterns = [
    path("", views.matrix, name="matrix"),
    path("export/", views.matrix_export, name="matrix_export"),
    path("suggest/<slug:field>/", views.suggest, name="suggest"),
    path("branches/<int:pk>/", views.branch_calendar, name="branch"),
    path("branches/<int:pk>/plan/", views.plan, name="plan"),
    path("branches/<int:pk>/study-hours/", views.study_hours, name="study_hours"),
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/export/", views.meeting_export, name="meeting_export"),
    path("meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/record/", views.meeting_record, name="meeting_record"),
    path("meetings/<int:pk>/notify/", views.meeting_notify, name="meeting_notify"),
    path("meetings/<int:pk>/cancel/", views.meeting_cancel, name="meeting_cancel"),
    path("meetings/<int:pk>/files/", views.meeting_file_upload, name="meeting_file_upload"),
    path("files/<int:pk>/", views.meeting_file, name="meeting_file"),
]

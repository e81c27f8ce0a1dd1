from django.urls import path

from . import views

app_name = "contests"
urlpatterns = [
    path("", views.contest_list, name="list"),
    path("export/", views.contest_export, name="export"),
    path("new/", views.contest_edit, name="create"),
    path("mine/", views.mine, name="mine"),
    path("suggest/<slug:field>/", views.suggest, name="suggest"),
    path("branches/<int:pk>/", views.branch, name="branch"),
    path("<int:pk>/", views.contest_detail, name="detail"),
    path("<int:pk>/edit/", views.contest_edit, name="edit"),
    path("<int:pk>/participants/", views.participants_add, name="participants"),
    path("<int:pk>/scores/", views.scores, name="scores"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/certificates/", views.certificates, name="certificates"),
    path("<int:pk>/import/", views.score_import, name="import"),
    path("<int:pk>/import/template/", views.score_import_template, name="import_template"),
    path("entries/<int:pk>/remove/", views.participant_remove, name="remove"),
    path("entries/<int:pk>/certificate/", views.certificate, name="certificate"),
]

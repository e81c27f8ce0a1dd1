from django.urls import path

from . import views

app_name = "window"
urlpatterns = [
    path("", views.application_list, name="list"),
    path("export/", views.application_export, name="export"),
    path("worklist/", views.worklist, name="worklist"),
    path("new/", views.application_create, name="create"),
    path("suggest/<slug:kind>/", views.suggest, name="suggest"),
    path("<int:pk>/", views.application_detail, name="detail"),
    path("<int:pk>/materials/", views.application_materials, name="materials"),
    path("<int:pk>/notice/", views.notice_issue, name="notice"),
    path("<int:pk>/change/", views.request_change, name="change"),
    path("<int:pk>/accept/", views.application_accept, name="accept"),
    path("<int:pk>/inspect/", views.application_inspect, name="inspect"),
    path("<int:pk>/inspect/suggest/", views.suggest_staff, name="suggest_staff"),
    path("<int:pk>/review/", views.application_review, name="review"),
    path("<int:pk>/extend/", views.application_extend, name="extend"),
    path("<int:pk>/decide/", views.application_decide, name="decide"),
    path("<int:pk>/deliver/", views.application_deliver, name="deliver"),
    path("<int:pk>/reveal/<str:field>/", views.application_reveal, name="reveal"),
    path("notices/<int:pk>.pdf", views.notice_pdf, name="notice_pdf"),
    path("windows/", views.window_list, name="windows"),
    path("windows/new/", views.window_create, name="window_create"),
    path("windows/<int:pk>/", views.window_detail, name="window_detail"),
    path("windows/<int:pk>/edit/", views.window_edit, name="window_edit"),
    path("materials/new/", views.material_create, name="material_create"),
    path("materials/<int:pk>/edit/", views.material_edit, name="material_edit"),
    path("expiring/", views.expiring_list, name="expiring"),
    path("expiring/export/", views.expiring_export, name="expiring_export"),
    path("expiring/print/", views.expiring_print, name="expiring_print"),
    path("p/<str:token>/", views.public_page, name="public"),
    path("p/<str:token>/photo/", views.public_photo, name="public_photo"),
]

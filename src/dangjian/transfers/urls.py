from django.urls import path

from . import views

app_name = "transfers"
urlpatterns = [
    path("", views.transfer_list, name="list"),
    path("export/", views.transfer_export, name="export"),
    path("new/", views.transfer_create, name="create"),
    path("incoming/new/", views.transfer_create_incoming, name="create_incoming"),
    path("<int:pk>/", views.transfer_detail, name="detail"),
    path("<int:pk>/receive/", views.transfer_receive, name="receive"),
    path("<int:pk>/cancel/", views.transfer_cancel, name="cancel"),
    path("<int:pk>/letter.pdf", views.transfer_letter, name="letter"),
    path("suggest/<slug:kind>/", views.suggest, name="suggest"),
    path("mobile/", views.mobile_list, name="mobile_list"),
    path("mobile/export/", views.mobile_export, name="mobile_export"),
    path("mobile/new/", views.mobile_create, name="mobile_create"),
    path("mobile/<int:pk>/", views.mobile_detail, name="mobile_detail"),
    path("mobile/<int:pk>/end/", views.mobile_end, name="mobile_end"),
]

from django.urls import path

from . import views

app_name = "customers"
urlpatterns = [
    path("", views.customer_list, name="list"),
    path("export/", views.customer_export, name="export"),
    path("import/", views.customer_import, name="import"),
    path("import/template/", views.customer_import_template, name="import_template"),
    path("new/", views.customer_edit, name="create"),
    path("<int:pk>/", views.customer_detail, name="detail"),
    path("<int:pk>/edit/", views.customer_edit, name="edit"),
    path("<int:pk>/reveal/<str:field>/", views.customer_reveal, name="reveal"),
]

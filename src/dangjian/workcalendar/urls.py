from django.urls import path

from . import views

app_name = "workcalendar"
urlpatterns = [
    path("", views.month, name="month"),
    path("pdf/", views.month_pdf, name="month_pdf"),
    path("units/<int:unit_pk>/days/new/", views.day_add, name="day_add"),
    path("units/<int:unit_pk>/hours/", views.hours_edit, name="hours_edit"),
    path("days/<int:pk>/delete/", views.day_delete, name="day_delete"),
]

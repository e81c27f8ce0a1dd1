from django.urls import path

from . import views

app_name = "visits"
urlpatterns = [
    path("", views.visit_list, name="list"),
    path("export/", views.visit_export, name="export"),
    path("new/", views.visit_create, name="create"),
    path("mine/", views.my_visits, name="mine"),
    path("suggest/<slug:field>/", views.suggest, name="suggest"),
    path("<int:pk>/", views.visit_detail, name="detail"),
    path("<int:pk>/edit/", views.visit_edit, name="edit"),
    path("<int:pk>/delete/", views.visit_delete, name="delete"),
    path("<int:pk>/photos/", views.photo_add, name="photo_add"),
    path("<int:pk>/follow-up/", views.follow_up_done, name="follow_up_done"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("customer/<int:pk>/", views.customer_visits, name="customer"),
    path("staff/<int:pk>/", views.staff_visits, name="staff"),
    path("follow-ups/", views.follow_ups, name="follow_ups"),
    path("due/", views.due, name="due"),
    path("overdue/", views.overdue, name="overdue"),
    path("coverage/", views.coverage, name="coverage"),
    path("kinds/", views.kinds, name="kinds"),
    path("kinds/<int:pk>/", views.kinds, name="kind_edit"),
    path("service-types/", views.service_types, name="service_types"),
    path("service-types/<int:pk>/", views.service_types, name="service_type_edit"),
    path("plans/", views.plans, name="plans"),
    path("plans/<int:pk>/", views.plans, name="plan_edit"),
    path("discussions/", views.discussion_list, name="discussions"),
    path("discussions/new/", views.discussion_create, name="discussion_create"),
    path("discussions/<int:pk>/", views.discussion_detail, name="discussion_detail"),
    path("discussions/<int:pk>/edit/", views.discussion_edit, name="discussion_edit"),
]

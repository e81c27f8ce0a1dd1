from django.urls import path

from . import views

app_name = "study"
urlpatterns = [
    path("", views.index, name="index"),
    path("branches/", views.branches, name="branches"),
    path("branches/<int:pk>/", views.branch, name="branch"),
    path("branches/<int:pk>/export/", views.branch_export, name="branch_export"),
    path("members/<int:pk>/", views.member, name="member"),
    path("self/", views.self_queue, name="self_queue"),
    path("self/new/", views.self_add, name="self_add"),
    path("self/<int:pk>/review/", views.self_review, name="self_review"),
    path("self/<int:pk>/attachment/", views.self_attachment, name="self_attachment"),
    path("reflections/", views.reflection_list, name="reflection_list"),
    path("reflections/new/", views.reflection_new, name="reflection_new"),
    path("reflections/<int:pk>/", views.reflection_detail, name="reflection_detail"),
    path("reflections/<int:pk>/revise/", views.reflection_revise, name="reflection_revise"),
    path("reflections/<int:pk>/review/", views.reflection_review, name="reflection_review"),
]

from django.urls import path

from . import views

app_name = "people"
urlpatterns = [
    path("", views.person_list, name="list"),
    path("export/", views.person_export, name="export"),
    path("new/", views.person_edit, name="create"),
    path("<int:pk>/", views.person_detail, name="detail"),
    path("<int:pk>/edit/", views.person_edit, name="edit"),
    path("<int:pk>/photo/", views.person_photo, name="photo"),
    path("<int:pk>/reveal/<str:field>/", views.person_reveal, name="reveal"),
    path("me/", views.my_profile, name="me"),
]

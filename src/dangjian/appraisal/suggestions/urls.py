from django.urls import path

from . import views

app_name = "suggestions"
urlpatterns = [
    path("", views.suggestion_list, name="list"),
    path("export/", views.suggestion_export, name="export"),
    path("boxes/", views.box_list, name="boxes"),
    path("boxes/<int:branch>/toggle/", views.box_toggle, name="box_toggle"),
    path("<int:pk>/", views.suggestion_detail, name="detail"),
    path("<int:pk>/answer/", views.suggestion_answer, name="answer"),
    path("<int:pk>/close/", views.suggestion_close, name="close"),
    path("<int:pk>/reveal/<str:field>/", views.suggestion_reveal, name="reveal"),
    # Public pages: no login.
    path("b/<str:key>/", views.public_box, name="public_box"),
    path("b/<str:key>/send/", views.public_submit, name="public_submit"),
    path("t/", views.track, name="track"),
    path("t/<str:code>/", views.track_code, name="track_code"),
]

from django.urls import path

from . import views

app_name = "showcase"
urlpatterns = [
    path("", views.card_list, name="list"),
    path("export/", views.card_export, name="export"),
    path("me/", views.my_card, name="me"),
    path("print/", views.branch_print, name="print"),
    path("print/ensure/", views.branch_ensure, name="ensure"),
    path("<int:pk>/", views.card_detail, name="detail"),
    path("<int:pk>/edit/", views.card_edit, name="edit"),
    path("<int:pk>/photo/", views.card_photo, name="photo"),
    path("<int:pk>/postcard.pdf", views.card_postcard, name="postcard"),
    path("<int:pk>/commitment/", views.commitment_save, name="commitment"),
    path("commitments/<int:pk>/review/", views.commitment_review, name="review"),
    path("commitments/<int:pk>/files/", views.commitment_file_add, name="file_add"),
    path("files/<int:pk>/", views.commitment_file, name="file"),
    # Public pages: no login, reached through the card's non-guessable token.
    path("p/<str:token>/", views.public_card, name="public"),
    path("p/<str:token>/photo/", views.public_photo, name="public_photo"),
]

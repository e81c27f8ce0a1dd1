from django.urls import path

from . import public_views, views

app_name = "appraisal"
urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("new/", views.campaign_edit, name="create"),
    path("suggest/org/", views.suggest_org, name="suggest_org"),
    path("todo/", views.todo, name="todo"),
    path("<int:pk>/", views.campaign_detail, name="detail"),
    path("<int:pk>/edit/", views.campaign_edit, name="edit"),
    path("<int:pk>/open/", views.campaign_open, name="open"),
    path("<int:pk>/close/", views.campaign_close, name="close"),
    path("<int:pk>/export/", views.campaign_export, name="export"),
    path("<int:pk>/tokens/", views.token_list, name="tokens"),
    path("<int:pk>/tokens/generate/", views.token_generate, name="token_generate"),
    path("<int:pk>/tokens/suggest/<slug:field>/", views.token_suggest, name="token_suggest"),
    path("<int:pk>/tokens/<int:token_id>/slip/", views.slip_pdf, name="slip"),
    path("<int:pk>/slips/", views.area_slips, name="area_slips"),
    path("<int:pk>/sheet/<int:person_id>/<str:kind>/", views.member_sheet, name="sheet"),
    # Public pages: no login.
    path("rate/m/<str:token>/", public_views.public_rate, name="public_rate"),
    path("rate/m/<str:token>/photo/", public_views.card_photo, name="card_photo"),
    path("rate/<str:token>/", public_views.rate, name="rate"),
    path("rate/<str:token>/photo/<int:person_id>/", public_views.rate_photo, name="rate_photo"),
    path("survey/<str:public_token>/", public_views.survey, name="survey"),
    path(
        "survey/<str:public_token>/<str:card_token>/",
        public_views.survey_rate,
        name="survey_rate",
    ),
]

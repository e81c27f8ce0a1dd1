from django.urls import path

from . import views

app_name = "grading"
urlpatterns = [
    path("", views.campaign_list, name="index"),
    path("<int:pk>/", views.campaign_results, name="campaign"),
    path("<int:pk>/compute/", views.campaign_compute, name="compute"),
    path("<int:pk>/export/", views.campaign_export, name="export"),
    path("<int:pk>/report/", views.campaign_report, name="report"),
    path("<int:pk>/policy/", views.campaign_policy, name="policy"),
    path("<int:pk>/leniency/", views.flag_list, name="flags"),
    path("<int:pk>/nominations/", views.nominations, name="nominations"),
    path("leniency/<int:pk>/decide/", views.flag_decide, name="flag_decide"),
    path("member/<int:pk>/", views.result_detail, name="result"),
    path("member/<int:pk>/decide/", views.result_decide, name="decide"),
    path("member/<int:pk>/nominate/", views.result_nominate, name="nominate"),
    path("plans/", views.plan_list, name="plans"),
    path("plans/<int:pk>/close/", views.plan_close, name="plan_close"),
    path("discipline/", views.discipline_list, name="discipline"),
    path("discipline/suggest/", views.discipline_suggest, name="discipline_suggest"),
    path("discipline/<int:pk>/close/", views.discipline_close, name="discipline_close"),
]

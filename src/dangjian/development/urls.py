from django.urls import path

from . import views

app_name = "development"
urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("new/", views.case_create, name="case_create"),
    path("suggest/branch/", views.suggest_branch, name="suggest_branch"),
    path("pipeline/", views.pipeline, name="pipeline"),
    path("balance/", views.balance, name="balance"),
    path("plans/", views.plan_list, name="plan_list"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/steps/", views.step_add, name="step_add"),
    path("<int:pk>/contacts/", views.contact_add, name="contact_add"),
    path("<int:pk>/notices/", views.notice_add, name="notice_add"),
    path("<int:pk>/move/", views.case_move, name="case_move"),
    path("steps/<int:pk>/correct/", views.step_correct, name="step_correct"),
    path("notices/<int:pk>/objections/", views.objection_add, name="objection_add"),
    path("objections/<int:pk>/resolve/", views.objection_resolve, name="objection_resolve"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
]

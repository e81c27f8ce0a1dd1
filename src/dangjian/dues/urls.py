from django.urls import path

from . import views

app_name = "dues"

urlpatterns = [
    path("", views.index, name="index"),
    path("mine/", views.mine, name="mine"),
    path("calculator/", views.calculator, name="calculator"),
    path("arrears/", views.arrears, name="arrears"),
    path("arrears/export/", views.arrears_export, name="arrears_export"),
    path("flags/", views.flag_list, name="flags"),
    path("flags/<int:pk>/resolve/", views.flag_resolve, name="flag_resolve"),
    path("import/", views.base_import, name="import"),
    path("import/template/", views.base_import_template, name="import_template"),
    path("branch/<int:pk>/", views.branch_ledger, name="branch"),
    path("branch/<int:pk>/export/", views.branch_export, name="branch_export"),
    path("branch/<int:pk>/entry/", views.bulk_entry, name="bulk_entry"),
    path("branch/<int:pk>/arrears/", views.branch_arrears, name="branch_arrears"),
    path("payment/<int:pk>/correct/", views.payment_correct, name="payment_correct"),
    path("member/<int:pk>/", views.member_detail, name="member"),
    path("member/<int:pk>/base/", views.base_create, name="base_create"),
    path("member/<int:pk>/pay/", views.payment_create, name="payment_create"),
    path("member/<int:pk>/extra/", views.extra_create, name="extra_create"),
    path("member/<int:pk>/consent/", views.consent_create, name="consent_create"),
    path("member/<int:pk>/decision/", views.decision_create, name="decision_create"),
]

from django.urls import path

from . import views

app_name = "conduct"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("branches/<int:pk>/", views.branch_status, name="branch"),
    path("me/", views.my_inspections, name="me"),
    path("inspections/", views.inspection_list, name="list"),
    path("inspections/export/", views.inspection_export, name="export"),
    path("inspections/new/", views.inspection_start, name="start"),
    path("inspections/<int:pk>/", views.inspection_detail, name="detail"),
    path("inspections/<int:pk>/problems/", views.problem_add, name="problem_add"),
    path("inspections/<int:pk>/submit/", views.inspection_submit, name="submit"),
    path("inspections/<int:pk>/review/", views.inspection_review, name="review"),
    path("problems/<int:pk>/measures/", views.measure_add, name="measure_add"),
    path("measures/", views.measure_list, name="measures"),
    path("measures/export/", views.measure_export, name="measure_export"),
    path("measures/<int:pk>/done/", views.measure_complete, name="measure_done"),
    path("measures/<int:pk>/close/", views.measure_close, name="measure_close"),
    path("measures/<int:pk>/files/", views.measure_file_add, name="measure_file_add"),
    path("files/<int:pk>/", views.measure_file, name="file"),
]

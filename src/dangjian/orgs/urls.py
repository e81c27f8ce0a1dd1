from django.urls import path

from . import views

app_name = "orgs"
urlpatterns = [
    path("units/", views.tree, {"tree": "unit"}, name="unit_tree"),
    path("party/", views.tree, {"tree": "party"}, name="party_tree"),
    path("<str:tree>/export/", views.export, name="export"),
    path("<str:tree>/import/", views.tree_import, name="import"),
    path("<str:tree>/<int:pk>/", views.detail, name="detail"),
    path("<str:tree>/<int:pk>/children/", views.children, name="children"),
    path("<str:tree>/<int:pk>/edit/", views.edit, name="edit"),
    path("<str:tree>/<int:pk>/move/", views.move, name="move"),
    path("<str:tree>/<int:pk>/add/", views.add_child, name="add_child"),
]

from django.urls import path

from . import views

app_name = "disclosure"
urlpatterns = [
    path("", views.notice_list, name="list"),
    path("export/", views.notice_export, name="export"),
    path("new/", views.notice_edit, name="create"),
    path("suggest/<slug:field>/", views.suggest, name="suggest"),
    path("<int:pk>/", views.notice_detail, name="detail"),
    path("<int:pk>/edit/", views.notice_edit, name="edit"),
    path("<int:pk>/attachments/", views.notice_attach, name="attach"),
    path("<int:pk>/publish/", views.notice_publish, name="publish"),
    path("<int:pk>/close/", views.notice_close, name="close"),
    path("<int:pk>/objections/", views.objection_submit, name="object"),
    path("objections/<int:pk>/answer/", views.objection_answer, name="answer"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    # Public pages: no login.
    path("public/", views.public_list, name="public_list"),
    path("public/<int:pk>/", views.public_detail, name="public_detail"),
    path("public/<int:pk>/objections/", views.public_objection, name="public_object"),
    path("public/attachments/<int:pk>/", views.public_attachment, name="public_attachment"),
]

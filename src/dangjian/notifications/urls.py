from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("bell/", views.bell, name="bell"),
    path("<int:pk>/read/", views.mark_read, name="mark_read"),
    path("read-all/", views.mark_all_read, name="mark_all_read"),
    path("preferences/", views.preferences, name="preferences"),
    path("deliveries/", views.delivery_log, name="delivery_log"),
    path("deliveries/<int:pk>/retry/", views.delivery_retry, name="delivery_retry"),
    path("targets/", views.target_list, name="target_list"),
    path("targets/new/", views.target_form, name="target_create"),
    path("targets/<int:pk>/", views.target_form, name="target_edit"),
    path("targets/<int:pk>/test/", views.target_test, name="target_test"),
    path("reminders/", views.reminder_list, name="reminder_list"),
    path("reminders/new/", views.reminder_create, name="reminder_create"),
    path("templates/", views.template_list, name="template_list"),
    path("templates/<int:pk>/", views.template_edit, name="template_edit"),
]

from django.urls import path

from . import public_views, views

app_name = "outreach"
urlpatterns = [
    path("", views.index, name="index"),
    path("suggest/<slug:field>/", views.suggest, name="suggest"),
    # 片区群 and broadcasts
    path("groups/", views.group_list, name="groups"),
    path("groups/new/", views.group_edit, name="group_create"),
    path("groups/<int:pk>/", views.group_detail, name="group_detail"),
    path("groups/<int:pk>/edit/", views.group_edit, name="group_edit"),
    path("groups/<int:pk>/members/add/", views.group_members_add, name="members_add"),
    path("groups/<int:pk>/members/remove/", views.group_members_remove, name="members_remove"),
    path("groups/<int:pk>/owners/add/", views.group_owner_add, name="owner_add"),
    path("owners/<int:pk>/remove/", views.group_owner_remove, name="owner_remove"),
    path("groups/<int:pk>/broadcast/", views.broadcast_create, name="broadcast_create"),
    path("broadcasts/", views.broadcast_list, name="broadcasts"),
    path("broadcasts/<int:pk>/", views.broadcast_detail, name="broadcast_detail"),
    path("broadcasts/<int:pk>/export/", views.broadcast_export, name="broadcast_export"),
    path("broadcasts/<int:pk>/retry/", views.broadcast_retry, name="broadcast_retry"),
    path("broadcasts/<int:pk>/progress/", views.broadcast_progress, name="broadcast_progress"),
    path("kinds/", views.kind_list, name="kind_list"),
    path("kinds/<int:pk>/", views.kind_edit, name="kind_edit"),
    # greetings
    path("greetings/", views.greeting_calendar, name="greetings"),
    path("greetings/log/", views.greeting_log, name="greeting_log"),
    path("greetings/occasions/<int:pk>/", views.occasion_edit, name="occasion_edit"),
    path("greetings/opt-outs/", views.opt_out_list, name="opt_outs"),
    path("greetings/opt-outs/<int:pk>/remove/", views.opt_in, name="opt_in"),
    # 上门服务
    path("home/", views.home_list, name="home_list"),
    path("home/calendar/", views.home_calendar, name="home_calendar"),
    path("home/mine/", views.home_mine, name="home_mine"),
    path("home/new/", views.home_create, name="home_create"),
    path("home/<int:pk>/", views.home_detail, name="home_detail"),
    path("home/<int:pk>/edit/", views.home_reschedule, name="home_reschedule"),
    path("home/<int:pk>/record/", views.home_record, name="home_record"),
    path("home/<int:pk>/cancel/", views.home_cancel, name="home_cancel"),
    # 节假日值班与非工作日预约
    path("rosters/", views.roster_list, name="rosters"),
    path("rosters/new/", views.roster_edit, name="roster_create"),
    path("rosters/<int:pk>/", views.roster_detail, name="roster_detail"),
    path("rosters/<int:pk>/edit/", views.roster_edit, name="roster_edit"),
    path("rosters/<int:pk>/delete/", views.roster_delete, name="roster_delete"),
    path("bookings/<int:pk>/mark/", views.booking_mark, name="booking_mark"),
    path("bookings/<int:pk>/cancel/", views.booking_cancel, name="booking_cancel"),
    path("bookings/<int:pk>/reveal/", views.booking_reveal, name="booking_reveal"),
    path("duty/mine/", views.duty_mine, name="duty_mine"),
    # The public booking page: no login.
    path("book/<str:token>/", public_views.book, name="book"),
    path("book/<str:token>/submit/", public_views.book_submit, name="book_submit"),
    path("book/<str:token>/done/", public_views.book_done, name="book_done"),
    path("book/<str:token>/cancel/", public_views.book_cancel, name="book_cancel"),
]

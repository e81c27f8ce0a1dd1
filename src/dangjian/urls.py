from django.contrib.auth import views as auth_views
from django.urls import include, path

from dangjian.accounts.forms import LoginForm
from dangjian.home import views as home_views

urlpatterns = [
    path("healthz", home_views.healthz, name="healthz"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="accounts/login.html", authentication_form=LoginForm
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("dangjian.home.urls")),
    path("orgs/", include("dangjian.orgs.urls")),
    path("people/", include("dangjian.people.urls")),
    path("customers/", include("dangjian.customers.urls")),
    path("accounts/", include("dangjian.accounts.urls")),
    path("api/v1/", include("dangjian.api_urls")),
    path("jobs/", include("dangjian.platform.urls")),
    path("notifications/", include("dangjian.notifications.urls")),
    path("calendar/", include("dangjian.workcalendar.urls")),
    path("rules/", include("dangjian.rulebook.urls")),
    path("orglife/", include("dangjian.orglife.urls")),
    path("dues/", include("dangjian.dues.urls")),
    path("development/", include("dangjian.development.urls")),
    path("disclosure/", include("dangjian.disclosure.urls")),
    path("transfers/", include("dangjian.transfers.urls")),
    path("exemplar/cards/", include("dangjian.exemplar.showcase.urls")),
    path("exemplar/study/", include("dangjian.exemplar.study.urls")),
    path("exemplar/conduct/", include("dangjian.exemplar.conduct.urls")),
    path("exemplar/contests/", include("dangjian.exemplar.contests.urls")),
    path("appraisal/results/", include("dangjian.appraisal.grading.urls")),
    path("appraisal/", include("dangjian.appraisal.urls")),
    path("suggestions/", include("dangjian.appraisal.suggestions.urls")),
    path("warmth/visits/", include("dangjian.warmth.visits.urls")),
    path("warmth/window/", include("dangjian.warmth.window.urls")),
    path("warmth/tickets/", include("dangjian.warmth.tickets.urls")),
    path("warmth/outreach/", include("dangjian.warmth.outreach.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
]

# Uploaded photos are personal data: served only through scoped views, never from /media/.

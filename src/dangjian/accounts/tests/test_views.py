"""Role grants managed by the party office within its own subtree, with history; the access
log for the auditor; login lockout, password policy, idle timeout, headers, CSRF."""

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from dangjian.accounts.models import RoleGrant, User
from dangjian.accounts.roles import Role
from dangjian.conftest import PASSWORD, make_user
from dangjian.people.models import Person
from dangjian.platform.audit import log_access
from dangjian.platform.models import AuditEvent


@pytest.fixture
def newcomer(db):
    return User.objects.create_user("newcomer", password=PASSWORD, display_name="新同志")


def test_office_grants_a_role_and_the_user_then_sees_that_subtree(cast, login, newcomer):
    response = login(cast.office).post(
        reverse("accounts:grant_create"),
        {"user": newcomer.pk, "role": Role.SECRETARY, "party_org": cast.city.west_branch.pk},
    )
    grant = RoleGrant.objects.get(user=newcomer)
    assert response["Location"] == reverse("accounts:grant_detail", args=[grant.pk])
    newcomer = User.objects.get(pk=newcomer.pk)
    assert sorted(p.name for p in Person.objects.restrict(newcomer)) == ["赵六", "钱七"]
    assert AuditEvent.objects.filter(verb="grant.create").exists()


def test_a_grant_needs_exactly_one_node(cast, login, newcomer):
    client = login(cast.office)
    neither = client.post(
        reverse("accounts:grant_create"), {"user": newcomer.pk, "role": Role.MEMBER}
    )
    assert "请在“单位”和“党组织”中选择且只选择一个" in neither.content.decode()
    both = client.post(
        reverse("accounts:grant_create"),
        {
            "user": newcomer.pk,
            "role": Role.MEMBER,
            "unit": cast.city.east.pk,
            "party_org": cast.city.east_branch.pk,
        },
    )
    assert "只选择一个" in both.content.decode()
    assert not RoleGrant.objects.filter(user=newcomer).exists()


def test_the_same_grant_twice_is_refused(cast, login):
    response = login(cast.office).post(
        reverse("accounts:grant_create"),
        {"user": cast.secretary.pk, "role": Role.SECRETARY, "party_org": cast.city.east_branch.pk},
    )
    assert "该用户已在此组织上拥有该角色" in response.content.decode()


def test_an_office_of_one_bureau_may_grant_only_inside_it(cast, login, newcomer):
    bureau_office = make_user("east_office", (Role.OFFICE, cast.city.east))
    client = login(bureau_office)
    form = client.get(reverse("accounts:grant_create")).context["form"]
    assert set(form.fields["unit"].queryset) == {cast.city.east, cast.city.east_area}
    outside = client.post(
        reverse("accounts:grant_create"),
        {"user": newcomer.pk, "role": Role.LEADER, "unit": cast.city.west.pk},
    )
    assert outside.status_code == 200
    assert not RoleGrant.objects.filter(user=newcomer).exists()
    inside = client.post(
        reverse("accounts:grant_create"),
        {"user": newcomer.pk, "role": Role.LEADER, "unit": cast.city.east_area.pk},
    )
    assert inside.status_code == 302


def test_office_revokes_a_grant_and_the_history_keeps_who_did_it(cast, login):
    grant = RoleGrant.objects.get(user=cast.member)
    client = login(cast.office)
    response = client.post(reverse("accounts:grant_revoke", args=[grant.pk]))
    assert response.status_code == 302
    assert not RoleGrant.objects.filter(pk=grant.pk).exists()
    last = RoleGrant.history.filter(id=grant.pk).latest("history_date")
    assert (last.history_type, last.history_user) == ("-", cast.office)
    assert AuditEvent.objects.filter(verb="grant.revoke", actor=cast.office).exists()
    member = User.objects.get(pk=cast.member.pk)
    assert not Person.objects.restrict(member).exists()


def test_revoking_needs_post(cast, login):
    grant = RoleGrant.objects.get(user=cast.member)
    assert (
        login(cast.office).get(reverse("accounts:grant_revoke", args=[grant.pk])).status_code == 405
    )


def test_the_auditor_reads_grants_but_cannot_change_them(cast, login):
    client = login(cast.auditor)
    page = client.get(reverse("accounts:grants"))
    assert page.status_code == 200
    assert "撤销" not in page.content.decode()
    assert client.get(reverse("accounts:grant_create")).status_code == 404
    grant = RoleGrant.objects.get(user=cast.member)
    assert client.post(reverse("accounts:grant_revoke", args=[grant.pk])).status_code == 404


def test_grant_list_search_and_empty_state(cast, login):
    client = login(cast.office)
    found = client.get(reverse("accounts:grants"), {"q": "secret"})
    assert [g.user.username for g in found.context["listing"].rows] == ["secretary"]
    none = client.get(reverse("accounts:grants"), {"q": "没有此人"})
    assert "没有找到匹配的授权" in none.content.decode()


def test_a_grant_page_shows_its_history(cast, login):
    grant = RoleGrant.objects.get(user=cast.member)
    body = login(cast.office).get(reverse("accounts:grant_detail", args=[grant.pk]))
    assert "变更历史" in body.content.decode()
    assert "创建" in body.content.decode()


def test_the_access_log_is_for_the_auditor_and_office_only(cast, login, client):
    log_access(user=cast.secretary, action="export", model=Person, rows=3)
    page = login(cast.auditor).get(reverse("accounts:access_log"))
    assert "secretary" in page.content.decode()
    client.logout()
    assert login(cast.secretary).get(reverse("accounts:access_log")).status_code == 404


def test_the_access_log_filters_by_action(cast, login):
    log_access(user=cast.secretary, action="export", model=Person, rows=3)
    log_access(user=cast.member, action="reveal", model=Person, object_id=1, field="phone")
    response = login(cast.auditor).get(reverse("accounts:access_log"), {"action": "reveal"})
    assert [e.user.username for e in response.context["listing"].rows] == ["member"]


# --- login and session --------------------------------------------------------------------


def test_login_succeeds_with_the_right_password(cast):
    client = Client()
    response = client.post(reverse("login"), {"username": "office", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("home:index")


def test_a_wrong_password_gets_a_chinese_message(cast):
    response = Client().post(reverse("login"), {"username": "office", "password": "wrong"})
    assert "用户名或密码不正确" in response.content.decode()


def test_five_failures_lock_the_account_with_a_chinese_message(cast):
    client = Client()
    for _ in range(5):
        client.post(reverse("login"), {"username": "office", "password": "wrong"})
    locked = client.post(reverse("login"), {"username": "office", "password": PASSWORD})
    assert locked.status_code == 429
    assert "已被锁定" in locked.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("password", "reason"),
    [("Ab1-short", "too short"), ("password1234", "common"), ("73920184756102", "numeric")],
)
def test_weak_passwords_are_rejected(db, password, reason):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_a_strong_password_passes(db):
    validate_password("Hongqi-Piaopiao-2026")


def test_the_session_expires_after_thirty_idle_minutes():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def test_security_headers_are_sent(cast, login):
    response = login(cast.office).get(reverse("home:index"))
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cache-Control"] == "private, no-store"


def test_a_post_without_csrf_token_is_refused(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.secretary)
    url = reverse("people:reveal", args=[cast.people.member.pk, "id_number"])
    assert client.post(url).status_code == 403
    login_page = Client(enforce_csrf_checks=True).post(
        reverse("login"), {"username": "office", "password": PASSWORD}
    )
    assert login_page.status_code == 403


def test_a_post_with_the_csrf_token_passes(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.secretary)
    client.get(reverse("people:detail", args=[cast.people.member.pk]))
    token = client.cookies["csrftoken"].value
    url = reverse("people:reveal", args=[cast.people.member.pk, "id_number"])
    assert client.post(url, HTTP_X_CSRFTOKEN=token).status_code == 200

"""API tokens: issue for a username and password, refuse bad ones, expire, lock out."""

import datetime as dt

from django.utils import timezone

from dangjian.accounts.models import ApiToken
from dangjian.conftest import PASSWORD
from dangjian.platform.models import AuditEvent

TOKEN_URL = "/api/v1/auth/token"


def issue(client, username, password):
    return client.post(
        TOKEN_URL, {"username": username, "password": password}, content_type="application/json"
    )


def test_token_is_issued_for_good_credentials_and_only_its_hash_is_stored(client, cast):
    response = issue(client, "office", PASSWORD)
    assert response.status_code == 200
    body = response.json()
    row = ApiToken.objects.get(user=cast.office)
    assert row.key_hash == ApiToken.hash(body["token"])
    assert body["token"] not in row.key_hash
    issued = dt.datetime.fromisoformat(body["expires_at"])
    assert abs(issued - row.expires_at) < dt.timedelta(seconds=1)
    assert AuditEvent.objects.filter(verb="api_token.issue", actor=cast.office).exists()


def test_token_works_as_bearer_and_records_last_use(client, cast):
    token = issue(client, "office", PASSWORD).json()["token"]
    response = client.get("/api/v1/units", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert ApiToken.objects.get(user=cast.office).last_used_at is not None


def test_token_endpoint_needs_no_csrf_token(cast):
    # A machine client has no CSRF cookie; the endpoint takes credentials, not a session.
    from django.test import Client

    response = issue(Client(enforce_csrf_checks=True), "office", PASSWORD)
    assert response.status_code == 200


def test_wrong_password_is_401_with_a_chinese_message(client, cast):
    response = issue(client, "office", "wrong-password")
    assert response.status_code == 401
    assert response.json()["detail"] == "用户名或密码错误"
    assert not ApiToken.objects.exists()


def test_unknown_user_is_401(client, cast):
    assert issue(client, "nobody", PASSWORD).status_code == 401


def test_inactive_user_gets_no_token(client, cast):
    cast.office.is_active = False
    cast.office.save()
    assert issue(client, "office", PASSWORD).status_code == 401


def test_missing_password_is_422_naming_the_field(client, cast):
    response = client.post(TOKEN_URL, {"username": "office"}, content_type="application/json")
    assert response.status_code == 422
    assert "password" in response.json()["errors"]


def test_five_failures_lock_the_account_even_for_the_right_password(client, cast):
    for _attempt in range(5):
        issue(client, "office", "wrong-password")
    response = issue(client, "office", PASSWORD)
    assert response.status_code == 429
    assert "锁定" in response.json()["detail"]
    assert response["Content-Type"].startswith("application/json")
    assert not ApiToken.objects.exists()


def test_expired_token_is_401(client, cast):
    key = ApiToken.issue(cast.office)
    ApiToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = client.get("/api/v1/units", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 401
    assert "令牌" in response.json()["detail"]
    assert response["WWW-Authenticate"] == "Bearer"


def test_token_of_a_deactivated_user_is_refused(client, cast):
    key = ApiToken.issue(cast.office)
    cast.office.is_active = False
    cast.office.save()
    response = client.get("/api/v1/units", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 401


def test_no_token_or_a_made_up_one_is_401(client, cast):
    assert client.get("/api/v1/people").status_code == 401
    response = client.get("/api/v1/people", headers={"Authorization": "Bearer made-up"})
    assert response.status_code == 401


def test_session_login_does_not_open_the_api(client, cast):
    # The API takes bearer tokens only; a browser session is no credential for it (no CSRF).
    client.force_login(cast.office)
    assert client.get("/api/v1/people").status_code == 401

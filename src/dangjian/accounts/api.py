"""API authentication: issue bearer tokens for a username and password, and check them.

Tokens are ``ApiToken`` rows holding only a SHA-256 of the key. Issuing goes through
``django.contrib.auth.authenticate`` with the request, so django-axes counts failures and
locks the username + address out exactly as on the login page.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import authenticate, user_logged_in
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.security import HttpBearer

from dangjian.platform.api import ErrorOut
from dangjian.platform.audit import record_event

from .models import ApiToken, RoleGrant

# Writing last_used_at on every call would turn each read into a write; a minute is enough.
LAST_USED_PRECISION = dt.timedelta(minutes=1)

router = Router(tags=["认证"])


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``; sets ``request.auth`` and ``request.auth_user``."""

    def authenticate(self, request, token):
        row = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=ApiToken.hash(token or ""))
            .first()
        )
        now = timezone.now()
        if row is None or row.expires_at <= now or not row.user.is_active:
            return None
        if row.last_used_at is None or now - row.last_used_at > LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        request.auth_user = row.user
        # Change history (simple_history) attributes API writes to request.user.
        request.user = row.user
        return row.user


class TokenIn(Schema):
    username: str = Field(description="用户名")
    password: str = Field(description="密码")


class TokenOut(Schema):
    token: str = Field(description="访问令牌，放在请求头 Authorization: Bearer <token>")
    expires_at: dt.datetime


@router.post(
    "/token",
    auth=None,
    response={200: TokenOut, 401: ErrorOut, 429: ErrorOut},
    summary="用用户名和密码获取访问令牌",
)
def token_issue(request, payload: TokenIn):
    user = authenticate(request, username=payload.username, password=payload.password)
    if getattr(request, "axes_locked_out", False):
        # Answer in JSON ourselves; AxesMiddleware would replace the body with the HTML page.
        request.axes_locked_out = False
        return Status(429, {"detail": _("登录失败次数过多，账号已暂时锁定，请稍后再试")})
    if user is None or not user.is_active:
        return Status(401, {"detail": _("用户名或密码错误")})
    # Issuing a token is a login: resets the axes failure count and records last_login.
    user_logged_in.send(sender=user.__class__, request=request, user=user)
    days = getattr(settings, "DANGJIAN_API_TOKEN_DAYS", 30)
    key = ApiToken.issue(user, days=days)
    token = ApiToken.objects.get(key_hash=ApiToken.hash(key))
    record_event(actor=user, verb="api_token.issue", target=token, summary=user.username)
    return Status(200, {"token": key, "expires_at": token.expires_at})


class GrantOut(Schema):
    role: str
    role_display: str
    tree: str = Field(description="unit 行政树 / party 党组织树")
    node_id: int
    node_name: str


class MeOut(Schema):
    username: str
    display_name: str
    grants: list[GrantOut]


def me(request) -> dict:
    """Who the token belongs to and what roles it carries (the API's root answer)."""
    user = request.auth
    grants = RoleGrant.objects.filter(user=user).select_related("unit", "party_org")
    return {
        "username": user.username,
        "display_name": str(user),
        "grants": [
            {
                "role": g.role,
                "role_display": str(g.get_role_display()),
                "tree": "unit" if g.unit_id else "party",
                "node_id": g.unit_id or g.party_org_id,
                "node_name": g.node.name,
            }
            for g in grants
        ],
    }

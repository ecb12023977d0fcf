"""Creating, revoking and checking API tokens (see models.ApiToken).

    token, key = create_token(name="财政发放系统", role="finance", organisation=org, actor=admin)
    revoke_token(token, actor=admin, reason="系统下线")

Clients send `Authorization: Bearer <key>`. Every creation and revocation is an audit entry; the
key itself never is.
"""
import datetime as dt
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone
from ninja.security import HttpBearer

from gongjiang.audit.services import record, snapshot
from gongjiang.core.errors import DomainError
from gongjiang.core.vocab import Role

from .models import ApiToken

KEY_PREFIX = "gj_"
TOKEN_ROLES = [r for r in Role if r not in (Role.APPLICANT, Role.EXPERT, Role.COMMITTEE)]
USED_RESOLUTION = dt.timedelta(minutes=5)  # last_used_at is refreshed at most this often


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_token(*, name: str, role: str, organisation, actor, expires_on: dt.date | None = None) -> tuple[ApiToken, str]:
    """A new token acting as `role` of `organisation`. Returns the token and its key (shown once)."""
    from gongjiang.accounts.services import create_user

    name = (name or "").strip()
    if not name:
        raise DomainError("请填写令牌用途（如：财政发放系统）", log="token without a name")
    if role not in TOKEN_ROLES:
        raise DomainError("接口令牌只能授予单位经办类角色（不含申报人、评审专家和评审委员会委员）",
                          log=f"token role {role!r} not allowed")
    if organisation is None:
        raise DomainError("请选择令牌所属组织", log="token without organisation")
    if expires_on is not None and expires_on < timezone.localdate():
        raise DomainError("有效期不能早于今天", log="token expiry in the past")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    prefix = key[:11]
    with transaction.atomic():
        user = create_user(username=f"api-{prefix}", role=role, organisation=organisation,
                           display_name=f"接口：{name}"[:150], actor=actor, reason=f"接口令牌“{name}”的服务账号")
        token = ApiToken.objects.create(name=name, user=user, prefix=prefix, key_hash=_hash(key),
                                        created_by=actor, expires_on=expires_on)
        record("api.token.create", actor=actor, obj=token, organisation=organisation,
               after={"name": name, "prefix": prefix, "role": role, "organisation": organisation.name,
                      "expires_on": expires_on.isoformat() if expires_on else None})
    return token, key


def revoke_token(token: ApiToken, *, actor, reason: str) -> ApiToken:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("吊销令牌须填写理由", log="revoke without reason")
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is not None:
            raise DomainError("该令牌已吊销", log="token already revoked")
        before = snapshot(token, ["revoked_at"])
        token.revoked_at, token.revoked_by, token.revoke_reason = timezone.now(), actor, reason
        token.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
        token.user.is_active = False
        token.user.save(update_fields=["is_active"])
        record("api.token.revoke", actor=actor, obj=token, organisation=token.user.organisation, before=before,
               after={"revoked_at": token.revoked_at.isoformat()}, reason=reason)
    return token


def user_for_key(key: str):
    """The service account of an active token with this key, or None."""
    if not key or not key.startswith(KEY_PREFIX):
        return None
    token = (ApiToken.objects.select_related("user", "user__organisation")
             .filter(key_hash=_hash(key), revoked_at__isnull=True).first())
    if token is None or not token.is_active or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def request_user_for_key(request, key: str):
    """user_for_key, looked up once per request (the capability check and the auth both ask)."""
    if getattr(request, "_api_token_key", None) != key:
        request._api_token_key, request._api_token_user = key, user_for_key(key)
    return request._api_token_user


def bearer_key(request) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, key = header.partition(" ")
    return key.strip() if scheme.lower() == "bearer" else ""


class TokenAuth(HttpBearer):
    """`Authorization: Bearer gj_…`: the request then acts as the token's service account."""

    def authenticate(self, request, token):
        user = request_user_for_key(request, token)
        if user is not None:
            request.user = user
        return user

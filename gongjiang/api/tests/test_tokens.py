"""API tokens: created and revoked by a system administrator (page and command, audited, the key
never stored or logged), a token acts with its role's capabilities and its organisation's data
scope, and every error has the same body: a stable code and a Chinese message."""
import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from gongjiang.api.models import ApiToken
from gongjiang.api.tokens import create_token, revoke_token
from gongjiang.audit.models import AuditEntry
from gongjiang.rounds.tests.factories import open_round, refused


@pytest.fixture
def world(jurisdictions, make_user):
    admin = make_user("sysadmin", jurisdictions["广东省"], password=None)
    huiyang, huicheng = jurisdictions["惠阳区"], jurisdictions["惠城区"]
    ours = open_round(policy_code="test-self-route", organiser=huiyang, actor=make_user("bureau", huiyang),
                      code="token-ours", title="惠阳区本批次")
    theirs = open_round(policy_code="test-self-route", organiser=huicheng, actor=make_user("bureau", huicheng),
                        code="token-theirs", title="惠城区他批次")
    return {"admin": admin, "huiyang": huiyang, "ours": ours, "theirs": theirs}


def bearer(key):
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_token_sees_the_rounds_of_its_organisation_only(client, world):
    _token, key = create_token(name="人才卡系统", role="bureau", organisation=world["huiyang"], actor=world["admin"])
    body = client.get("/api/rounds/", **bearer(key)).json()
    assert [r["code"] for r in body["items"]] == ["token-ours"]
    assert client.get(f"/api/rounds/{world['theirs'].pk}/units", **bearer(key)).status_code == 404


def test_token_creation_is_audited_without_the_key(world):
    token, key = create_token(name="财政发放系统", role="finance", organisation=world["huiyang"], actor=world["admin"],
                              expires_on=timezone.localdate() + dt.timedelta(days=30))
    assert key.startswith("gj_") and token.prefix == key[:11] and key not in token.key_hash
    entry = AuditEntry.objects.get(action="api.token.create")
    assert entry.actor == world["admin"] and entry.after["role"] == "finance" and entry.after["prefix"] == token.prefix
    assert key not in json.dumps([e.after for e in AuditEntry.objects.all()], ensure_ascii=False)


def test_revoked_token_is_refused_with_a_chinese_message(client, world):
    token, key = create_token(name="人才卡系统", role="bureau", organisation=world["huiyang"], actor=world["admin"])
    revoke_token(token, actor=world["admin"], reason="系统下线")
    resp = client.get("/api/rounds/", **bearer(key))
    assert resp.status_code == 401
    assert resp.json() == {"code": "unauthenticated", "detail": "未登录或接口令牌无效、已过期、已吊销"}
    assert AuditEntry.objects.filter(action="api.token.revoke", reason="系统下线").exists()
    with refused("已吊销"):
        revoke_token(token, actor=world["admin"], reason="再次")


def test_expired_token_is_refused(client, world):
    token, key = create_token(name="人才卡系统", role="bureau", organisation=world["huiyang"], actor=world["admin"])
    ApiToken.objects.filter(pk=token.pk).update(expires_on=timezone.localdate() - dt.timedelta(days=1))
    assert client.get("/api/rounds/", **bearer(key)).status_code == 401


def test_token_without_the_capability_gets_403_before_validation(client, world):
    _token, key = create_token(name="财政发放系统", role="finance", organisation=world["huiyang"], actor=world["admin"])
    resp = client.get("/api/rounds/?year=notanumber", **bearer(key))
    assert resp.status_code == 403 and resp.json()["code"] == "forbidden" and resp.json()["detail"]


def test_errors_have_a_code_and_a_chinese_message(client, world):
    _token, key = create_token(name="人才卡系统", role="bureau", organisation=world["huiyang"], actor=world["admin"])
    missing = client.get("/api/applications/999999", **bearer(key))
    assert missing.status_code == 404
    assert missing.json() == {"code": "not_found", "detail": "请求的资源不存在或不在您的数据范围内"}
    invalid = client.get("/api/rounds/?year=notanumber", **bearer(key))
    assert invalid.status_code == 422 and invalid.json()["code"] == "invalid_request"
    assert "请求参数" in invalid.json()["detail"] and invalid.json()["errors"]
    assert client.get("/api/rounds/", HTTP_AUTHORIZATION="Bearer gj_wrong").json()["code"] == "unauthenticated"


def test_token_refuses_applicant_roles_and_blank_names(world):
    with refused("不含申报人"):
        create_token(name="x", role="applicant", organisation=world["huiyang"], actor=world["admin"])
    with refused("用途"):
        create_token(name=" ", role="bureau", organisation=world["huiyang"], actor=world["admin"])


def test_admin_creates_and_revokes_a_token_on_the_page(client, world):
    client.force_login(world["admin"])
    page = client.post("/api/tokens/", {"name": "财政发放系统", "role": "finance",
                                        "organisation": world["huiyang"].pk}).content.decode()
    token = ApiToken.objects.get()
    key = page.split('<code class="pre-line">')[1].split("</code>")[0]
    assert key.startswith(token.prefix) and "只显示这一次" in page
    assert key not in client.get("/api/tokens/").content.decode()  # shown once
    assert client.post(f"/api/tokens/{token.pk}/revoke/", {"reason": ""}).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is None  # a reason is required
    client.post(f"/api/tokens/{token.pk}/revoke/", {"reason": "合同到期"})
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoke_reason == "合同到期"
    assert "已吊销" in client.get("/api/tokens/").content.decode()


def test_command_creates_lists_and_revokes(world):
    out = io.StringIO()
    call_command("api_token", "create", "--name", "人才卡系统", "--role", "bureau", "--organisation", "惠阳区",
                 "--actor", world["admin"].username, stdout=out)
    token = ApiToken.objects.get()
    assert token.prefix in out.getvalue() and token.user.organisation == world["huiyang"]
    out = io.StringIO()
    call_command("api_token", "list", stdout=out)
    assert "active" in out.getvalue()
    call_command("api_token", "revoke", token.prefix, "--reason", "测试", "--actor", world["admin"].username,
                 stdout=io.StringIO())
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_public_calls_need_no_token(client, world):
    body = client.get("/api/rounds/calls?q=惠阳区").json()
    assert [c["code"] for c in body["items"]] == ["token-ours"]
    detail = client.get("/api/rounds/calls/token-ours").json()
    assert detail["title"] == "惠阳区本批次" and detail["deadlines"] and detail["conditions"]
    assert client.get("/api/rounds/calls/nope").json()["code"] == "not_found"

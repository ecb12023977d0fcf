"""Rounds: opening from a policy file, deadlines enforced by the server, audited extensions, unit quotas."""
import datetime as dt

import pytest
from django.utils import timezone

from gongjiang.audit.models import AuditEntry
from gongjiang.core.errors import DomainError
from gongjiang.rounds import services
from gongjiang.rounds.models import DeadlineKind

from .factories import open_round, refused


@pytest.fixture
def bureau(jurisdictions, make_user):
    return make_user("bureau", jurisdictions["聊城市"])


def test_open_round_copies_stages_materials_and_reference_date_from_policy(bureau):
    rnd = open_round(policy_code="test-county-quota", organiser=bureau.organisation, actor=bureau)
    assert rnd.reference_date == dt.date(rnd.year, 1, 1)
    assert rnd.reference_date_article == "二、选拔范围和条件"
    assert rnd.quota == 40 and rnd.quota_article == "一、选拔数量及推荐名额"
    assert [s["kind"] for s in rnd.stages] == ["application", "unit_recommendation", "qualification_review"]
    assert rnd.unit_notice_working_days == 5
    assert not rnd.allows_self_application and rnd.allows_employer_nomination
    uploads = [m for m in rnd.materials if m["upload"]]
    online = [m["label"] for m in rnd.materials if not m["upload"]]
    assert "推荐报告" in online and "申报表" in online
    assert any(m["file_types"] == ["pdf"] and "职业资格证书" in m["label"] for m in uploads)
    assert AuditEntry.objects.filter(action="round.open", object_id=str(rnd.pk)).exists()


def test_self_route_policy_allows_self_application(jurisdictions, make_user):
    officer = make_user("bureau", jurisdictions["惠阳区"])
    rnd = open_round(policy_code="test-self-route", organiser=officer.organisation, actor=officer)
    assert rnd.allows_self_application and rnd.allows_employer_nomination


def test_require_open_after_deadline_refused_with_deadline_shown(bureau):
    rnd = open_round(policy_code="test-county-quota", organiser=bureau.organisation, actor=bureau)
    late = rnd.application_deadline + dt.timedelta(days=1)
    with pytest.raises(DomainError) as exc:
        services.require_open(rnd, DeadlineKind.APPLICATION, today=late)
    assert f"{rnd.application_deadline.year}年{rnd.application_deadline.month}月{rnd.application_deadline.day}日" in exc.value.message
    services.require_open(rnd, DeadlineKind.APPLICATION, today=rnd.application_deadline)  # the whole day counts


def test_require_open_unpublished_round_refused(bureau):
    rnd = open_round(policy_code="test-county-quota", organiser=bureau.organisation, actor=bureau, publish=False)
    with refused("尚未发布"):
        services.require_open(rnd, DeadlineKind.APPLICATION)


def test_archive_only_a_closed_round_and_audited(bureau):
    """A finished round is filed as historical (已归档) with its dates; an open one cannot be."""
    rnd = open_round(policy_code="test-county-quota", organiser=bureau.organisation, actor=bureau)
    with refused("只有已截止的批次可以归档"):
        services.archive(rnd, actor=bureau)
    rnd = services.archive(services.close(rnd, actor=bureau), actor=bureau, reason="往届批次")
    assert rnd.status == "archived" and rnd.get_status_display() == "已归档"
    assert AuditEntry.objects.filter(action="round.archive", object_id=str(rnd.pk), reason="往届批次").exists()


def test_extend_deadline_requires_reason_and_is_audited(bureau):
    rnd = open_round(policy_code="test-county-quota", organiser=bureau.organisation, actor=bureau)
    new = rnd.application_deadline + dt.timedelta(days=7)
    with refused("理由"):
        services.extend_deadline(rnd, kind="application", new_date=new, actor=bureau, reason="")
    with refused("须晚于"):
        services.extend_deadline(rnd, kind="application", new_date=rnd.opens_on, actor=bureau, reason="x")
    rnd = services.extend_deadline(rnd, kind="application", new_date=new, actor=bureau, reason="系统故障顺延")
    assert rnd.application_deadline == new
    entry = AuditEntry.objects.get(action="round.extend_deadline")
    assert entry.reason == "系统故障顺延" and entry.after["application_deadline"] == new.isoformat()
    assert rnd.extensions.get().old_date == new - dt.timedelta(days=7)


def test_set_unit_quota_defaults_to_policy_maximum_and_cannot_exceed_it(bureau, jurisdictions, make_org):
    rnd = open_round(policy_code="test-county-quota", organiser=bureau.organisation, actor=bureau)
    county = services.set_unit(rnd, organisation=jurisdictions["东昌府区"], kind="county", actor=bureau)
    assert county.quota == 10 and county.kind_label == "县（市、区）"
    sme_org = make_org(parent=jurisdictions["东昌府区"])
    with refused("不能超过2名"):
        services.set_unit(rnd, organisation=sme_org, kind="sme", quota=3, actor=bureau, reason="需求量大")
    sme = services.set_unit(rnd, organisation=sme_org, kind="sme", quota=2, actor=bureau)
    assert (sme.min_quota, sme.quota) == (1, 2)


def test_set_unit_soft_quota_exceeded_only_with_reason(bureau, jurisdictions):
    """“一般不超过10名”: a county may get more, with the reason in the audit log."""
    rnd = open_round(policy_code="test-county-quota", organiser=bureau.organisation, actor=bureau)
    with pytest.raises(DomainError):
        services.set_unit(rnd, organisation=jurisdictions["临清市"], kind="county", quota=12, actor=bureau)
    unit = services.set_unit(rnd, organisation=jurisdictions["临清市"], kind="county", quota=12, actor=bureau,
                             reason="高技能人才需求量大，经研究增加名额")
    assert unit.quota == 12


def test_visible_rounds_scoped_to_organiser_and_units(bureau, jurisdictions, make_user):
    rnd = open_round(policy_code="test-county-quota", organiser=bureau.organisation, actor=bureau)
    services.set_unit(rnd, organisation=jurisdictions["东昌府区"], kind="county", actor=bureau)
    county_officer = make_user("recommender", jurisdictions["东昌府区"])
    other = make_user("bureau", jurisdictions["惠阳区"])
    assert rnd in services.visible_rounds(county_officer)
    assert rnd not in services.visible_rounds(other)


def test_public_call_page_shows_conditions_with_articles_without_login(client, bureau):
    rnd = open_round(policy_code="test-county-quota", organiser=bureau.organisation, actor=bureau)
    resp = client.get(f"/rounds/calls/{rnd.code}/")
    body = resp.content.decode()
    assert resp.status_code == 200
    assert "二（二）3" in body and "申报表" in body and "资格自测" in body
    assert client.get(f"/rounds/calls/{rnd.code}/forms/application.pdf").content[:4] == b"%PDF"


def test_public_call_draft_round_not_found(client, bureau):
    rnd = open_round(policy_code="test-county-quota", organiser=bureau.organisation, actor=bureau, publish=False)
    assert client.get(f"/rounds/calls/{rnd.code}/").status_code == 404


def test_self_check_evaluates_entered_facts_and_stores_nothing(client, bureau):
    from gongjiang.applications.models import Application
    from gongjiang.registry.models import Person

    rnd = open_round(policy_code="test-county-quota", organiser=bureau.organisation, actor=bureau)
    audit_before = AuditEntry.objects.count()
    resp = client.post(f"/rounds/calls/{rnd.code}/self-check/", {
        "birth_date": "1960-03-01", "gender": "男", "skill_level": "5", "certificate_date": "2010-01-01",
        "job_start": "2000-01-01", "frontline": "on", "competition_level": "4", "competition_class": "1",
        "competition_rank": "2", "competition_date": f"{timezone.localdate().year - 1}-05-01"})
    body = resp.content.decode()
    assert resp.status_code == 200 and "自测结果" in body
    assert "二（一）4" in body  # the age clause is reported with its article
    assert AuditEntry.objects.count() == audit_before
    assert not Application.objects.exists() and not Person.objects.exists()


def test_round_pages_create_publish_add_unit_and_extend(client, bureau, jurisdictions):
    from gongjiang.rounds.models import Round

    from .factories import load_test_policy

    policy = load_test_policy("test-county-quota")
    client.force_login(bureau)
    today = timezone.localdate()
    resp = client.post("/rounds/new/", {
        "policy": policy.pk, "year": today.year, "title": "测试年度首席技师选拔", "code": "test-page-round",
        "opens_on": today.isoformat(), "application_deadline": (today + dt.timedelta(days=30)).isoformat()})
    rnd = Round.objects.get(code="test-page-round")
    assert resp.status_code == 302 and rnd.status == "draft"
    client.post(f"/rounds/{rnd.pk}/", {"action": "publish"})
    client.post(f"/rounds/{rnd.pk}/", {"action": "unit", "u-organisation": jurisdictions["东昌府区"].pk,
                                       "u-kind": "county", "u-quota": ""})
    page = client.post(f"/rounds/{rnd.pk}/", {"action": "extend", "x-kind": "application", "x-reason": "顺延",
                                              "x-new_date": (today + dt.timedelta(days=40)).isoformat()},
                       follow=True).content.decode()
    rnd.refresh_from_db()
    assert rnd.status == "open" and rnd.units.get().quota == 10
    assert rnd.application_deadline == today + dt.timedelta(days=40) and "顺延" in page
    listing = client.get("/rounds/?q=测试年度").content.decode()
    assert "测试年度首席技师选拔" in listing

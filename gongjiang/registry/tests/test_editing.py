"""Editing and verifying a person's facts (registry.edit / registry.verify), canonical title names,
and invitations the applicant dismisses."""
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from gongjiang.audit.models import AuditEntry
from gongjiang.core.idnumbers import make_resident_id
from gongjiang.policy.services import get_policy, load_policies
from gongjiang.registry import screening, services
from gongjiang.registry.forms import FACT_KINDS
from gongjiang.registry.models import Certificate, Employment, Invitation, ScreeningRun, TitleAward
from gongjiang.web.inbox import items_for

REF = dt.date(2025, 1, 1)
NUMBER = make_resident_id("441303", dt.date(1979, 6, 1), 31, female=False)


@pytest.fixture
def world(jurisdictions, make_org, make_user, client):
    huiyang = jurisdictions["惠阳区"]
    firm = make_org("惠阳编辑测试厂", parent=huiyang)
    other = make_org("惠阳另一家厂", parent=huiyang)
    person = services.register_person(name="赵师傅", id_number=NUMBER, phone="13812345678", jurisdiction=huiyang)
    Employment.objects.create(person=person, employer=firm, jurisdiction=huiyang, start=dt.date(2015, 1, 1))
    return {"huiyang": huiyang, "firm": firm, "person": person, "client": client,
            "bureau": make_user("bureau", huiyang), "employer": make_user("employer", firm),
            "other_employer": make_user("employer", other),
            "outsider": make_user("bureau", jurisdictions["环翠区"])}


def add_url(w, kind="certificate"):
    return reverse("registry:fact_add", args=[w["person"].pk, kind])


CERT = {"occupation": "数控车工", "level": "5", "kind": "skill_level", "issued_on": "2019-06-30"}


def test_employer_adds_certificate_for_own_employee_audited_without_numbers(world):
    c = world["client"]
    c.force_login(world["employer"])
    response = c.post(add_url(world), CERT)
    assert response.status_code == 302
    cert = Certificate.objects.get(person=world["person"])
    assert (cert.level, cert.source, cert.verification) == (5, "employer", "unverified")
    entry = AuditEntry.objects.filter(action="registry.fact.create").latest("pk")
    assert entry.after["occupation"] == "数控车工" and entry.actor_id == world["employer"].pk
    text = str(entry.after) + str(entry.before)
    assert NUMBER not in text and "13812345678" not in text


def test_edit_keeps_before_and_after_and_resets_verification(world):
    cert = Certificate.objects.create(person=world["person"], occupation="车工", level=4, verification="verified",
                                      issued_on=dt.date(2018, 1, 1))
    c = world["client"]
    c.force_login(world["bureau"])
    url = reverse("registry:fact_edit", args=[world["person"].pk, "certificate", cert.pk])
    assert c.post(url, {**CERT, "occupation": "车工"}).status_code == 302
    cert.refresh_from_db()
    assert cert.level == 5 and cert.verification == "unverified" and cert.source == "registry"
    entry = AuditEntry.objects.filter(action="registry.fact.update").latest("pk")
    assert entry.before["level"] == 4 and entry.after["level"] == 5


@pytest.mark.parametrize("kind,data,field,message", [
    ("certificate", {**CERT, "issued_on": "2999-01-01"}, "issued_on", "不能晚于今天"),
    ("employment", {"start": "2020-01-01", "end": "2019-01-01", "frontline": "on"}, "end", "不能早于"),
    ("competition", {"name": "省赛", "level": "4", "klass": "1", "rank": "0", "held_on": "2023-01-01"}, "rank",
     "正整数"),
    ("certificate", {**CERT, "level": "9"}, "level", ""),
    ("programme", {"code": "city_talent_catalogue", "level": "3", "catalogue_class": "Z", "joined_on": "2022-01-01"},
     "catalogue_class", "A–F"),
    ("title", {"code": "other", "level": "3", "awarded_on": "2022-01-01"}, "name", "须填写名称"),
])
def test_fact_form_rejects_bad_input_inline_in_chinese(world, kind, data, field, message):
    c = world["client"]
    c.force_login(world["bureau"])
    response = c.post(add_url(world, kind), data)
    assert response.status_code == 400
    errors = response.context["form"].errors[field]
    assert errors and message in "".join(errors)
    assert not FACT_KINDS[kind].model.objects.exists() or kind == "employment" and \
        Employment.objects.filter(person=world["person"]).count() == 1


def test_duplicate_certificate_is_an_inline_error_not_a_500(world):
    Certificate.objects.create(person=world["person"], occupation="数控车工", level=5, issued_on=dt.date(2019, 1, 1))
    c = world["client"]
    c.force_login(world["bureau"])
    response = c.post(add_url(world), CERT)
    assert response.status_code == 400 and response.context["form"].non_field_errors()


def test_edit_scope_employer_only_current_employees_bureau_only_jurisdiction(world):
    c = world["client"]
    for user in (world["other_employer"], world["outsider"]):
        c.force_login(user)
        assert c.get(add_url(world)).status_code == 404
    Employment.objects.filter(person=world["person"]).update(end=dt.date(2020, 1, 1))
    c.force_login(world["employer"])
    assert c.get(add_url(world)).status_code == 404  # a former employee
    c.force_login(world["bureau"])
    assert c.get(add_url(world)).status_code == 200


def test_withdraw_removes_fact_with_reason_in_audit(world):
    cert = Certificate.objects.create(person=world["person"], occupation="车工", level=4, issued_on=dt.date(2018, 1, 1))
    c = world["client"]
    c.force_login(world["employer"])
    url = reverse("registry:fact_withdraw", args=[world["person"].pk, "certificate", cert.pk])
    assert c.post(url, {"reason": ""}).status_code == 400
    assert c.post(url, {"reason": "录入错误"}).status_code == 302
    assert not Certificate.objects.filter(pk=cert.pk).exists()
    entry = AuditEntry.objects.filter(action="registry.fact.withdraw").latest("pk")
    assert entry.reason == "录入错误" and entry.before["occupation"] == "车工"


def test_verify_is_bureau_only_with_reason(world):
    cert = Certificate.objects.create(person=world["person"], occupation="车工", level=4, issued_on=dt.date(2018, 1, 1))
    url = reverse("registry:fact_verify", args=[world["person"].pk, "certificate", cert.pk])
    c = world["client"]
    c.force_login(world["employer"])
    assert c.post(url, {"decision": "verified", "reason": "x"}).status_code == 403
    c.force_login(world["bureau"])
    assert c.post(url, {"decision": "verified", "reason": " "}).status_code == 400
    assert c.post(url, {"decision": "verified", "reason": "与鉴定中心数据一致"}).status_code == 302
    cert.refresh_from_db()
    assert cert.verification == "verified" and cert.verified_by == world["bureau"] and cert.verified_at
    entry = AuditEntry.objects.filter(action="registry.fact.verify").latest("pk")
    assert entry.before == {"verification": "unverified", "verified_by_id": None, "verified_at": None}
    assert entry.reason == "与鉴定中心数据一致"


def _status(explanation, cid):
    return next(r.status for r in explanation.clauses + explanation.priority if r.id == cid)


def test_rejected_certificate_changes_the_explanation(world):
    """惠阳 第五条 priority: 高级技师. A certificate the bureau rejects is ignored by the engine."""
    load_policies()
    policy = get_policy("huiyang-chief-technician")
    cert = Certificate.objects.create(person=world["person"], occupation="数控车工", level=5,
                                      issued_on=dt.date(2019, 6, 30))
    before, _ = screening.explain_person(world["person"], policy, REF)
    assert _status(before, "p.senior") == "pass"
    services.verify_fact(cert, actor=world["bureau"], decision="rejected", reason="证书编号查无此证")
    after, _ = screening.explain_person(world["person"], policy, REF)
    assert _status(after, "p.senior") == "fail"
    assert AuditEntry.objects.filter(action="registry.fact.reject", reason="证书编号查无此证").exists()


def test_title_alias_stored_canonical_and_matched_by_policy(world):
    """惠阳 第八条（六）names 市管首席技师; the officer typed the city's full name."""
    load_policies()
    c = world["client"]
    c.force_login(world["bureau"])
    response = c.post(add_url(world, "title"), {"code": "other", "name": " 惠州市市管首席技师 ", "level": "4",
                                                 "awarded_on": "2022-05-01"})
    assert response.status_code == 302
    title = TitleAward.objects.get(person=world["person"])
    assert (title.name, title.raw_name, title.code) == ("市管首席技师", "惠州市市管首席技师", "city_chief_technician")
    explanation, _ = screening.explain_person(world["person"], get_policy("huiyang-chief-technician"), REF)
    assert _status(explanation, "8.6") == "pass"  # holds the title, so 第八条 excludes the person


def test_unknown_title_kept_as_typed(world):
    c = world["client"]
    c.force_login(world["bureau"])
    c.post(add_url(world, "title"), {"code": "other", "name": "某协会金牌技师", "level": "2", "awarded_on": "2022-05-01"})
    title = TitleAward.objects.get(person=world["person"])
    assert (title.name, title.raw_name, title.code) == ("某协会金牌技师", "某协会金牌技师", "other")


# ---- invitations ----

@pytest.fixture
def invitation(world, make_user):
    from gongjiang.policy.models import Policy

    load_policies()
    applicant = make_user("applicant", None)
    world["person"].account = applicant
    world["person"].save()
    run = ScreeningRun.objects.create(policy=Policy.objects.get(code="huiyang-chief-technician"), reference_date=REF,
                                      scope=world["huiyang"], created_by=world["bureau"], status="done",
                                      finished_at=timezone.now())
    return Invitation.objects.create(run=run, person=world["person"], created_by=world["bureau"]), applicant


def test_applicant_dismisses_invitation_audited_and_gone_from_home_and_me(world, invitation):
    inv, applicant = invitation
    c = world["client"]
    c.force_login(applicant)
    assert "申报邀请" in c.get(reverse("registry:my_record")).content.decode()
    assert items_for(applicant)
    assert c.post(reverse("registry:invitation_dismiss", args=[inv.pk])).status_code == 302
    inv.refresh_from_db()
    assert inv.dismissed and inv.dismissed_at
    assert not [i for i in items_for(applicant) if "申报" in i.title]
    assert "暂无申报邀请" in c.get(reverse("registry:my_record")).content.decode()
    assert AuditEntry.objects.filter(action="registry.invitation.dismiss", actor=applicant).exists()


def test_only_the_invited_person_can_dismiss(world, invitation, make_user):
    inv, _ = invitation
    c = world["client"]
    for user in (make_user("applicant", None), world["bureau"]):
        c.force_login(user)
        assert c.post(reverse("registry:invitation_dismiss", args=[inv.pk])).status_code == 404
    inv.refresh_from_db()
    assert not inv.dismissed


def test_invitation_detail_hidden_from_screeners_of_other_districts(world, invitation):
    inv, _ = invitation
    c = world["client"]
    c.force_login(world["outsider"])
    assert c.get(reverse("registry:invitation_detail", args=[inv.pk])).status_code == 404

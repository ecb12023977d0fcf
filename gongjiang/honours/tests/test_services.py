"""Award, certificate numbers, exits and revocations as the seed policies declare them."""
import datetime as dt

import pytest

from gongjiang.core.errors import DomainError, NotAllowed
from gongjiang.core.vocab import CompetitionLevel
from gongjiang.honours import services
from gongjiang.honours.models import CertificateStatus, Honour, HonourStatus, ReapplyBan, TitleStatus
from gongjiang.registry.models import TitleAward

DAY = dt.date(2026, 11, 20)


def test_award_term_from_policy_term_years(programme):
    """惠阳 第十三条 two years, 赣州 第十条 培养期 three years, 环翠 第四条 two years."""
    expected = {"huiyang-chief-technician": (dt.date(2028, 11, 19), "培养期/管理期"),
                "ganzhou-craftsman": (dt.date(2029, 11, 19), "培养期"),
                "huancui-chief-technician": (dt.date(2028, 11, 19), "管理期")}
    for code, (end, name) in expected.items():
        [honour] = programme(code).award(["张伟"], decided_on=DAY)
        assert (honour.term_start, honour.term_end, honour.term_name) == (DAY, end, name)
        assert honour.status == HonourStatus.ACTIVE and services.benefits_payable(honour, DAY)


def test_award_certificate_numbers_gap_free_per_programme(programme):
    p = programme("ganzhou-craftsman")
    first = p.award(["甲", "乙", "丙"], decided_on=DAY)
    assert [h.certificate_number for h in first] == ["GZGJ000001", "GZGJ000002", "GZGJ000003"]
    assert all(h.issuer == "赣州市人民政府" for h in first)  # 赣州 第八条 由市人民政府颁发证书
    other = programme("huancui-chief-technician").award(["丁"], decided_on=DAY)
    assert other[0].certificate_number == "HCSX000001"  # a series per programme
    assert services.award_round(first[0].approval, application_ids=[first[0].application_id]) == [first[0]]
    assert Honour.objects.filter(policy=p.round.policy).count() == 3  # awarding twice changes nothing


def test_award_registers_title_on_person(programme):
    [honour] = programme("huiyang-chief-technician").award(["张伟"], decided_on=DAY)
    title = TitleAward.objects.get(person=honour.person)
    assert (title.name, title.awarded_on, title.expires_on, title.level) == ("区管首席技师", DAY, honour.term_end, CompetitionLevel.DISTRICT)
    assert honour.title_award == title


def test_award_refuses_application_without_registry_person(programme):
    from gongjiang.honours.tests.factories import approval_for, approved_applications

    p = programme("huiyang-chief-technician")
    [app] = approved_applications(p.round, ["张伟"], district=p.district)
    app.person = None
    app.save()
    with pytest.raises(DomainError) as e:
        services.award_round(approval_for(p.round, actor=p.bureau, decided_on=DAY), application_ids=[app.pk])
    assert "人才库" in e.value.message


def test_exit_left_post_huancui_keeps_title_stops_benefits(programme):
    """环翠 第十六条（一）: 不再从事技能岗位工作 — title kept, benefits stop."""
    p = programme("huancui-chief-technician")
    [honour] = p.award(["刘海波"], decided_on=dt.date(2026, 1, 5))
    decision = services.record_exit(honour, exit_id="left-post", effective=dt.date(2026, 7, 1), actor=p.bureau,
                                    document_no="威环人社字〔2026〕40号", decided_by="区人力资源和社会保障局",
                                    reason="本人调任行政管理岗位")
    honour.refresh_from_db()
    assert (honour.status, honour.title_status, honour.benefits_stop_on) == (
        HonourStatus.EXITED, TitleStatus.KEPT, dt.date(2026, 7, 1))
    assert services.benefits_payable(honour, dt.date(2026, 6, 30))
    assert not services.benefits_payable(honour, dt.date(2026, 7, 1))
    assert TitleAward.objects.filter(person=honour.person).exists()
    assert "第十六条（一）" in decision.notice_text and honour.messages.filter(text=decision.notice_text).exists()
    assert services.verification(honour).code == "stopped"
    with pytest.raises(DomainError):
        services.record_exit(honour, exit_id="moved-away", effective=dt.date(2026, 8, 1), actor=p.bureau,
                             document_no="x", decided_by="y", reason="z")


def test_huiyang_holder_becomes_city_chief_technician(programme):
    """惠阳 第十七条: 获评“市管首席技师”称号的 — treatment ends."""
    p = programme("huiyang-chief-technician")
    [honour] = p.award(["张伟"], decided_on=dt.date(2026, 1, 5))
    services.record_exit(honour, exit_id="city-chief", effective=dt.date(2026, 10, 1), actor=p.bureau,
                         document_no="惠市人社字〔2026〕9号", decided_by="区人力资源和社会保障局", reason="获评市管首席技师")
    honour.refresh_from_db()
    assert honour.status == HonourStatus.EXITED and honour.benefits_stop_on == dt.date(2026, 10, 1)
    assert not services.benefits_payable(honour, dt.date(2026, 11, 1))
    assert honour.decisions.get().event == "higher_title"


def test_ganzhou_fraud_revocation_records_clawback(programme):
    """赣州 第十二条: 骗取“赣州工匠”的 — title revoked, certificate and the 30,000 元 award recovered."""
    p = programme("ganzhou-craftsman")
    [honour] = p.award(["王磊"], decided_on=dt.date(2026, 3, 2))
    services.revoke(honour, revocation_id="fraud", effective=dt.date(2026, 11, 2), actor=p.bureau,
                    document_no="赣市人社字〔2026〕88号", decided_by="市人社局核实", reason="申报的竞赛获奖证书系伪造")
    honour.refresh_from_db()
    assert (honour.status, honour.title_status, honour.certificate_status) == (
        HonourStatus.REVOKED, TitleStatus.REVOKED, CertificateStatus.RECALLED)
    claw = services.clawback_of(honour)
    assert (claw.since, claw.what, claw.article) == (dt.date(2026, 3, 2), ("奖励资金", "证书"), "第十二条")
    assert claw.cash_benefits == (("award", "一次性奖励", 3_000_000, "one_time"),)  # 第八条: 3万元
    assert not TitleAward.objects.filter(person=honour.person).exists()
    assert services.verification(honour).code == "revoked"
    assert not services.benefits_payable(honour, dt.date(2026, 4, 1))


def test_huiyang_revocation_bars_reapplying(programme):
    """惠阳 第十八条: 撤销称号…并不得再次申报."""
    p = programme("huiyang-chief-technician")
    [honour] = p.award(["张伟"], decided_on=dt.date(2026, 1, 5))
    assert not services.reapply_barred(honour.person, p.round.policy)
    services.revoke(honour, revocation_id="fraud", effective=dt.date(2026, 5, 1), actor=p.bureau,
                    document_no="惠阳人社字〔2026〕5号", decided_by="区人社局", reason="推荐过程中弄虚作假")
    honour.refresh_from_db()
    assert honour.reapply_ban == ReapplyBan.PERMANENT
    barred = services.reapply_barred(honour.person, p.round.policy)
    assert barred and "第十八条" in barred.reason


def test_decision_refused_outside_term_and_scope(programme, make_user, jurisdictions):
    p = programme("ganzhou-craftsman")
    [honour] = p.award(["王磊"], decided_on=dt.date(2026, 3, 2))
    other = make_user("bureau", jurisdictions["惠阳区"], password=None)
    with pytest.raises(NotAllowed):
        services.revoke(honour, revocation_id="penalty", effective=dt.date(2026, 5, 1), actor=other,
                        document_no="x号", decided_by="市人社局", reason="受到行政处罚")
    with pytest.raises(DomainError, match="decision date|unknown"):
        services.revoke(honour, revocation_id="penalty", effective=dt.date(2027, 5, 1), actor=p.bureau,
                        document_no="x号", decided_by="市人社局", reason="受到行政处罚")
    with pytest.raises(DomainError, match="decision date|unknown"):
        services.revoke(honour, revocation_id="nope", effective=dt.date(2026, 5, 1), actor=p.bureau,
                        document_no="x号", decided_by="市人社局", reason="受到行政处罚")


def test_verification_valid_and_expired(programme, clock):
    p = programme("huancui-chief-technician")
    [honour] = p.award(["刘海波"], decided_on=dt.date(2024, 11, 1))
    assert services.verification(honour, dt.date(2026, 10, 31)).code == "valid"
    assert services.verification(honour, dt.date(2026, 11, 1)).code == "expired"
    assert not services.benefits_payable(honour, dt.date(2026, 11, 1))


def test_revoked_holder_cannot_apply_again(programme, clock):
    """惠阳 第十八条: 撤销“区管首席技师”称号…并不得再次申报 — a later round of the programme refuses him."""
    from gongjiang.applications import services as applications
    from gongjiang.applications.models import Route
    from gongjiang.rounds.tests.factories import open_round

    p = programme("huiyang-chief-technician")
    [honour] = p.award(["张伟"], decided_on=dt.date(2026, 1, 5))
    services.revoke(honour, revocation_id="loss", effective=dt.date(2026, 5, 1), actor=p.bureau,
                    document_no="惠阳人社字〔2026〕6号", decided_by="区人社局", reason="重大过失造成严重后果")
    later = open_round(policy_code="huiyang-chief-technician", organiser=p.district, actor=p.bureau, code="h-later")
    from gongjiang.accounts.services import create_user

    employer = create_user(username="hy_employer", role="employer", organisation=p.employer, password=None,
                           display_name="单位经办")
    with pytest.raises(DomainError) as e:
        applications.start(round=later, actor=employer, route=Route.EMPLOYER, person=honour.person, employer=p.employer)
    assert "不得再次申报" in e.value.message and "第十八条" in e.value.message


def test_signals_for_payments_awarded_and_stopped(programme):
    """payments listens: honour_awarded at the award, benefits_stopped with the stop date."""
    from gongjiang.honours import signals

    seen = []

    def on_awarded(sender, honour, **kw):
        seen.append(("awarded", honour.name))

    def on_stopped(sender, honour, stop_from, reason, **kw):
        seen.append(("stopped", stop_from, "第十七条" in reason))

    signals.honour_awarded.connect(on_awarded)
    signals.benefits_stopped.connect(on_stopped)
    try:
        p = programme("huiyang-chief-technician")
        [honour] = p.award(["张伟"], decided_on=dt.date(2026, 1, 5))
        services.record_exit(honour, exit_id="moved-away", effective=dt.date(2026, 9, 1), actor=p.bureau,
                             document_no="惠阳人社字〔2026〕7号", decided_by="区人社局", reason="调离本区工作")
    finally:
        signals.honour_awarded.disconnect(on_awarded)
        signals.benefits_stopped.disconnect(on_stopped)
    assert seen == [("awarded", "张伟"), ("stopped", dt.date(2026, 9, 1), True)]


def test_award_in_a_round_of_tiers_gives_each_the_honour_of_its_tier_zhongkai_5(jurisdictions, make_user, make_org,
                                                                               clock):
    """仲恺 第五条: one round of 首席技师 and 优秀技师 — each approved candidate gets the honour of the
    tier applied for (its title, and its own benefits and term), not the round's first."""
    from gongjiang.applications.models import Application
    from gongjiang.rounds.tests.factories import open_round

    from .factories import approval_for, approved_applications

    district = jurisdictions["仲恺高新区"]
    bureau = make_user("bureau", district, password=None)
    rnd = open_round(policy_code="zhongkai-skilled-talent", organiser=district, actor=bureau, code="h-tiers",
                     tiers=["chief-technician", "excellent-technician"],
                     tier_quotas={"chief-technician": 50, "excellent-technician": 200})
    apps = approved_applications(rnd, ["甲", "乙"], district=district, employer=make_org(parent=district))
    Application.objects.filter(pk=apps[0].pk).update(honour_code="chief-technician")
    Application.objects.filter(pk=apps[1].pk).update(honour_code="excellent-technician")
    approval = approval_for(rnd, actor=bureau, decided_on=DAY, number="测人社字〔2026〕1号")
    honours = services.award_round(approval, application_ids=[a.pk for a in apps], actor=bureau)
    assert sorted((h.name, h.honour_code, h.title) for h in honours) == [
        ("乙", "excellent-technician", "优秀技师"), ("甲", "chief-technician", "首席技师")]

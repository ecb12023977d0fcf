"""Applications: drafts, frozen versions, employer opinion, unit forwarding within quota, ranking,
unit notice and report, deadlines and audited re-opening."""
import datetime as dt

import pytest
from django.utils import timezone

from gongjiang.applications import services, states
from gongjiang.applications.models import ApplicationVersion, Evidence, Route
from gongjiang.applications.states import State
from gongjiang.audit.models import AuditEntry
from gongjiang.rounds import services as round_services
from gongjiang.rounds.tests.factories import (DEED, complete_facts, open_round, pdf_upload, ready_application,
                                              refused)


@pytest.fixture
def huiyang(jurisdictions, make_user):
    officer = make_user("bureau", jurisdictions["惠阳区"])
    return open_round(policy_code="test-self-route", organiser=officer.organisation, actor=officer), officer


@pytest.fixture
def applicant(jurisdictions, make_user):
    from gongjiang.core.idnumbers import make_resident_id
    from gongjiang.registry.services import register_person

    user = make_user("applicant", display_name="李建国")
    register_person(name="李建国", id_number=make_resident_id("441303", dt.date(1980, 5, 1), 11, female=False),
                    jurisdiction=jurisdictions["惠阳区"], account=user)
    return user


@pytest.fixture
def liaocheng(jurisdictions, make_user, make_org):
    """A county-quota round: 东昌府区 as a county unit with quota 2, one employer below it."""
    bureau = make_user("bureau", jurisdictions["聊城市"])
    rnd = open_round(policy_code="test-county-quota", organiser=bureau.organisation, actor=bureau)
    unit = round_services.set_unit(rnd, organisation=jurisdictions["东昌府区"], kind="county", quota=2, actor=bureau)
    employer_org = make_org(parent=jurisdictions["东昌府区"])
    return {"round": rnd, "unit": unit, "bureau": bureau, "employer_org": employer_org,
            "employer": make_user("employer", employer_org), "recommender": make_user("recommender", jurisdictions["东昌府区"])}


def nominate(ctx, name, n):
    from gongjiang.core.idnumbers import make_resident_id

    person = services.employee_for_nomination(employer=ctx["employer_org"], actor=ctx["employer"], name=name,
                                              id_number=make_resident_id("371502", dt.date(1975, 1, n), 13 + 2 * n, female=False))
    app = services.start(round=ctx["round"], actor=ctx["employer"], route=Route.EMPLOYER, person=person)
    ready_application(app, actor=ctx["employer"])
    services.verify_by_employer(app, actor=ctx["employer"], opinion="经审核，材料属实，同意推荐")
    return app


def test_self_application_prefilled_from_registry(huiyang, applicant):
    rnd, _ = huiyang
    app = services.start(round=rnd, actor=applicant, route=Route.SELF)
    assert app.status == State.DRAFT and app.person.account == applicant
    assert app.facts["personal"]["birth_date"] == "1980-05-01"
    assert "*" in app.facts["personal"]["id_number_masked"]
    assert app.serial.endswith("-0001")


def test_submit_freezes_version_and_self_route_goes_straight_to_bureau(huiyang, applicant):
    rnd, _ = huiyang
    app = services.start(round=rnd, actor=applicant, route=Route.SELF)
    ready_application(app, actor=applicant)
    app.refresh_from_db()
    assert app.status == State.RECOMMENDED and app.version == 1
    v = ApplicationVersion.objects.get(application=app)
    assert v.deed_text == DEED and v.commitment_name == "李建国" and len(v.digest) == 64
    assert Evidence.objects.filter(application=app, frozen_in_version=1).exists()
    assert app.eligibility["clauses"][0]["article"] == "第七条"
    with refused("不可修改"):
        services.save_draft(app, actor=applicant, deed_text="改动")


def test_submit_incomplete_lists_what_is_missing(huiyang, applicant):
    rnd, _ = huiyang
    app = services.start(round=rnd, actor=applicant, route=Route.SELF)
    with refused("事迹材料过短") as exc:
        services.submit(app, actor=applicant, commitment_name="李建国")
    assert "请上传：职业资格证书" in exc.value.message


def test_submit_commitment_name_must_match(huiyang, applicant):
    rnd, _ = huiyang
    app = services.start(round=rnd, actor=applicant, route=Route.SELF)
    services.save_draft(app, actor=applicant, facts=complete_facts("李建国"), deed_text=DEED)
    services.attach_evidence(app, actor=applicant, file=pdf_upload(), material="certificate")
    with refused("承诺书签名"):
        services.submit(app, actor=applicant, commitment_name="张三")


def test_submit_after_deadline_refused_with_deadline(huiyang, applicant):
    rnd, officer = huiyang
    app = services.start(round=rnd, actor=applicant, route=Route.SELF)
    services.save_draft(app, actor=applicant, facts=complete_facts("李建国"), deed_text=DEED)
    services.attach_evidence(app, actor=applicant, file=pdf_upload(), material="certificate")
    type(rnd).objects.filter(pk=rnd.pk).update(opens_on=timezone.localdate() - dt.timedelta(days=30),
                                               application_deadline=timezone.localdate() - dt.timedelta(days=1))
    app.round.refresh_from_db()
    with refused("已超过个人/单位申报截止日期"):
        services.submit(app, actor=applicant, commitment_name="李建国")
    round_services.extend_deadline(app.round, kind="application", new_date=timezone.localdate(), actor=officer,
                                   reason="系统维护顺延一天")
    app.round.refresh_from_db()
    services.submit(app, actor=applicant, commitment_name="李建国")
    assert app.status == State.RECOMMENDED


def test_reopen_is_audited_and_resubmission_makes_version_two(huiyang, applicant):
    rnd, officer = huiyang
    app = services.start(round=rnd, actor=applicant, route=Route.SELF)
    ready_application(app, actor=applicant)
    with refused("理由"):
        services.reopen(app, actor=officer, reason="")
    services.reopen(app, actor=officer, reason="职业资格证书扫描件不清晰")
    assert app.status == State.RETURNED
    entry = AuditEntry.objects.get(action="application.reopen")
    assert entry.reason == "职业资格证书扫描件不清晰" and entry.actor == officer
    assert app.messages.filter(text__contains="职业资格证书扫描件不清晰").exists()
    services.save_draft(app, actor=applicant, deed_text=DEED + "补充说明。")
    services.submit(app, actor=applicant, commitment_name="李建国")
    assert app.version == 2 and app.versions.count() == 2


def test_transition_table_refuses_unlisted_move(huiyang, applicant):
    rnd, officer = huiyang
    app = services.start(round=rnd, actor=applicant, route=Route.SELF)
    from gongjiang.core.errors import Conflict

    with pytest.raises(Conflict):
        services.transition(app, State.RECOMMENDED, actor=officer)
    assert states.staff_label("draft") == "草稿" and states.applicant_label("draft") == "填写中，尚未提交"


def test_state_table_holds_the_review_stages_states_at_import():
    """One table: the review stage kinds' states are part of it without any start-up registration."""
    assert states.can_move("recommended", "qualification_review")
    assert states.staff_label("deferred") == "单位存在暂缓情形，暂缓审核"


def test_self_route_refused_when_policy_has_only_units(liaocheng, applicant):
    """The refusal names the routes the policy offers, with their articles."""
    with refused("本批次不受理个人自荐，本政策的申报途径为：推荐单位推荐（三、推荐程序及产生方式）"):
        services.start(round=liaocheng["round"], actor=applicant, route=Route.SELF)


def test_employer_cannot_nominate_someone_working_elsewhere(liaocheng, make_org, jurisdictions):
    from gongjiang.core.idnumbers import make_resident_id
    from gongjiang.registry.models import Employment
    from gongjiang.registry.services import register_person

    other = make_org(parent=jurisdictions["阳谷县"])
    number = make_resident_id("371502", dt.date(1970, 2, 2), 17, female=False)
    person = register_person(name="赵六", id_number=number, jurisdiction=jurisdictions["阳谷县"])
    Employment.objects.create(person=person, employer=other, jurisdiction=jurisdictions["阳谷县"], start=dt.date(2010, 1, 1))
    with refused("不在本单位工作"):
        services.employee_for_nomination(employer=liaocheng["employer_org"], actor=liaocheng["employer"],
                                         name="赵六", id_number=number)


def test_forward_within_quota_then_refused_at_quota(liaocheng):
    a, b, c = (nominate(liaocheng, name, n) for n, name in enumerate(["甲一", "乙二", "丙三"], start=1))
    assert a.status == State.EMPLOYER_VERIFIED and a.unit == liaocheng["unit"]
    officer = liaocheng["recommender"]
    services.forward(a, actor=officer)
    services.forward(b, actor=officer, classified=True)
    with refused("已达到推荐名额上限") as exc:
        services.forward(c, actor=officer)
    assert "最多推荐2名" in exc.value.message
    c.refresh_from_db()
    assert c.status == State.EMPLOYER_VERIFIED
    assert services.used_quota(liaocheng["unit"]) == 2
    b.refresh_from_db()
    assert b.classified and b.unit_rank == 2


def test_forward_out_of_scope_officer_refused(liaocheng, make_user, jurisdictions):
    a = nominate(liaocheng, "甲一", 1)
    stranger = make_user("recommender", jurisdictions["阳谷县"])
    from gongjiang.core.errors import NotAllowed

    with pytest.raises(NotAllowed):
        services.forward(a, actor=stranger)


def test_rank_notice_and_report_flow(liaocheng, jurisdictions):
    unit = round_services.set_unit(liaocheng["round"], organisation=jurisdictions["东昌府区"], kind="county",
                                   quota=3, actor=liaocheng["bureau"])
    apps = [nominate(liaocheng, name, n) for n, name in enumerate(["甲一", "乙二", "丙三"], start=1)]
    officer = liaocheng["recommender"]
    for a in apps:
        services.forward(a, actor=officer)
    services.rank(unit, actor=officer, order=[apps[2].pk, apps[0].pk, apps[1].pk])
    apps[2].refresh_from_db()
    assert apps[2].unit_rank == 1
    with refused("须在本单位公示5个工作日后"):
        services.submit_report(unit, actor=officer, text="推荐报告")
    from gongjiang.notices.models import Notice
    from gongjiang.workdays.services import notice_period_end

    start = timezone.localdate()
    unit = services.post_unit_notice(unit, actor=officer, starts_on=start)
    notice = services.current_unit_notice(unit)
    assert notice.end_date == notice_period_end(start, 5) == unit.notice_ends_on
    assert notice.organisation == jurisdictions["东昌府区"] and notice.days == 5 and notice.round_id == unit.round_id
    assert [e.application_id for e in notice.entries.all()] == [apps[2].pk, apps[0].pk, apps[1].pk]
    with refused(f"至{notice.end_date:%Y年%m月%d日}") as exc:
        services.submit_report(unit, actor=officer, text="推荐报告")
    assert "公示期满且无未办结异议后方可报送" in exc.value.message
    # The period runs out (dates moved back in the database: published notices are immutable).
    Notice.objects.filter(pk=notice.pk).update(start_date=start - dt.timedelta(days=14),
                                               end_date=start - dt.timedelta(days=7))
    unit = services.submit_report(unit, actor=officer, text="经组织7名专家综合评定，同意推荐。")
    assert unit.report_submitted_by == officer
    with refused("推荐报告已报送"):
        services.rank(unit, actor=officer, order=[apps[0].pk, apps[1].pk, apps[2].pk])


def test_decline_requires_reason(liaocheng):
    a = nominate(liaocheng, "甲一", 1)
    with refused("理由"):
        services.decline(a, actor=liaocheng["recommender"], reason=" ")
    services.decline(a, actor=liaocheng["recommender"], reason="业绩条件不足")
    assert a.status == State.NOT_RECOMMENDED


def test_employer_declines_and_applicant_is_told(liaocheng):
    from gongjiang.core.idnumbers import make_resident_id

    person = services.employee_for_nomination(employer=liaocheng["employer_org"], actor=liaocheng["employer"],
                                              name="钱七", id_number=make_resident_id("371502", dt.date(1979, 3, 3), 19, female=False))
    app = services.start(round=liaocheng["round"], actor=liaocheng["employer"], route=Route.EMPLOYER, person=person)
    ready_application(app, actor=liaocheng["employer"])
    services.verify_by_employer(app, actor=liaocheng["employer"], opinion="不符合推荐条件", agree=False)
    assert app.status == State.EMPLOYER_DECLINED and app.employer_verified_by == liaocheng["employer"]


def test_duplicate_application_same_person_refused(huiyang, applicant):
    rnd, _ = huiyang
    services.start(round=rnd, actor=applicant, route=Route.SELF)
    with refused("已有申报"):
        services.start(round=rnd, actor=applicant, route=Route.SELF)


def test_visible_applications_scope(liaocheng, make_user, jurisdictions):
    a = nominate(liaocheng, "甲一", 1)
    assert a in services.visible_applications(liaocheng["recommender"])
    assert a in services.visible_applications(liaocheng["employer"])
    assert a in services.visible_applications(liaocheng["bureau"])
    assert a not in services.visible_applications(make_user("recommender", jurisdictions["阳谷县"]))
    assert a not in services.visible_applications(make_user("bureau", jurisdictions["惠阳区"]))


def test_unit_report_blocked_by_open_objection_and_unnoticed_candidate(liaocheng, jurisdictions):
    """聊城 三、推荐程序: 公示5个工作日并无异议后 — an open objection on the unit's notice, or a
    candidate recommended after it, blocks the report; re-publishing corrects the notice."""
    from gongjiang.notices.models import Notice
    from gongjiang.notices.services import file_objection

    officer = liaocheng["recommender"]
    first, second = nominate(liaocheng, "甲一", 1), nominate(liaocheng, "乙二", 2)
    services.forward(first, actor=officer)
    today = timezone.localdate()
    unit = services.post_unit_notice(liaocheng["unit"], actor=officer, starts_on=today, contact="东昌府区人社局 0635-8888888")
    notice = services.current_unit_notice(unit)
    file_objection(notice, entry=notice.entries.get(), text="该同志证书与岗位不符，请核实。", filer_name="张三",
                   filer_contact="13800138000", client_address="127.0.0.1")
    Notice.objects.filter(pk=notice.pk).update(start_date=today - dt.timedelta(days=14), end_date=today - dt.timedelta(days=7))
    with refused("尚有1件异议未办结"):
        services.submit_report(unit, actor=officer, text="推荐报告")
    services.forward(second, actor=officer)
    unit = services.post_unit_notice(unit, actor=officer, starts_on=today)
    corrected = services.current_unit_notice(unit)
    assert corrected.corrects_id == notice.pk and corrected.entries.count() == 2
    with refused("公示期满且无未办结异议后方可报送"):
        services.submit_report(unit, actor=officer, text="推荐报告")

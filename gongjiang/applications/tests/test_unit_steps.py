"""The recommending unit's steps before the bureau receives a candidate, read from the policy files
(recommendation.unit_procedure.steps). 聊城 三、推荐程序及产生方式: 组织7名以上相关职业（工种）或专业领域的
专家…进行综合评定；推荐人选在人选所在单位公示5个工作日并无异议后经县（市、区）人才工作领导小组审定后…报送."""
import datetime as dt

import pytest
from pydantic import ValidationError

from gongjiang.applications import services, unit_steps
from gongjiang.applications.models import Application
from gongjiang.applications.states import State
from gongjiang.applications.tests.test_services import nominate
from gongjiang.audit.models import AuditEntry
from gongjiang.policy.schema import UnitProcedure
from gongjiang.review import services as review
from gongjiang.review import stages as st
from gongjiang.rounds import services as round_services
from gongjiang.rounds.tests.factories import open_round, pdf_upload, refused

SAN = "三、推荐程序及产生方式"


@pytest.fixture
def liaocheng(jurisdictions, make_user, make_org, clock):
    """A round of the real 聊城 policy file with 东昌府区 as a county unit."""
    clock.set(dt.date(2026, 9, 28))  # Monday before 国庆: the unit notice spans the holiday
    bureau = make_user("bureau", jurisdictions["聊城市"])
    rnd = open_round(policy_code="liaocheng-2019-chief-technician", organiser=bureau.organisation, actor=bureau, quota=40)
    unit = round_services.set_unit(rnd, organisation=jurisdictions["东昌府区"], kind="county", quota=3, actor=bureau)
    employer_org = make_org(parent=jurisdictions["东昌府区"])
    return {"round": rnd, "unit": unit, "bureau": bureau, "employer_org": employer_org, "clock": clock,
            "employer": make_user("employer", employer_org), "recommender": make_user("recommender", jurisdictions["东昌府区"])}


def proposed(ctx, *names):
    apps = [nominate(ctx, name, n) for n, name in enumerate(names, start=1)]
    for app in apps:
        services.forward(app, actor=ctx["recommender"])
    return apps


def evaluate(ctx, experts=7):
    return unit_steps.record_step(ctx["unit"], actor=ctx["recommender"], kind="expert_evaluation",
                                  done_on=ctx["clock"].now.date(), experts=experts,
                                  document=pdf_upload("综合评定会议纪要.pdf"))


def end_notice(ctx):
    ctx["clock"].set(dt.date(2026, 10, 13))


def test_liaocheng_san_recommended_candidate_waits_for_unit_steps_before_the_city_receives_it(liaocheng):
    """三: the city receives a candidate only after the unit's 综合评定, 公示 and 审定 — not while the
    unit's notice still runs (before, a forwarded candidate was at once 已报送，待受理)."""
    first, second = proposed(liaocheng, "甲一", "乙二")
    first.refresh_from_db()
    assert first.status == State.UNIT_PROPOSED
    assert not Application.objects.filter(round=liaocheng["round"], status=State.RECOMMENDED).exists()
    assert services.used_quota(liaocheng["unit"]) == 2  # a proposed candidate holds the unit's place
    with refused("不能受理"):
        review.accept(first, actor=liaocheng["bureau"])
    from gongjiang.applications.inbox import application_items

    todo = [(i.title, i.count) for i in application_items(liaocheng["recommender"])]
    assert (f"{liaocheng['round'].title}：东昌府区拟推荐人选待完成单位推荐程序并报送", 2) in todo

    evaluate(liaocheng)
    unit = services.post_unit_notice(liaocheng["unit"], actor=liaocheng["recommender"], starts_on=dt.date(2026, 9, 30))
    with refused("单位公示期为2026年09月30日至2026年10月12日"):
        services.submit_report(unit, actor=liaocheng["recommender"], text="同意推荐。")
    assert Application.objects.get(pk=first.pk).status == State.UNIT_PROPOSED  # still the unit's

    end_notice(liaocheng)
    unit_steps.record_step(unit, actor=liaocheng["recommender"], kind="unit_approval", done_on=dt.date(2026, 10, 13),
                           document=pdf_upload("审定意见.pdf"))
    services.submit_report(unit, actor=liaocheng["recommender"], text="经综合评定、公示和审定，同意推荐。")
    assert {a.status for a in Application.objects.filter(pk__in=[first.pk, second.pk])} == {State.RECOMMENDED}
    forward = AuditEntry.objects.filter(action="application.forward", object_id=str(first.pk)).get()
    assert SAN in forward.reason and "县（市、区）人才工作领导小组审定" in forward.reason
    review.accept(first, actor=liaocheng["bureau"])
    first.refresh_from_db()
    assert first.status == st.QUALIFICATION


def test_liaocheng_san_unit_notice_counts_five_working_days_over_national_day(liaocheng):
    """三: 公示5个工作日, counted by the workdays calendar: 9-30, 10-8, 10-9, Saturday 10-10 (调休上班)
    and 10-12; 国庆 10-1..10-7 does not count."""
    proposed(liaocheng, "甲一")
    evaluate(liaocheng)
    unit = services.post_unit_notice(liaocheng["unit"], actor=liaocheng["recommender"], starts_on=dt.date(2026, 9, 30))
    assert (unit.notice_starts_on, unit.notice_ends_on) == (dt.date(2026, 9, 30), dt.date(2026, 10, 12))
    liaocheng["clock"].set(dt.date(2026, 10, 12))
    assert unit_steps.progress(unit)[1]["done"] is False  # the last day is still a notice day
    end_notice(liaocheng)
    assert unit_steps.progress(unit)[1]["done"] is True


def test_liaocheng_san_unit_steps_are_taken_in_order_with_their_documents(liaocheng):
    """三: 综合评定 by 7名以上 experts, then 公示, then 审定; each recorded with a document and audited."""
    ctx = liaocheng
    proposed(ctx, "甲一")
    with refused("请先完成“组织7名以上相关职业（工种）或专业领域专家综合评定（三、推荐程序及产生方式）”"):
        services.post_unit_notice(ctx["unit"], actor=ctx["recommender"], starts_on=dt.date(2026, 9, 30))
    with refused("综合评定须组织7名以上专家（三、推荐程序及产生方式），本次仅6名"):
        evaluate(ctx, experts=6)
    with refused("证明文件"):
        unit_steps.record_step(ctx["unit"], actor=ctx["recommender"], kind="expert_evaluation",
                               done_on=dt.date(2026, 9, 28), experts=7, document=None)
    row = evaluate(ctx)
    assert row.document_name == "综合评定会议纪要.pdf" and list(row.applications.values_list("name", flat=True)) == ["甲一"]
    with refused("请先完成“推荐人选在人选所在单位公示（三、推荐程序及产生方式）”"):
        unit_steps.record_step(ctx["unit"], actor=ctx["recommender"], kind="unit_approval",
                               done_on=dt.date(2026, 9, 28), document=pdf_upload())
    entry = AuditEntry.objects.filter(action="round.unit.step").get()
    assert entry.after["step"] == "expert_evaluation" and entry.after["experts"] == 7
    with refused("未规定该单位推荐程序环节"):
        unit_steps.record_step(ctx["unit"], actor=ctx["recommender"], kind="staff_recommendation",
                               done_on=dt.date(2026, 9, 28), document=pdf_upload())


def test_liaocheng_san_candidate_proposed_after_the_steps_needs_them_again(liaocheng):
    """A candidate the unit adds after its 综合评定 was recorded is not covered by it: the report
    names the step and the candidate."""
    ctx = liaocheng
    proposed(ctx, "甲一")
    evaluate(ctx)
    late = nominate(ctx, "乙二", 2)
    services.forward(late, actor=ctx["recommender"])
    assert unit_steps.problem(late).startswith("乙二的单位推荐程序尚未完成：组织7名以上")
    with refused("以下推荐人选尚未完成：乙二"):
        services.post_unit_notice(ctx["unit"], actor=ctx["recommender"], starts_on=dt.date(2026, 9, 30))


def test_liaocheng_san_expert_review_refuses_a_file_whose_unit_steps_are_not_done(liaocheng):
    """A file that reached expert review without its unit's steps (e.g. one recommended before the
    steps were required) is refused, the message citing the steps and 三."""
    ctx = liaocheng
    app, = proposed(ctx, "甲一")
    Application.objects.filter(pk=app.pk).update(status=st.EXPERT)  # an old file, already in expert review
    from gongjiang.review import experts

    with refused(f"申报材料不完整，不能进行专家评审：甲一的单位推荐程序尚未完成：组织7名以上相关职业（工种）或专业领域专家综合评定（{SAN}）") as exc:
        experts.compose_panel(ctx["round"], actor=ctx["bureau"], name="专家组", experts=[])
    assert f"县（市、区）人才工作领导小组审定（{SAN}）" in exc.value.message


def test_unit_procedure_schema_names_each_step_kind_with_its_own_fields():
    """A unit_notice needs its working days; min_experts belongs to the expert evaluation only; a
    kind appears once."""
    with pytest.raises(ValidationError, match="working_days"):
        UnitProcedure(article=SAN, steps=[{"kind": "unit_notice", "article": SAN}])
    with pytest.raises(ValidationError, match="min_experts"):
        UnitProcedure(article=SAN, steps=[{"kind": "unit_approval", "article": SAN, "min_experts": 7}])
    with pytest.raises(ValidationError, match="once"):
        UnitProcedure(article=SAN, steps=[{"kind": "unit_approval", "article": SAN}] * 2)
    with pytest.raises(ValidationError, match="extra"):
        UnitProcedure(article=SAN, steps=[{"kind": "unit_approval", "article": SAN, "days": 3}])
    p = UnitProcedure(article=SAN, steps=[{"kind": "unit_notice", "article": SAN, "working_days": 5}])
    assert p.notice_working_days == 5 and p.expert_panel_min is None


def test_liaocheng_san_unit_page_lists_the_steps_and_records_one_with_its_document(liaocheng, client):
    """The unit's page lists 三's three steps in order; the officer records the 综合评定 with its
    minutes; a refusal (too few experts) is shown in Chinese, never a 500."""
    proposed(liaocheng, "甲一")
    client.force_login(liaocheng["recommender"])
    url = f"/applications/units/{liaocheng['unit'].pk}/"
    page = client.get(url).content.decode()
    assert page.index("组织7名以上相关职业（工种）或专业领域专家综合评定") < page.index("推荐人选在人选所在单位公示") \
        < page.index("县（市、区）人才工作领导小组审定")
    assert "推荐单位拟推荐，单位推荐程序进行中" in page
    few = client.post(url, {"action": "step", "step": "expert_evaluation", "done_on": "2026-09-28", "experts": "5",
                            "document": pdf_upload("纪要.pdf")}, follow=True)
    assert "综合评定须组织7名以上专家" in few.content.decode()
    ok = client.post(url, {"action": "step", "step": "expert_evaluation", "done_on": "2026-09-28", "experts": "7",
                           "document": pdf_upload("纪要.pdf")}, follow=True)
    assert "已登记单位推荐程序：组织7名以上相关职业（工种）或专业领域专家综合评定" in ok.content.decode()
    assert unit_steps.progress(liaocheng["unit"])[0]["done"] is True

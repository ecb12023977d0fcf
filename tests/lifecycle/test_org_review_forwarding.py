"""A test policy (gongjiang/rounds/tests/policies/test-unit-steps-forwarding.yaml) for what no seed
text names: the unit's 职工代表大会推荐 and 单位党组织审核同意 before its 5-working-day notice
(第九条（二）1–3), 组织审查 by the 区委组织部 (第九条（四）), and 推荐参加市级评选 after the district's
approval (第十条). No seed policy says so, so none of the five seed files carries these stages."""
import datetime as dt

from gongjiang.applications import services as app_services
from gongjiang.applications import unit_steps
from gongjiang.audit.models import AuditEntry
from gongjiang.policy.loader import read_policy
from gongjiang.review import quota
from gongjiang.review import services as review
from gongjiang.review import stages as st
from gongjiang.review.models import Notification
from gongjiang.review.stages.show import as_text
from gongjiang.rounds import services as round_services
from gongjiang.rounds.tests.factories import POLICY_DIR, pdf_upload, refused

POLICY = "test-unit-steps-forwarding"


def unit_steps_done(w, unit, recommender):
    """第九条（二）: 经职工代表大会或职工推荐 → 单位党组织审核同意 → 在本单位公示5个工作日, then the report."""
    with refused("请先完成“经职工代表大会或职工推荐（第九条（二）1）”"):
        unit_steps.record_step(unit, actor=recommender, kind="unit_approval", done_on=w.clock.now.date(),
                               document=pdf_upload("党组织审核意见.pdf"))
    unit_steps.record_step(unit, actor=recommender, kind="staff_recommendation", done_on=w.clock.now.date(),
                           document=pdf_upload("职代会决议.pdf"), note="职工代表大会投票推荐")
    row = unit_steps.record_step(unit, actor=recommender, kind="unit_approval", done_on=w.clock.now.date(),
                                 document=pdf_upload("党组织审核意见.pdf"))
    assert row.body == "单位党组织"  # the body the policy names, unless the officer writes another
    unit = app_services.post_unit_notice(unit, actor=recommender, starts_on=w.clock.now.date())
    assert unit.notice_ends_on == dt.date(2026, 11, 27)  # Mon 11-23 + 5 working days
    w.clock.set(dt.date(2026, 11, 30))
    app_services.submit_report(unit, actor=recommender, text="经职工代表大会推荐、单位党组织审核同意并公示无异议，同意推荐。")


def to_organisational_review(w, make_user, names):
    """Candidates through the unit's steps, intake and 资格审查, waiting for the 组织审查."""
    unit = round_services.set_unit(w.round, organisation=w.district, kind="county", quota=3, actor=w.bureau)
    recommender = make_user("recommender", w.district, password=None)
    apps = [w.nominate(n) for n in names]
    for app in apps:
        app_services.forward(app, actor=recommender)
    assert set(w.statuses(apps).values()) == {"unit_proposed"}
    unit_steps_done(w, unit, recommender)
    assert set(w.statuses(apps).values()) == {st.RECOMMENDED}
    w.accept_all(apps)
    for app in apps:
        w.qualify(app)
    assert set(w.statuses(apps).values()) == {st.ORGANISATIONAL}
    return apps


def test_jiu_tiao_organisational_review_and_shi_tiao_forwarding_to_the_city(world, make_user):
    w = world(POLICY, "惠阳区", members=3)
    a, b, c = to_organisational_review(w, make_user, ("周建华", "吴海燕", "郑国强"))

    # 第九条（四）组织审查: a decision per candidate by the 区委组织部; a failure needs its reason.
    with refused("组织审查不通过须说明理由"):
        review.record_organisational_review(c, actor=w.bureau, outcome="fail", decided_on=w.clock.now.date())
    review.record_organisational_review(c, actor=w.bureau, outcome="fail", decided_on=w.clock.now.date(),
                                        reason="近三年内受过党内警告处分", document=pdf_upload("组织审查意见.pdf"))
    for app in (a, b):
        review.record_organisational_review(app, actor=w.bureau, outcome="pass", decided_on=w.clock.now.date())
    assert w.statuses([a, b, c]) == {"周建华": st.COMMITTEE, "吴海燕": st.COMMITTEE, "郑国强": st.ORGANISATIONAL_FAILED}
    # The officers' record keeps the department's reason; the applicant is told the stage and article.
    failed = AuditEntry.objects.filter(action=f"application.{st.ORGANISATIONAL_FAILED}", object_id=str(c.pk)).get()
    assert failed.reason == "区委组织部组织审查（第九条（四））不通过：近三年内受过党内警告处分"
    assert review.applicant_history(c)[-1]["reason"] == "组织审查环节，依据第九条（四）"
    told = Notification.objects.filter(application=c, title="组织审查未通过").get()
    assert told.user == w.employer and "党内警告" not in told.body and "第九条（四）" in told.body
    org = AuditEntry.objects.filter(action="review.organisational").order_by("pk")
    assert [e.after["outcome"] for e in org] == ["fail", "pass", "pass"]
    assert org.first().after["department"] == "区委组织部"

    w.committee()
    notice = w.publish()
    w.after_period(notice)
    w.approve(notice, "惠阳府〔2026〕8号")
    assert w.statuses([a, b]) == {"周建华": st.APPROVED, "吴海燕": st.APPROVED}

    # 第十条: the approved are forwarded to the city, with the date, the receiving body and the letter.
    with refused("请上传推荐上报文件"):
        review.forward_to_higher(w.round, actor=w.bureau, forwarded_on=w.clock.now.date(), document=None)
    row = review.forward_to_higher(w.round, actor=w.bureau, forwarded_on=w.clock.now.date(),
                                   letter_number="惠阳人社〔2026〕30号", document=pdf_upload("推荐函.pdf"))
    assert (row.receiving_body, row.document.name) == ("惠州市人力资源和社会保障局", "推荐函.pdf")
    assert w.statuses([a, b]) == {"周建华": st.FORWARDED, "吴海燕": st.FORWARDED}
    with refused("没有已批准入选、待推荐上报的人选"):
        review.forward_to_higher(w.round, actor=w.bureau, forwarded_on=w.clock.now.date(), document=pdf_upload())
    assert quota.taken(w.round, "committee_decision") == 2  # the forwarded keep their places

    # The round records the outcome at the city: 周建华 selected, 吴海燕 not.
    w.clock.set(dt.date(2026, 12, 28))
    with refused("不早于上报日期"):
        review.record_forwarding_outcome(row, actor=w.bureau, outcome_on=dt.date(2026, 11, 1), selected=[a.pk])
    review.record_forwarding_outcome(row, actor=w.bureau, outcome_on=w.clock.now.date(), selected=[a.pk],
                                     text="市级评选结果公布", document=pdf_upload("市级评选结果.pdf"))
    assert w.statuses([a, b]) == {"周建华": st.HIGHER_SELECTED, "吴海燕": st.HIGHER_NOT_SELECTED}
    with refused("评定结果已登记"):
        review.record_forwarding_outcome(row, actor=w.bureau, outcome_on=w.clock.now.date(), selected=[])
    assert AuditEntry.objects.filter(action="review.forwarding.outcome").get().after["selected"] == [a.pk]
    w.assert_audited([a, b, c])


def test_procedure_show_lists_the_unit_steps_organisational_review_and_forwarding():
    """The whole machine of the test policy: unit steps with the intake, 组织审查 with its exit, the
    move approved -> forwarded and the higher body's two outcomes."""
    text = as_text(read_policy(POLICY_DIR / f"{POLICY}.yaml").policy)
    assert "单位推荐程序（完成后方报送人社部门）：经职工代表大会或职工推荐（第九条（二）1） → 单位党组织审核同意（第九条（二）2） → 在本单位公示（5个工作日，第九条（二）3）" in text
    assert "组织审查中 → 组织审查未通过：组织部门审查不通过，说明理由" in text
    assert "已批准入选 → 已推荐上报，待上级评定" in text
    assert "已推荐上报，待上级评定 → 上级评定未入选：上级评定未入选" in text


def test_forwarding_must_come_last_and_organisational_review_names_its_department():
    """A stage after 推荐上报, or 组织审查 without the department, is an error of the policy file."""
    import pytest
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="by"):
        st.validate_stages([{"kind": "organisational_review", "article": "第九条（四）", "name": "组织审查"}])
    entries = [{"kind": "public_notice", "article": "第九条（六）", "name": "公示", "working_days": 5},
               {"kind": "forwarding", "article": "第十条", "name": "推荐上报", "to": "市人社局", "level": "市级"},
               {"kind": "approval", "article": "第九条（七）", "name": "批准"}]
    with refused("最后一个环节"):
        st.Procedure.from_entries(entries)


def test_officer_pages_for_organisational_review_and_forwarding(world, make_user, client):
    """The officer records the 组织审查 on the candidate's page and forwards from the round's
    推荐上报 page; both pages speak Chinese and show refusals inline."""
    w = world(POLICY, "惠阳区", members=3)
    a, = to_organisational_review(w, make_user, ("周建华",))
    client.force_login(w.bureau)
    url = f"/review/applications/{a.pk}/"
    page = client.get(url).content.decode()
    assert "组织审查" in page and "由区委组织部逐人审查（第九条（四））：政治表现、廉洁自律" in page
    refused_page = client.post(url, {"form": "organisational", "decided_on": "2026-11-30", "outcome": "fail",
                                     "reason": ""}).content.decode()
    assert "组织审查不通过须说明理由" in refused_page
    assert client.post(url, {"form": "organisational", "decided_on": "2026-11-30", "outcome": "pass"}).status_code == 302
    assert w.statuses([a]) == {"周建华": st.COMMITTEE}

    w.committee()
    notice = w.publish()
    w.after_period(notice)
    w.approve(notice, "惠阳府〔2026〕9号")
    client.force_login(w.bureau)  # a week later: a new session
    response = client.get(f"/review/rounds/{w.round.pk}/forwarding/")
    assert response.status_code == 200, (response.status_code, response.get("Location"))
    page = response.content.decode()
    assert "推荐上报" in page and "惠州市人力资源和社会保障局" in page and "周建华" in page
    response = client.post(f"/review/rounds/{w.round.pk}/forwarding/", {
        "form": "forward", "forwarded_on": w.clock.now.date().isoformat(), "receiving_body": "惠州市人力资源和社会保障局",
        "letter_number": "", "document": pdf_upload("推荐函.pdf")})
    assert response.status_code == 302 and w.statuses([a]) == {"周建华": st.FORWARDED}
    row = w.round.forwardings.get()
    response = client.post(f"/review/rounds/{w.round.pk}/forwarding/", {
        "form": "outcome", "forwarding": row.pk, "outcome_on": w.clock.now.date().isoformat(), "selected": [a.pk]})
    assert response.status_code == 302 and w.statuses([a]) == {"周建华": st.HIGHER_SELECTED}
    board = client.get(f"/review/rounds/{w.round.pk}/").content.decode()
    assert "推荐参加市级评选" in board and "上级评定入选" in board

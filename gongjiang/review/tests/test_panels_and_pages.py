"""How a round's panel comes about as its policy says (随机抽取 or 组建专家组), adding a member to a
composed panel after a declared conflict, the board page, and the applicant's view of the course
of their application."""
import re

import pytest
from django.urls import reverse

from gongjiang.audit.models import AuditEntry
from gongjiang.core.errors import DomainError
from gongjiang.review import experts as ex
from gongjiang.review import services
from gongjiang.review import stages as st
from gongjiang.review.models import Assignment, Panel
from gongjiang.review.tests.conftest import HUIYANG_STAGES, ZHONGKAI_STAGES
from gongjiang.review.tests.test_services import FULL, _score_all, _to_expert_review

pytestmark = pytest.mark.django_db

# 惠阳 第九条: 评选委员会负责组建专家组 — the policy's `random_draw: false`.
COMPOSED = [{**s, "panel": {"min_experts": 5, "random_draw": False, "composition": "评选委员会"}}
            if s["kind"] == "expert_review" else s for s in HUIYANG_STAGES]


def composed_round(w, n=2):
    return _to_expert_review(w, n=n, stages=COMPOSED)


# ---------------------------------------------------------------- draw or compose


def test_draw_refused_where_policy_composes_the_panel_huiyang_9(review_world, expert_pool, client):
    w = review_world
    rnd, _apps = composed_round(w)
    with pytest.raises(DomainError) as e:
        services.draw(rnd, actor=w["bureau"], name="组", seed="s", size=5)
    assert "评选委员会组建" in e.value.message and "第十条（五）" in e.value.message
    assert "组建专家组" in e.value.message
    client.force_login(w["bureau"])
    response = client.post(reverse("review:draw", args=[rnd.pk]), {"name": "组"}, follow=True)
    assert "不采用随机抽取" in response.content.decode()
    assert not Panel.objects.filter(round=rnd).exists()


def test_board_of_composed_round_links_composition_and_offers_no_draw(review_world, expert_pool, client):
    w = review_world
    rnd, _apps = composed_round(w)
    client.force_login(w["bureau"])
    body = client.get(reverse("review:board", args=[rnd.pk])).content.decode()
    assert reverse("review:compose", args=[rnd.pk]) in body
    assert reverse("review:draw", args=[rnd.pk]) not in body and "随机抽取专家组" not in body
    assert "专家组须由5名以上专家组成" in body


def test_board_of_drawn_round_offers_draw_and_no_composition_zhongkai(review_world, expert_pool, client):
    w = review_world
    rnd, _apps = _to_expert_review(w, stages=ZHONGKAI_STAGES)
    client.force_login(w["bureau"])
    body = client.get(reverse("review:board", args=[rnd.pk])).content.decode()
    assert reverse("review:draw", args=[rnd.pk]) in body
    assert reverse("review:compose", args=[rnd.pk]) not in body


def test_board_title_is_short_and_notice_section_appears_once(review_world, client):
    w = review_world
    rnd = w["make_round"](HUIYANG_STAGES)
    client.force_login(w["bureau"])
    body = client.get(reverse("review:board", args=[rnd.pk])).content.decode()
    title = re.search(r"<title>(.*?)</title>", body, re.S).group(1)
    assert title == f"{rnd.title} · 评审看板 · 工匠平台"
    assert "公示" not in title and "<" not in title
    assert body.count("<h2>公示<span") == 1
    assert body.count("没有拟入选待公示的人选") == 1


# ---------------------------------------------------------------- adding a member to a composed panel


def test_add_member_after_conflict_restores_minimum_and_is_audited(review_world, expert_pool, client):
    w = review_world
    rnd, apps = composed_round(w)
    panel = ex.compose_panel(rnd, actor=w["bureau"], name="组", experts=expert_pool[:5])
    conflicted = services.assignment_for(expert_pool[0].user, apps[0].pk)
    conflict = services.declare_conflict(conflicted, actor=expert_pool[0].user, reason="与申报人系亲属")
    assert conflict.replacement is None  # a composed panel has nobody in reserve
    short = services.panel_shortfalls(rnd)
    assert [(s["application"], s["assessors"], s["minimum"]) for s in short] == [(apps[0], 4, 5)]
    client.force_login(w["bureau"])
    board = client.get(reverse("review:board", args=[rnd.pk])).content.decode()
    assert f"{apps[0].name}的有效评审专家仅4名，少于最少5名" in board and "请在专家组页面增补专家" in board

    with pytest.raises(DomainError) as e:
        ex.add_panel_member(panel, actor=w["bureau"], expert=expert_pool[5], reason="")
    assert "理由" in e.value.message
    ex.add_panel_member(panel, actor=w["bureau"], expert=expert_pool[5], reason="专家回避后不足5人，增补")
    panel.refresh_from_db()
    assert panel.size == 6 and services.rerun_draw(panel)
    # The new member assesses both candidates; the one who declared stays released.
    assert set(Assignment.objects.filter(panel=panel, expert=expert_pool[5], active=True)
               .values_list("application_id", flat=True)) == {apps[0].pk, apps[1].pk}
    assert services.panel_shortfalls(rnd) == []
    entry = AuditEntry.objects.get(action="review.panel.add_member", object_id=str(panel.pk))
    assert entry.after["added"] == expert_pool[5].key and "增补" in entry.reason
    board = client.get(reverse("review:board", args=[rnd.pk])).content.decode()
    assert "有效评审专家仅" not in board
    sheet = {"performance": 20, "results": 20, "contribution": 20, "skill": 20}  # 惠阳's rubric
    _score_all(rnd, {a: [sheet] * 6 for a in apps})
    services.close_expert_review(rnd, actor=w["bureau"])  # 5 assessors for one, 6 for the other


def test_add_member_with_conflict_or_twice_or_to_drawn_panel_is_refused(review_world, expert_pool, make_org):
    w = review_world
    rnd, apps = composed_round(w)
    panel = ex.compose_panel(rnd, actor=w["bureau"], name="组", experts=expert_pool[:5])
    colleague = expert_pool[6]
    colleague.employer = apps[1].employer
    colleague.save(update_fields=["employer"])
    with pytest.raises(DomainError) as e:
        ex.add_panel_member(panel, actor=w["bureau"], expert=colleague, reason="增补")
    assert f"{colleague.name} 与 {apps[1].name}：与申报人同一工作单位" in e.value.message
    with pytest.raises(DomainError) as e:
        ex.add_panel_member(panel, actor=w["bureau"], expert=expert_pool[1], reason="增补")
    assert "已是该专家组成员" in e.value.message
    drawn_round, _ = _to_expert_review(w, n=1, stages=ZHONGKAI_STAGES)
    drawn = services.draw(drawn_round, actor=w["bureau"], name="仲恺组", seed="z", size=5)
    with pytest.raises(DomainError) as e:
        ex.add_panel_member(drawn, actor=w["bureau"], expert=expert_pool[11], reason="增补")
    assert "随机抽取" in e.value.message
    assert not AuditEntry.objects.filter(action="review.panel.add_member").exists()


def test_add_member_page_adds_and_shows_refusal_inline(review_world, expert_pool, client):
    w = review_world
    rnd, apps = composed_round(w, n=1)
    panel = ex.compose_panel(rnd, actor=w["bureau"], name="组", experts=expert_pool[:5])
    client.force_login(w["bureau"])
    page = client.get(reverse("review:panel", args=[panel.pk])).content.decode()
    assert "增补专家" in page and reverse("review:add_panel_member", args=[panel.pk]) in page
    url = reverse("review:add_panel_member", args=[panel.pk])
    response = client.post(url, {"expert": expert_pool[1].pk, "reason": "增补"})
    assert response.status_code == 400  # already on the panel: not offered
    response = client.post(url, {"expert": expert_pool[7].pk, "reason": "专家回避后增补"})
    assert response.status_code == 302
    assert Assignment.objects.filter(panel=panel, expert=expert_pool[7], application=apps[0], active=True).exists()


# ---------------------------------------------------------------- the applicant's view


def test_my_application_shows_status_history_with_rejection_reason_and_article(review_world, make_user, client):
    w = review_world
    applicant = make_user("applicant")
    app = w["make_app"](w["make_round"](HUIYANG_STAGES), account=applicant)
    services.accept(app, actor=w["bureau"])
    services.decide_qualification(app, actor=w["bureau"], outcome="reject", article="第七条",
                                  reason="连续在我区工作不满1年")
    client.force_login(applicant)
    body = client.get(reverse("review:my_application", args=[app.pk])).content.decode()
    assert "资格审查中" in body and "资格审查未通过" in body
    assert "连续在我区工作不满1年（依据第七条）" in body
    table = body[body.index("办理过程"):]
    assert table.index("资格审查中") < table.index("资格审查未通过")
    assert str(w["bureau"]) not in body  # no officers' names


def test_my_application_hides_inspection_findings_and_expert_scores(review_world, expert_pool, make_user, client):
    w = review_world
    applicant = make_user("applicant")
    rnd, apps = _to_expert_review(w, n=2, quota=1, account=None)
    apps[1].applicant_account = applicant
    apps[1].save(update_fields=["applicant_account"])
    services.draw(rnd, actor=w["bureau"], name="组", seed="s", size=5)
    _score_all(rnd, {apps[0]: [FULL] * 5, apps[1]: [{**FULL, "skill": 3}] * 5})
    services.close_expert_review(rnd, actor=w["bureau"])
    client.force_login(applicant)
    body = client.get(reverse("review:my_application", args=[apps[1].pk])).content.decode()
    assert "专家评审未进入候选名单" in body and "依据第五条（二）3" in body
    assert "综合得分" not in body and "排名" not in body and "52.5" not in body
    # The inbox message and the employer's notification say the outcome, not the score; the audit log keeps it.
    from gongjiang.applications.models import ApplicationMessage
    from gongjiang.audit.models import AuditEntry
    told = list(ApplicationMessage.objects.filter(application=apps[1]).values_list("text", flat=True))
    assert any("未进入候选名单" in t for t in told) and not any("综合得分" in t or "排名" in t for t in told)
    assert AuditEntry.objects.filter(object_id=str(apps[1].pk), reason__contains="综合得分").exists()

    inspected_round = w["make_round"](HUIYANG_STAGES)
    other = w["make_app"](inspected_round, account=applicant)
    services.accept(other, actor=w["bureau"])
    services.decide_qualification(other, actor=w["bureau"], outcome="pass", attestations={
        c["id"]: {"met": True, "note": "内部认定依据甲"} for c in services.clauses_to_attest(services.clause_results(other))})
    import datetime as dt

    services.record_inspection(other, actor=w["bureau"], visited_on=dt.date(2026, 11, 20), visitors="考察组",
                               employer_opinion="单位意见乙", findings="考察内部记录丙", outcome="fail")
    body = client.get(reverse("review:my_application", args=[other.pk])).content.decode()
    assert "实地考察未通过" in body and "依据第十条（四）" in body
    assert "考察内部记录丙" not in body and "单位意见乙" not in body and "内部认定依据甲" not in body

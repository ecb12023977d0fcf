"""Expert pool management and manual panel composition (惠阳 第九条 评选委员会负责组建专家组;
聊城 三 组织7名以上相关职业（工种）或专业领域的专家; 仲恺 第五条（二）3 随机抽取 stays a draw)."""
import datetime as dt
import io

import pytest
from django.http import Http404
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from gongjiang.audit.models import AuditEntry
from gongjiang.core.errors import DomainError
from gongjiang.core.idnumbers import make_resident_id
from gongjiang.registry.services import register_person
from gongjiang.review import experts as ex
from gongjiang.review import services
from gongjiang.review import stages as st
from gongjiang.review.models import Assignment, Expert, PanelMethod
from gongjiang.review.tests import factories, policy_stages
from gongjiang.review.tests.conftest import HUIYANG_STAGES, ZHONGKAI_STAGES

pytestmark = pytest.mark.django_db

COMPOSED = [{**s, "panel": {"min_experts": 5, "random_draw": False}} if s["kind"] == "expert_review" else s
            for s in HUIYANG_STAGES]


def person(district, name, n):
    return register_person(name=name, jurisdiction=district,
                           id_number=make_resident_id("441303", dt.date(1970, 1, 1 + n % 28), 200 + n, female=False))


def workbook(rows, headers=None):
    wb = Workbook()
    ws = wb.active
    ws.append(headers or ex.COLUMNS)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# ---------------------------------------------------------------- pool


def test_add_from_registry_takes_name_and_current_employer_and_audits(review_world, make_org):
    from gongjiang.registry.models import Employment

    w = review_world
    p = person(w["district"], "陈工匠", 1)
    employer = make_org(parent=w["district"])
    Employment.objects.create(person=p, employer=employer, jurisdiction=w["district"], start=dt.date(2010, 1, 1))
    expert = ex.add_from_registry(actor=w["bureau"], person=p, pool=w["district"], occupations=["焊工"])
    assert expert.name == "陈工匠" and expert.employer == employer and expert.person == p
    assert AuditEntry.objects.filter(action="review.expert.create", object_id=str(expert.pk)).exists()
    with pytest.raises(DomainError) as e:
        ex.add_from_registry(actor=w["bureau"], person=p, pool=w["district"], occupations=["焊工"])
    assert "已在" in e.value.message


def test_add_outside_pool_out_of_jurisdiction_is_refused(review_world, jurisdictions):
    w = review_world
    with pytest.raises(DomainError) as e:
        ex.add_outside(actor=w["bureau"], name="外聘专家", pool=jurisdictions["环翠区"], occupations=["焊工"])
    assert "本辖区" in e.value.message


def test_experts_in_scope_hides_other_jurisdictions(review_world, jurisdictions, make_user):
    w = review_world
    mine = ex.add_outside(actor=w["bureau"], name="本区专家", pool=w["district"], occupations=["焊工"])
    other_bureau = make_user("bureau", jurisdictions["环翠区"], password=None)
    theirs = ex.add_outside(actor=other_bureau, name="外区专家", pool=jurisdictions["环翠区"], occupations=["钳工"])
    assert list(ex.experts_in_scope(w["bureau"])) == [mine]
    with pytest.raises(Http404):
        ex.expert_in_scope(w["bureau"], theirs.pk)


def test_search_experts_by_occupation_employer_level_and_state(review_world):
    w = review_world
    a = ex.add_outside(actor=w["bureau"], name="甲", pool=w["district"], occupations=["焊工", "电工"],
                       employer_name="惠州技师学院", title="高级技师")
    b = ex.add_outside(actor=w["bureau"], name="乙", pool=w["district"], occupations=["钳工"], title="高级工程师")
    ex.set_active(b, actor=w["bureau"], active=False, reason="调离本市")
    qs = ex.experts_in_scope(w["bureau"])
    assert list(ex.search_experts(qs, occupation="电工")) == [a]
    assert list(ex.search_experts(qs, employer="技师学院")) == [a]
    assert list(ex.search_experts(qs, level="工程师")) == [b]
    assert list(ex.search_experts(qs, active=False)) == [b]


def test_deactivate_requires_reason_and_inactive_expert_is_not_drawn(review_world, expert_pool):
    w = review_world
    with pytest.raises(DomainError):
        ex.set_active(expert_pool[0], actor=w["bureau"], active=False)
    ex.set_active(expert_pool[0], actor=w["bureau"], active=False, reason="本人申请退出")
    assert AuditEntry.objects.filter(action="review.expert.deactivate", object_id=str(expert_pool[0].pk)).exists()
    rnd = w["make_round"](ZHONGKAI_STAGES)  # 仲恺 第五条（二）3: 随机抽取
    w["make_app"](rnd, status=st.EXPERT)
    panel = services.draw(rnd, actor=w["bureau"], name="组", seed="s", size=5)
    assert not panel.assignments.filter(expert=expert_pool[0]).exists()


def test_update_registry_expert_name_is_refused_and_unchanged_edit_writes_no_audit(review_world):
    w = review_world
    expert = ex.add_from_registry(actor=w["bureau"], person=person(w["district"], "周师傅", 2), pool=w["district"],
                                  occupations=["焊工"])
    with pytest.raises(DomainError):
        ex.update_expert(expert, actor=w["bureau"], name="周某")
    _, changed = ex.update_expert(expert, actor=w["bureau"], occupations=["焊工"])
    assert not changed
    _, changed = ex.update_expert(expert, actor=w["bureau"], occupations=["焊工", "钳工"], title="高级技师")
    assert changed
    entry = AuditEntry.objects.get(action="review.expert.update", object_id=str(expert.pk))
    assert entry.before["occupations"] == ["焊工"] and entry.after["occupations"] == ["焊工", "钳工"]


def test_declared_unit_relation_excludes_expert_for_that_employers_candidate(review_world, expert_pool, make_org):
    w = review_world
    employer = make_org(parent=w["district"])
    rnd = w["make_round"](ZHONGKAI_STAGES)
    app = w["make_app"](rnd, employer=employer, status=st.EXPERT)
    ex.declare_unit_relation(expert_pool[0], actor=w["bureau"], organisation=employer, kind="same_unit",
                             note="曾在该单位任职")
    panel = services.draw(rnd, actor=w["bureau"], name="组", seed="s", applications=[app], size=5)
    assert not Assignment.objects.filter(panel=panel, expert=expert_pool[0]).exists()
    assert any(x["expert"] == expert_pool[0].key and x["reason"] == "same_employer"
               for x in panel.result["exclusions"])


def test_remove_unit_relation_needs_reason_and_drops_affiliation(review_world, expert_pool, make_org):
    w = review_world
    org = make_org(parent=w["district"])
    rel = ex.declare_unit_relation(expert_pool[0], actor=w["bureau"], organisation=org, kind="other")
    with pytest.raises(DomainError):
        ex.remove_relation(expert_pool[0], actor=w["bureau"], relation_id=rel.pk, unit=True)
    ex.remove_relation(expert_pool[0], actor=w["bureau"], relation_id=rel.pk, unit=True, reason="申报有误")
    assert not expert_pool[0].other_units.filter(pk=org.pk).exists()


def test_person_relation_to_self_or_twice_is_refused(review_world):
    w = review_world
    p = person(w["district"], "林师傅", 3)
    kin = person(w["district"], "林小弟", 4)
    expert = ex.add_from_registry(actor=w["bureau"], person=p, pool=w["district"], occupations=["焊工"])
    with pytest.raises(DomainError):
        ex.declare_person_relation(expert, actor=w["bureau"], person=p, kind="relative")
    ex.declare_person_relation(expert, actor=w["bureau"], person=kin, kind="relative")
    with pytest.raises(DomainError):
        ex.declare_person_relation(expert, actor=w["bureau"], person=kin, kind="relative")


def test_find_people_by_id_number_uses_hash_and_pages_show_only_masked(review_world, client):
    w = review_world
    number = make_resident_id("441303", dt.date(1971, 3, 4), 555, female=False)
    p = register_person(name="赵技师", jurisdiction=w["district"], id_number=number)
    assert ex.find_people(w["bureau"], number) == [p]
    client.force_login(w["bureau"])
    body = client.get(reverse("review:expert_add"), {"q": "赵技师"}).content.decode()
    assert p.id_number_masked in body and number not in body


# ---------------------------------------------------------------- Excel


def test_export_reimports_unchanged(review_world, expert_pool):
    w = review_world
    rows = list(ex.export_rows(ex.experts_in_scope(w["bureau"])))
    check = ex.check_import(workbook(rows), "pool.xlsx", actor=w["bureau"])
    assert not check.errors
    assert check.counts == {"create": 0, "update": 0, "unchanged": 12}


def test_import_dry_run_reports_row_column_and_reason_and_commits_nothing(review_world):
    w = review_world
    data = workbook([["", "孙工", "", "", "焊工", "某公司", "技师", "不是邮箱", "是"],
                     ["", "", "", "外省", "", "", "", "", "也许"]])
    check = ex.check_import(data, "pool.xlsx", actor=w["bureau"])
    found = {(e.row, e.column) for e in check.errors}
    assert {(2, "电子邮箱"), (3, "姓名"), (3, "职业（工种）/专业领域"), (3, "所属专家库"), (3, "在库")} <= found
    assert all(e.reason for e in check.errors)
    with pytest.raises(DomainError) as e:
        ex.apply_import(data, "pool.xlsx", actor=w["bureau"])
    assert "未导入任何数据" in e.value.message
    assert not Expert.objects.filter(name="孙工").exists()


def test_import_is_all_or_nothing_and_idempotent(review_world):
    w = review_world
    p = person(w["district"], "钱高工", 5)
    from gongjiang.registry.crypto import decrypt

    number = decrypt(p.id_number_encrypted)
    good = [["", "孙工", "", "", "焊工、钳工", "某公司", "技师", "sun@example.com", "是"],
            ["", "钱高工", number, "", "电工", "", "高级技师", "", "否"]]
    bad = good + [["", "李工", "", "", "焊工", "", "", "", "是"], ["", "李工", "", "", "钳工", "", "", "", "是"]]
    with pytest.raises(DomainError):
        ex.apply_import(workbook(bad), "pool.xlsx", actor=w["bureau"])
    assert not Expert.objects.exists()
    first = ex.apply_import(workbook(good), "pool.xlsx", actor=w["bureau"])
    assert first.counts["create"] == 2
    qian = Expert.objects.get(name="钱高工")
    assert qian.person == p and not qian.is_active
    again = ex.apply_import(workbook(good), "pool.xlsx", actor=w["bureau"])
    assert again.counts == {"create": 0, "update": 0, "unchanged": 2}
    assert Expert.objects.count() == 2


def test_import_update_by_expert_number_changes_fields(review_world, expert_pool):
    w = review_world
    e = expert_pool[0]
    check = ex.apply_import(workbook([[e.pk, e.name, "", "", "焊工", "", "正高级工程师", "", "是"]]), "x.xlsx",
                            actor=w["bureau"])
    assert check.counts["update"] == 1
    e.refresh_from_db()
    assert e.title == "正高级工程师" and e.occupations == ["焊工"] and e.employer is None


def test_export_page_is_an_xlsx_with_masked_numbers(review_world, client):
    w = review_world
    number = make_resident_id("441303", dt.date(1972, 5, 6), 556, female=False)
    p = register_person(name="吴技师", jurisdiction=w["district"], id_number=number)
    ex.add_from_registry(actor=w["bureau"], person=p, pool=w["district"], occupations=["焊工"])
    client.force_login(w["bureau"])
    response = client.get(reverse("review:experts"), {"export": "xlsx"})
    ws = load_workbook(io.BytesIO(response.content)).active
    values = [c.value for c in ws[2]]
    assert "吴技师" in values and p.id_number_masked in values and number not in values


# ---------------------------------------------------------------- composition


def test_compose_panel_huiyang_9_stores_who_and_when(review_world, expert_pool):
    w = review_world
    rnd = w["make_round"](COMPOSED)
    apps = [w["make_app"](rnd, status=st.EXPERT) for _ in range(2)]
    panel = ex.compose_panel(rnd, actor=w["bureau"], name="惠阳区专家组", experts=expert_pool[:5])
    assert panel.method == PanelMethod.COMPOSE and panel.drawn_by == w["bureau"] and panel.drawn_at
    assert Assignment.objects.filter(panel=panel).count() == 10
    assert set(panel.result["assessors"][f"application:{apps[0].pk}"]) == {e.key for e in expert_pool[:5]}
    assert services.rerun_draw(panel)
    assert AuditEntry.objects.filter(action="review.panel.compose", object_id=str(panel.pk)).exists()


def test_compose_below_policy_minimum_is_refused_with_article(review_world, expert_pool):
    w = review_world
    rnd = w["make_round"](COMPOSED)
    w["make_app"](rnd, status=st.EXPERT)
    with pytest.raises(DomainError) as e:
        ex.compose_panel(rnd, actor=w["bureau"], name="组", experts=expert_pool[:4])
    assert "5名以上" in e.value.message and "第十条（五）" in e.value.message


def test_compose_liaocheng_needs_seven_experts_from_the_stage(review_world, expert_pool):
    """聊城 三、推荐程序: 组织7名以上相关职业（工种）或专业领域的专家 — the stage's own min_experts."""
    w = review_world
    rnd = w["make_round"](policy_stages.stages("liaocheng-2019-chief-technician"))
    w["make_app"](rnd, status=st.EXPERT)
    assert ex.minimum_size(rnd) == (7, "三、推荐程序及产生方式")
    with pytest.raises(DomainError) as e:
        ex.compose_panel(rnd, actor=w["bureau"], name="组", experts=expert_pool[:6])
    assert "7名以上" in e.value.message
    assert ex.compose_panel(rnd, actor=w["bureau"], name="组", experts=expert_pool[:7]).size == 7


def test_minimum_size_stage_figure_wins_unit_procedure_only_when_stage_is_silent(review_world):
    """聊城 三: 组织7名以上…专家 is the units' expert evaluation (recommendation.unit_procedure.steps);
    it is the panel's minimum only where the expert stage states none."""
    w = review_world
    declared = w["make_round"](COMPOSED)  # the stage says 5
    assert ex.minimum_size(declared) == (5, "第十条（五）、第九条")
    silent = [{**s, "panel": {"random_draw": False}} if s["kind"] == "expert_review" else s for s in HUIYANG_STAGES]
    assert ex.minimum_size(w["make_round"](silent)) == (None, "第十条（五）、第九条")  # 惠阳 has no unit evaluation
    liaocheng = factories.make_round(factories.make_policy(w["district"], "liaocheng-2019-chief-technician"),
                                     w["district"], silent)
    assert ex.minimum_size(liaocheng) == (7, "三、推荐程序及产生方式")


def test_compose_with_conflicted_expert_is_refused_naming_the_rule(review_world, expert_pool, make_org):
    w = review_world
    rnd = w["make_round"](COMPOSED)
    app = w["make_app"](rnd, employer=expert_pool[2].employer, status=st.EXPERT)
    kin = w["make_app"](rnd, status=st.EXPERT)
    ex.declare_person_relation(expert_pool[3], actor=w["bureau"], person=kin.person, kind="apprentice")
    with pytest.raises(DomainError) as e:
        ex.compose_panel(rnd, actor=w["bureau"], name="组", experts=expert_pool[:6])
    assert f"{expert_pool[2].name} 与 {app.name}：与申报人同一工作单位" in e.value.message
    assert f"{expert_pool[3].name} 与 {kin.name}：与申报人存在申报的亲属、师徒等关系" in e.value.message
    assert not Assignment.objects.exists()


def test_compose_refused_where_policy_requires_random_draw_zhongkai(review_world, expert_pool):
    w = review_world
    rnd = w["make_round"](ZHONGKAI_STAGES)
    w["make_app"](rnd, status=st.EXPERT)
    with pytest.raises(DomainError) as e:
        ex.compose_panel(rnd, actor=w["bureau"], name="组", experts=expert_pool[:5])
    assert "随机抽取" in e.value.message
    assert services.draw(rnd, actor=w["bureau"], name="仲恺专家组", seed="z", size=5).method == PanelMethod.DRAW


def test_compose_inactive_or_wrong_occupation_expert_is_refused(review_world, expert_pool):
    w = review_world
    rnd = w["make_round"](COMPOSED)
    w["make_app"](rnd, status=st.EXPERT)
    ex.set_active(expert_pool[0], actor=w["bureau"], active=False, reason="退出")
    with pytest.raises(DomainError) as e:
        ex.compose_panel(rnd, actor=w["bureau"], name="组", experts=expert_pool[:5])
    assert "不在本批次可用的专家库中" not in e.value.message and "专家已停用" in e.value.message
    with pytest.raises(DomainError) as e:
        ex.compose_panel(rnd, actor=w["bureau"], name="组", experts=expert_pool[1:6], occupations=["电工"])
    assert "专业领域与本组职业（工种）不符" in e.value.message


def test_composed_panel_is_scored_and_conflict_declaration_releases_expert(review_world, expert_pool):
    w = review_world
    rnd = w["make_round"](COMPOSED)
    app = w["make_app"](rnd, status=st.EXPERT)
    panel = ex.compose_panel(rnd, actor=w["bureau"], name="组", experts=expert_pool[:6])
    a = services.assignment_for(expert_pool[0].user, app.pk)
    services.declare_conflict(a, actor=expert_pool[0].user, reason="与申报人曾共事")
    assert panel.assignments.filter(active=True).count() == 5
    panel.refresh_from_db()
    assert services.rerun_draw(panel)


def test_compose_page_refuses_inline_and_creates_panel(review_world, expert_pool, client):
    w = review_world
    rnd = w["make_round"](COMPOSED)
    w["make_app"](rnd, status=st.EXPERT)
    client.force_login(w["bureau"])
    url = reverse("review:compose", args=[rnd.pk])
    response = client.post(url, {"name": "组", "experts": [e.pk for e in expert_pool[:3]]})
    assert response.status_code == 200 and "5名以上" in response.content.decode()
    response = client.post(url, {"name": "组", "experts": [e.pk for e in expert_pool[:5]]})
    assert response.status_code == 302
    assert Assignment.objects.filter(panel__round=rnd).count() == 5


def test_pool_pages_render_for_bureau(review_world, expert_pool, client):
    w = review_world
    client.force_login(w["bureau"])
    body = client.get(reverse("review:experts"), {"occupation": "焊工"}).content.decode()
    assert expert_pool[0].name in body
    detail = client.get(reverse("review:expert_detail", args=[expert_pool[0].pk]))
    assert detail.status_code == 200
    response = client.post(reverse("review:expert_detail", args=[expert_pool[0].pk]), {
        "name": expert_pool[0].name, "pool": w["district"].pk, "occupations": "焊工，电工", "title": "高级技师",
        "user": expert_pool[0].user_id})
    assert response.status_code == 302
    expert_pool[0].refresh_from_db()
    assert expert_pool[0].occupations == ["焊工", "电工"]

"""Dashboards: figures within the user's data scope, the round funnel, 仲恺 第四条's five-year
targets read from the policy YAML and tracked against the registry, chart data through
json_script (no inline script), a table and an Excel export for every figure, and a constant
number of SQL queries whatever the data size."""
import datetime as dt
import io

import pytest
from django.db import connection
from django.utils import timezone
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from gongjiang.core.idnumbers import make_resident_id
from gongjiang.dashboards import services
from gongjiang.honours.tests.conftest import programme  # noqa: F401  (fixture)
from gongjiang.notices.tests.conftest import applications, officer, publish  # noqa: F401  (fixtures)
from gongjiang.payments.tests.conftest import pay_world  # noqa: F401  (fixture)
from gongjiang.registry.services import register_person
from gongjiang.review.tests import factories
from gongjiang.review.tests.conftest import HUIYANG_STAGES
from gongjiang.rounds.tests.factories import load_test_policy

_n = {"i": 0}


def _person(name, jurisdiction, birth=dt.date(1980, 5, 1)):
    _n["i"] += 1
    return register_person(name=name, jurisdiction=jurisdiction,
                           id_number=make_resident_id("441303", birth, 100 + _n["i"], female=False))


@pytest.fixture
def world(jurisdictions, make_org, make_user):
    huiyang, huicheng = jurisdictions["惠阳区"], jurisdictions["惠城区"]
    policy = factories.make_policy(huiyang)
    ours = factories.make_round(policy, huiyang, HUIYANG_STAGES, quota=10)
    theirs = factories.make_round(policy, huicheng, HUIYANG_STAGES, quota=10)
    welder_shop, lathe_shop = make_org(parent=huiyang, name="惠阳焊接厂"), make_org(parent=huiyang, name="惠阳车床厂")

    def app(rnd, employer, status, occupation, birth=dt.date(1980, 5, 1)):
        return factories.make_application(rnd, rnd.organiser, employer, status=status, birth=birth,
                                          facts={"skill": {"occupation": occupation}})

    return {"bureau": make_user("bureau", huiyang, password=None), "ours": ours, "theirs": theirs, "app": app,
            "shops": (welder_shop, lathe_shop), "huicheng": huicheng}


def _rows(figures, key):
    return {r[0]: r[1] for r in next(f for f in figures if f.key == key).rows}


def test_candidates_by_occupation_employer_and_age_within_scope(world):
    welder, lathe = world["shops"]
    world["app"](world["ours"], welder, "recommended", "焊工", birth=dt.date(1995, 1, 1))
    world["app"](world["ours"], welder, "qualification_review", "焊工")
    world["app"](world["ours"], lathe, "recommended", "车工")
    world["app"](world["theirs"], lathe, "recommended", "钳工")  # another district's round, employer ours
    figures = services.candidate_figures(world["bureau"], round_id=world["ours"].pk)
    assert _rows(figures, "occupation") == {"焊工": 2, "车工": 1}
    assert _rows(figures, "employer") == {"惠阳焊接厂": 2, "惠阳车床厂": 1}
    assert sum(_rows(figures, "age").values()) == 3
    assert all(f.scope == "数据范围：惠阳区及下级单位" for f in figures)


def test_age_bands_by_birth_year_and_ties_ranked_by_label(world, django_assert_max_num_queries):
    welder, lathe = world["shops"]
    year = timezone.localdate().year
    for born, occupation in [(year - 34, "钳工"), (year - 35, "车工"), (year - 54, "焊工"), (year - 55, "焊工"),
                             (year - 70, "电工")]:
        world["app"](world["ours"], welder, "recommended", occupation, birth=dt.date(born, 12, 31))
    figures = services.candidate_figures(world["bureau"], round_id=world["ours"].pk)
    assert next(f for f in figures if f.key == "age").rows == [
        ["35岁以下", 1], ["35-39岁", 1], ["40-44岁", 0], ["45-49岁", 0], ["50-54岁", 1], ["55岁及以上", 2]]
    assert next(f for f in figures if f.key == "occupation").rows == [["焊工", 2], ["电工", 1], ["车工", 1], ["钳工", 1]]
    if connection.vendor == "postgresql":  # the scope joined and filtered once: GROUPING SETS
        with django_assert_max_num_queries(1):
            services.candidate_figures(world["bureau"], round_id=world["ours"].pk)


def test_funnel_counts_everyone_at_or_beyond_each_stage(world):
    welder, _ = world["shops"]
    for status in ["recommended", "qualification_review", "site_inspection", "site_inspection", "expert_review",
                   "qualification_rejected"]:
        world["app"](world["ours"], welder, status, "焊工")
    rows = services.funnel_figure(world["bureau"], world["ours"]).rows
    steps = dict((label, n) for label, n in rows)
    assert rows[0] == ["提交申报", 6]
    assert [n for _, n in rows] == sorted([n for _, n in rows], reverse=True)  # a funnel narrows
    assert 4 in steps.values() and 1 in steps.values()


def test_zhongkai_targets_come_from_the_policy_yaml_and_the_registry(jurisdictions, make_user):
    from gongjiang.registry.models import Certificate

    policy = load_test_policy("zhongkai-skilled-talent")
    load_test_policy("huiyang-chief-technician")  # no targets: not on the page
    zone = jurisdictions["仲恺高新区"]
    for i, (level, issued) in enumerate([(5, dt.date(2015, 3, 1)), (5, dt.date(2016, 3, 1)), (4, dt.date(2016, 6, 1)),
                                         (2, dt.date(2013, 6, 1))]):
        person = _person(f"技工{i}", zone)
        Certificate.objects.create(person=person, occupation="焊工", level=level, issued_on=issued, source="registry")
    outsider = _person("区外技工", jurisdictions["惠阳区"])
    Certificate.objects.create(person=outsider, occupation="焊工", level=5, issued_on=dt.date(2015, 1, 1), source="registry")
    officer = make_user("bureau", jurisdictions["惠州市"], password=None)
    (p, parsed), = services.policies_with_targets()
    assert p.pk == policy.pk
    progress, yearly = services.target_figures(officer, p, parsed)
    rows = {r[0]: r[1:] for r in progress.rows}
    assert rows["高级技师"] == [100, 2, "2%"] and rows["技师"] == [300, 1, "0%"] and rows["初级工"][1] == 0
    assert rows["技能人才总量"][:2] == [50000, 4]  # holders at the period's end, the 2013 one included
    assert [r[0] for r in yearly.rows] == ["2014年", "2015年", "2016年", "2017年", "2018年"]
    assert yearly.rows[1][1] == 1 and yearly.rows[2][1] == 1 and yearly.rows[2][2] == 1
    assert "第四条" in progress.title
    other = make_user("bureau", jurisdictions["惠阳区"], password=None)
    assert {r[0]: r[2] for r in services.target_figures(other, p, parsed)[0].rows}["高级技师"] == 0  # out of scope


def test_pages_draw_from_json_with_table_and_excel(client, world):
    world["app"](world["ours"], world["shops"][0], "recommended", "焊工")
    client.force_login(world["bureau"])
    for url in ["/dashboards/", "/dashboards/funnel/", "/dashboards/targets/"]:
        resp = client.get(url)
        body = resp.content.decode()
        assert resp.status_code == 200 and "echarts.min.js" in body and "charts.js" in body
        assert "unsafe-inline" not in resp["Content-Security-Policy"]
    page = client.get(f"/dashboards/?round={world['ours'].pk}").content.decode()
    assert 'type="application/json"' in page and 'data-chart="figure-occupation"' in page and "<table>" in page
    resp = client.get(f"/dashboards/?round={world['ours'].pk}&export=occupation")
    sheet = load_workbook(io.BytesIO(resp.content)).active
    assert [c.value for c in sheet[1]][:1] and any(row[0] == "焊工" for row in sheet.iter_rows(values_only=True))
    assert client.get("/dashboards/?export=nope").status_code == 404
    assert client.get("/dashboards/?round=abc").status_code == 200  # bad filter: every round


def test_vendored_echarts_carries_its_licence():
    from pathlib import Path

    vendor = Path(services.__file__).parent / "static" / "dashboards" / "vendor" / "echarts-6.1.0"
    assert "Apache License" in (vendor / "LICENSE").read_text() and (vendor / "echarts.min.js").stat().st_size > 500_000


def test_dashboard_queries_constant_whatever_the_data_size(client, world, settings):
    # the figures' own queries, each time (gongjiang.core.caching)
    settings.DASHBOARD_CACHE_SECONDS = settings.PRIVATE_PAGE_CACHE_SECONDS = 0
    client.force_login(world["bureau"])
    welder, lathe = world["shops"]

    def grow(n):
        for i in range(n):
            world["app"](world["ours"], welder if i % 2 else lathe, "recommended", f"工种{i % 7}")

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    for url in ["/dashboards/", "/dashboards/funnel/", "/dashboards/targets/", "/dashboards/holders/",
                "/dashboards/oversight/"]:
        grow(2)
        client.get(url)
        small = count(url)
        grow(12)
        assert count(url) == small, url


def test_holders_by_title_and_year_within_scope(client, programme, jurisdictions, make_user):  # noqa: F811
    p = programme("ganzhou-craftsman")
    p.award(["甲", "乙"], decided_on=dt.date(2025, 11, 20), number="旧文号")
    p.award(["丙"], decided_on=dt.date(2026, 11, 20))
    figures = services.holder_figures(p.bureau)
    assert sum(_rows(figures, "title").values()) == 3
    assert [r[0] for r in next(f for f in figures if f.key == "award_year").rows] == [2025, 2026]
    elsewhere = make_user("bureau", jurisdictions["惠阳区"], password=None)
    assert sum(_rows(services.holder_figures(elsewhere), "title").values()) == 0
    client.force_login(p.bureau)
    page = client.get("/dashboards/holders/")
    assert page.status_code == 200 and 'data-chart="figure-title"' in page.content.decode()


def test_payments_against_budget_by_year_in_scope(client, pay_world):  # noqa: F811
    from gongjiang.payments import services as pay
    from gongjiang.payments.models import LineStatus, PaymentLine
    from gongjiang.payments.tests.conftest import entitle, make_person

    w = pay_world
    policy = w["policies"]["huiyang-chief-technician"]
    for name in ("张工", "李工"):
        person = make_person(w["j"]["惠阳区"], name, actor=w["hy"]["finance"])
        entitle(person, policy, "chief-technician", start=dt.date(2026, 3, 1), actor=w["hy"]["bureau"])
    pay.set_budget(policy=policy, year=2026, amount_fen=800000, actor=w["hy"]["finance"])
    run = pay.compute_run(organisation=w["hy"]["org"], period_kind="year", year=2026, actor=w["hy"]["finance"])
    PaymentLine.objects.filter(run=run, status=LineStatus.QUEUED, person__name="张工").update(status=LineStatus.PAID)
    [row] = services.payment_figure(w["hy"]["finance"]).rows
    assert row[0] == f"2026年 {policy.title}" and str(row[1]) == "8000.00"
    assert str(row[2]) == "5000.00" and str(row[3]) == "5000.00"  # 惠阳 第十二条（一）: 5,000 元 a year each
    assert services.payment_figure(w["zk"]["finance"]).rows == []  # another jurisdiction's runs
    client.force_login(w["hy"]["finance"])
    assert 'data-chart="figure-payments"' in client.get("/dashboards/payments/").content.decode()


# ---- talent types (惠阳 第三条) ----

def test_application_form_asks_the_talent_types_the_policy_names(programme):  # noqa: F811
    """惠阳 第三条 names 技术技能型、知识技能型、复合技能型: the form offers them and stores the choice;
    a value not in the policy's list is refused in Chinese; 赣州 names none, so no question is asked."""
    from gongjiang.applications import forms

    rnd = programme("huiyang-chief-technician").round
    facts, _, errors = forms.read_form({"skill.talent_type": "知识技能型"}, rnd)
    assert facts["skill"]["talent_type"] == "知识技能型" and "skill.talent_type" not in errors
    _, _, errors = forms.read_form({"skill.talent_type": "管理型"}, rnd)
    assert errors["skill.talent_type"] == "人才类型应从列表中选择"
    assert forms.talent_types_for(rnd) == ["技术技能型", "知识技能型", "复合技能型"]
    other = programme("ganzhou-craftsman").round
    assert forms.talent_types_for(other) == [] and "talent_type" not in forms.read_form({}, other)[0]["skill"]


def test_candidates_and_holders_by_talent_type_within_scope(world, programme):  # noqa: F811
    welder, lathe = world["shops"]
    for status, kind in [("recommended", "技术技能型"), ("qualification_review", "技术技能型"),
                         ("recommended", "复合技能型"), ("recommended", None)]:
        app = world["app"](world["ours"], welder, status, "焊工")
        app.facts = {"skill": {"occupation": "焊工", "talent_type": kind}}
        app.save(update_fields=["facts"])
    other = world["app"](world["theirs"], lathe, "recommended", "钳工")  # 惠城区's round, employer ours: in scope
    other.facts = {"skill": {"occupation": "钳工", "talent_type": "知识技能型"}}
    other.save(update_fields=["facts"])
    figure = next(f for f in services.candidate_figures(world["bureau"], round_id=world["ours"].pk)
                  if f.key == "talent_type")
    assert {r[0]: r[1] for r in figure.rows} == {"技术技能型": 2, "复合技能型": 1, "未填写": 1}
    assert figure.scope == "数据范围：惠阳区及下级单位" and "申报表" in figure.note

    p = programme("huiyang-chief-technician")
    first, second = p.award(["甲", "乙"], decided_on=dt.date(2026, 11, 20))
    first.application.facts = {**first.application.facts, "skill": {"occupation": "焊工", "talent_type": "知识技能型"}}
    first.application.save(update_fields=["facts"])
    assert _rows(services.holder_figures(p.bureau), "talent_type") == {"知识技能型": 1, "未填写": 1}


# ---- duties, objections and renewals ----

def test_overdue_duties_and_renewals_by_year_within_scope(client, programme, clock, jurisdictions, make_user):  # noqa: F811
    """Duties of the holders' terms (惠阳 第十五条) and 环翠's renewal reviews (第八条): done, open,
    overdue, counted for the holders in the officer's scope only."""
    from gongjiang.honours.models import DutyTask, RenewalReview

    hy = programme("huiyang-chief-technician")
    hy.award(["甲", "乙"], decided_on=dt.date(2026, 11, 20))
    hc = programme("huancui-chief-technician")
    hc.award(["丙"], decided_on=dt.date(2026, 11, 20))
    duties = DutyTask.objects.filter(honour__jurisdiction=hy.district).order_by("due_on", "pk")
    assert duties.count() >= 2
    first = duties.first()
    DutyTask.objects.filter(pk=first.pk).update(status="done", done_at=timezone.now())
    later = dt.date(first.due_on.year + 1, 12, 31)
    figure = services.duty_figure(hy.bureau, today=later)
    table = {r[0]: r[1:] for r in figure.rows}
    expected = {}
    for d in duties:
        row = expected.setdefault(f"{d.due_on.year}年", [0, 0, 0])
        row[0 if d.pk == first.pk else 1 if d.due_on < later else 2] += 1
    assert table == {y: [*cols, sum(cols)] for y, cols in expected.items()}
    assert figure.headers == ["年度", "已完成", "逾期未办", "未到期", "合计"]
    assert services.duty_figure(make_user("bureau", jurisdictions["惠城区"], password=None)).rows == []

    renewal = RenewalReview.objects.get(honour__jurisdiction=hc.district)
    before = {r[0]: r[1:] for r in services.renewal_figure(hc.bureau, today=renewal.due_on).rows}
    after = {r[0]: r[1:] for r in services.renewal_figure(hc.bureau, today=renewal.due_on + dt.timedelta(days=1)).rows}
    year = f"{renewal.due_on.year}年"
    assert before[year] == [0, 0, 0, 0, 1, 1] and after[year] == [0, 0, 0, 1, 0, 1]
    assert services.renewal_figure(hy.bureau).rows == []  # 惠阳区 sees no 环翠区 holder

    client.force_login(hy.bureau)
    page = client.get("/dashboards/oversight/")
    body = page.content.decode()
    assert page.status_code == 200 and 'data-chart="figure-duties"' in body and 'data-chart="figure-objections"' in body
    sheet = load_workbook(io.BytesIO(client.get("/dashboards/oversight/?export=duties").content)).active
    rows = [row[:5] for row in sheet.iter_rows(values_only=True)]
    assert tuple(figure.headers) in rows
    assert all(tuple(r) in rows for r in services.duty_figure(hy.bureau).rows)


def test_objections_upheld_open_and_overdue_by_year_within_scope(publish, officer, clock, jurisdictions, make_user):
    """惠阳 第十条（八）: objections to the notices of the officer's subtree, concluded or still under
    investigation, and overdue once past the investigation deadline."""
    from gongjiang.notices import services as notices
    from gongjiang.notices.models import Conclusion

    notice = publish()
    filed = [notices.file_objection(notice, entry=notice.entries.all()[i % 2], text="该人选的竞赛获奖证书与实际不符，请核实。",
                                    filer_name="王五", filer_contact=f"1380013800{i}", client_address=f"203.0.113.{i}")
             for i in range(3)]
    notices.conclude_objection(filed[0], actor=officer, conclusion=Conclusion.UPHELD, findings="经核实证书系伪造。",
                               public_reason="经调查核实，该人选提供的获奖证书不实")
    notices.conclude_objection(filed[1], actor=officer, conclusion=Conclusion.NOT_UPHELD, findings="经核实，证书真实有效。")
    filed[2].refresh_from_db()
    year = f"{filed[2].received_on.year}年"
    in_time = services.objection_figure(officer, today=filed[2].deadline)
    late = services.objection_figure(officer, today=filed[2].deadline + dt.timedelta(days=1))
    assert in_time.rows == [[year, 1, 1, 0, 1, 3]] and late.rows == [[year, 1, 1, 1, 0, 3]]
    assert in_time.headers == ["年度", "异议成立", "异议不成立", "逾期未办结", "调查核实中", "合计"]
    assert services.objection_figure(make_user("bureau", jurisdictions["惠城区"], password=None)).rows == []

"""The figures of the leaders' dashboards, each computed by a few aggregate queries over the
caller's data scope (the same querysets as the list pages: visible_applications, visible_rounds,
scoped_people), never per row.

A `Figure` is what a page draws (ECharts, from JSON), shows as a table and exports to Excel.
"""
import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db import connections
from django.db.models import Case, CharField, Count, F, Min, Q, Value, When
from django.db.models.functions import ExtractYear
from django.utils import timezone

OTHERS = "其他"
UNKNOWN = "未填写"
TOP = 15  # categories shown by name; the rest are summed as 其他
TALENT_TYPE_NOTE = "人才类型（技术技能型、知识技能型、复合技能型等）由申报人在申报表中选择，类型按政策规定"


@dataclass
class Figure:
    key: str
    title: str
    kind: str                      # "bar", "funnel" or "target"
    headers: list[str]
    rows: list[list]
    scope: str                     # which data the figure covers, shown under it
    note: str = ""
    series: list[str] = field(default_factory=list)  # the numeric columns drawn (default: the last)
    chart_rows: list | None = None  # rows for the chart when the table shows words (未录入) for numbers

    @property
    def dom_id(self) -> str:
        return f"figure-{self.key}"

    def chart(self) -> dict:
        """Plain data for the page's script (json_script): categories and one list per series."""
        cols = self.series or [self.headers[-1]]
        idx = [self.headers.index(c) for c in cols]
        rows = self.chart_rows if self.chart_rows is not None else self.rows
        return {"kind": self.kind, "title": self.title, "categories": [str(r[0]) for r in rows],
                "series": [{"name": c, "data": [r[i] for r in rows]} for c, i in zip(cols, idx)]}


def scope_label(user) -> str:
    org = getattr(user, "organisation", None)
    return f"数据范围：{org.name}及下级单位" if org else "数据范围：本人"


def _ranked(pairs, top=TOP):
    """[(label, n)] by count, ties by label, the tail after `top` summed as 其他; empty labels as 未填写.
    (Ties by label, not by the order the database happens to return its groups in.)"""
    counter = Counter()
    for label, n in pairs:
        counter[label if label not in (None, "") else UNKNOWN] += n
    ranked = sorted(counter.items(), key=lambda item: (-item[1], str(item[0])))
    head, tail = ranked[:top], ranked[top:]
    if tail:
        head.append((OTHERS, sum(n for _, n in tail)))
    return [[label, n] for label, n in head]


# ---------------------------------------------------------------- candidates by dimension

AGE_BANDS = [(0, 35, "35岁以下"), (35, 40, "35-39岁"), (40, 45, "40-44岁"), (45, 50, "45-49岁"), (50, 55, "50-54岁"),
             (55, 200, "55岁及以上")]


def candidates(user, *, round_id=None):
    """Applications submitted in the user's scope (drafts and withdrawn ones left out)."""
    from gongjiang.applications.services import visible_applications

    qs = visible_applications(user).exclude(status__in=["draft", "withdrawn"])
    if round_id:
        qs = qs.filter(round_id=round_id)
    return qs


def _age_band(birth_field, year):
    """The age band (AGE_BANDS, by birth year up to `year`) as a SQL CASE; no birth date: 未填写."""
    whens = [When(Q(**{f"{birth_field}__isnull": True}), then=Value(UNKNOWN))]
    # year - born < hi  <=>  born > year - hi (the last band has no upper bound)
    whens += [When(Q(**{f"{birth_field}__year__gt": year - hi}), then=Value(label))
              for _lo, hi, label in AGE_BANDS[:-1]]
    return Case(*whens, default=Value(AGE_BANDS[-1][2]), output_field=CharField())


def _counts_by_dimension(qs, exprs) -> list[list]:
    """For each expression (a field path or an ORM expression), [(value, count)] of `qs` grouped by
    it. On PostgreSQL one query: the scope is joined and filtered once and grouped by GROUPING SETS
    (one set per expression); elsewhere one GROUP BY query per expression."""
    exprs = [F(e) if isinstance(e, str) else e for e in exprs]
    connection = connections[qs.db]
    if connection.vendor != "postgresql":
        return [list(qs.order_by().annotate(g=e).values_list("g").annotate(n=Count("pk"))) for e in exprs]
    names = [f"g{i}" for i in range(len(exprs))]
    inner = qs.order_by().values(**dict(zip(names, exprs)))
    compiler = inner.query.get_compiler(using=qs.db)
    sql, params = compiler.as_sql()
    # GROUPING(g0, .., gk) has the bit of each column left out of the row's set: all but the grouped one.
    full = (1 << len(names)) - 1
    which = {full ^ (1 << (len(names) - 1 - i)): i for i in range(len(names))}
    cols = ", ".join(names)
    outer = (f"SELECT {cols}, GROUPING({cols}), COUNT(*) FROM ({sql}) AS scoped "
             f"GROUP BY GROUPING SETS ({', '.join(f'({n})' for n in names)})")
    with connection.cursor() as cursor:
        cursor.execute(outer, params)
        rows = cursor.fetchall()
    converters = compiler.get_converters([col for col, _, _ in compiler.select[:len(names)]])
    out = [[] for _ in names]
    for row in compiler.apply_converters(rows, converters) if converters else rows:
        i = which[row[-2]]
        out[i].append((row[i], row[-1]))
    return out


def distribution_figures(user, qs, *, who, dimensions, birth_field="person__birth_date") -> list[Figure]:
    """`qs` counted by each dimension (key, title, ORM expression, note), plus age bands."""
    scope = scope_label(user)
    year = timezone.localdate().year
    *counts, ages = _counts_by_dimension(qs, [expr for _, _, expr, _ in dimensions] + [_age_band(birth_field, year)])
    figures = [Figure(key, f"{who}{title}", "bar", ["类别", "人数"], _ranked(pairs), scope, note)
               for (key, title, _, note), pairs in zip(dimensions, counts)]
    bands = Counter(dict(ages))
    age_rows = [[label, bands[label]] for *_, label in AGE_BANDS]
    age_rows += [[UNKNOWN, bands[UNKNOWN]]] if bands[UNKNOWN] else []
    figures.append(Figure("age", f"{who}按年龄段", "bar", ["年龄段", "人数"], age_rows, scope, f"按出生年份计算至{year}年"))
    return figures


def candidate_figures(user, *, round_id=None) -> list[Figure]:
    return distribution_figures(user, candidates(user, round_id=round_id), who="申报人", dimensions=[
        ("industry", "按行业", "employer__employer_profile__sector", "行业取自用人单位信息"),
        ("occupation", "按职业（工种）", "facts__skill__occupation", "职业取自申报表"),
        ("talent_type", "按人才类型", "facts__skill__talent_type", TALENT_TYPE_NOTE),
        ("jurisdiction", "按所属辖区", "person__jurisdiction__name", "辖区取自人员库"),
        ("employer", "按用人单位", "employer__name", ""),
    ])


def holder_figures(user, *, status="active") -> list[Figure]:
    """Holders of honours managed in, or employed in, the user's subtree (honours app)."""
    from gongjiang.api.holders import holders_in_scope

    qs = holders_in_scope(user)
    if status:
        qs = qs.filter(status=status)
    figures = distribution_figures(user, qs, who="称号持有人", dimensions=[
        ("title", "按称号", "title", ""),
        ("award_year", "按授予年度", ExtractYear("awarded_on"), ""),
        ("industry", "按行业", "employer__employer_profile__sector", "行业取自用人单位信息"),
        ("occupation", "按职业（工种）", "occupation", ""),
        ("talent_type", "按人才类型", "application__facts__skill__talent_type", TALENT_TYPE_NOTE),
        ("jurisdiction", "按管理单位", "jurisdiction__name", ""),
        ("employer", "按用人单位", "employer__name", ""),
    ])
    for f in figures:
        if f.key == "award_year":
            f.rows.sort(key=lambda row: str(row[0]))
    return figures


# ---------------------------------------------------------------- funnel of a round

def funnel_figure(user, rnd) -> Figure:
    """From submitted applications to the last stage of the round's procedure. A stage's count is
    everyone now at that stage or beyond it; those turned down at a stage count in the stages
    they passed before (their current status is an exit, not a stage)."""
    from gongjiang.review import stages as st
    from gongjiang.review.services import procedure

    proc = procedure(rnd)
    exits = {x for s in proc.stages for x in s.exits}
    progression = [(s, label) for s, label in proc.columns() if s not in exits and s != st.DEFERRED]
    position = {s: i for i, (s, _) in enumerate(progression)}
    credit = next((s.state for s in proc.stages if s.kind == st.CREDIT), None)
    if credit in position:
        position[st.DEFERRED] = position[credit]
    counts = dict(candidates(user, round_id=rnd.pk).order_by().values_list("status").annotate(n=Count("pk")))
    rows = [["提交申报", sum(counts.values())]]
    for i, (_state, label) in enumerate(progression):
        rows.append([label, sum(n for status, n in counts.items() if position.get(status, -1) >= i)])
    return Figure("funnel", f"{rnd.title}：各环节人数", "funnel", ["环节", "人数"], rows, scope_label(user),
                  "按当前状态推算：处于该环节或已进入其后环节的人数")


# ---------------------------------------------------------------- development targets

def policies_with_targets():
    from gongjiang.policy.models import Policy
    from gongjiang.policy.services import get_policy

    rows = (Policy.objects.select_related("jurisdiction").filter(document__has_key="targets")
            .exclude(document__targets=None).defer("document").order_by("code"))
    return [(p, parsed) for p, parsed in ((p, get_policy(p.code)) for p in rows) if parsed.targets is not None]


def target_figures(user, policy, parsed) -> list[Figure]:
    """A policy's targets (e.g. 仲恺 第四条) against the registry: new certificates of each level
    issued in each year of the target period, and the number of skilled workers at each year's end,
    counted among the people of the policy's jurisdiction that the user may see."""
    from gongjiang.registry.models import Certificate
    from gongjiang.registry.services import scoped_people

    t = parsed.targets
    years = [t.starts.year + i for i in range(t.years)]
    end = dt.date(years[-1], 12, 31)
    people = scoped_people(user)
    if policy.jurisdiction_id:
        people = people.filter(jurisdiction__path__startswith=policy.jurisdiction.path)
    certs = Certificate.objects.filter(person__in=people.values("pk"))
    new = Counter({(lv, y): n for lv, y, n in certs.filter(issued_on__gte=t.starts, issued_on__lte=end).order_by()
                   .annotate(y=ExtractYear("issued_on")).values_list("level", "y").annotate(n=Count("pk"))})
    first_cert = Counter(y for (y,) in certs.order_by().values("person").annotate(first=Min("issued_on"))
                         .annotate(y=ExtractYear(F("first"))).values_list("y"))
    scope = scope_label(user)
    progress_rows, yearly_rows = [], []
    for item in t.items:
        if item.stock:
            done = sum(n for y, n in first_cert.items() if y <= years[-1])
        else:
            done = sum(new[(item.level, y)] for y in years)
        progress_rows.append([item.label, item.count, done, f"{100 * done / item.count:.0f}%"])
    for y in years:
        row = [f"{y}年"]
        for item in t.items:
            if item.stock:
                row.append(sum(n for fy, n in first_cert.items() if fy <= y))
            else:
                row.append(new[(item.level, y)])
        yearly_rows.append(row)
    labels = [i.label for i in t.items]
    period = f"{t.starts:%Y年%-m月%-d日}起{t.years}年"
    return [
        Figure("targets", f"{parsed.short_title}：{t.article}目标完成情况（{period}）", "target",
               ["目标", "目标人数", "已完成", "完成率"], progress_rows, scope,
               f"{t.article}：{t.text}。已完成＝人员库中期内新取得该等级证书的人数；技能人才总量＝期末持有证书的人数",
               series=["目标人数", "已完成"]),
        Figure("yearly", f"{parsed.short_title}：逐年新增（{period}）", "bar", ["年度", *labels], yearly_rows, scope,
               "技能人才总量列为当年年末累计人数", series=labels),
    ]


# ---------------------------------------------------------------- payments against budget

def _yuan(fen: int):
    from decimal import Decimal

    return (Decimal(int(fen)) / 100).quantize(Decimal("0.01"))


def payment_figure(user) -> Figure:
    """Per year and programme: the budget, what was paid and what is queued for payment, from the
    payment lines of runs made by organisations in the user's subtree (payments app)."""
    from django.db.models import Sum
    from django.db.models.functions import ExtractYear as Year

    from gongjiang.accounts.scope import org_q
    from gongjiang.payments.models import Budget, LineStatus, PaymentLine

    lines = (PaymentLine.objects.filter(org_q(user, "run__organisation"),
                                         status__in=[LineStatus.PAID, LineStatus.QUEUED])
             .order_by().annotate(y=Year("due_date"))
             .values_list("y", "entitlement__policy_id", "entitlement__policy__title", "status")
             .annotate(total=Sum("amount_fen")))
    sums, titles = Counter(), {}
    for year, policy_id, title, status, total in lines:
        sums[(year, policy_id, status)] += total
        titles[policy_id] = title
    keys = sorted({(y, p) for y, p, _ in sums})
    budgets = {(b.year, b.policy_id): b.amount_fen
               for b in Budget.objects.filter(policy_id__in={p for _, p in keys}, year__in={y for y, _ in keys})}
    rows = [[f"{y}年 {titles[p]}", _yuan(budgets[(y, p)]) if (y, p) in budgets else "未录入",
             _yuan(sums[(y, p, LineStatus.PAID)]), _yuan(sums[(y, p, LineStatus.QUEUED)])] for y, p in keys]
    chart_rows = [[r[0], r[1] if r[1] != "未录入" else 0, r[2], r[3]] for r in rows]
    figure = Figure("payments", "资金发放与预算（元）", "bar", ["年度和项目", "预算", "已发放", "待发放"], rows,
                    scope_label(user), "按应发日期所在年度；预算按项目和年度录入（资金发放 › 预算）",
                    series=["预算", "已发放", "待发放"])
    figure.chart_rows = chart_rows
    return figure


# ---------------------------------------------------------------- duties, objections, renewals

def _states_by_year(user, qs, *, date_field, states, key, title, note, today) -> Figure:
    """`qs` counted by the year of `date_field` and by the first of `states` ([(column, Q)], the
    last one the default) each row meets: a table of years, one column per state, and the total."""
    from django.db.models import Case, Value, When

    columns = [c for c, _ in states]
    state = Case(*(When(q, then=Value(c)) for c, q in states[:-1]), default=Value(columns[-1]))
    table, years = Counter(), set()
    for year, column, n in (qs.order_by().annotate(y=ExtractYear(date_field), s=state).values_list("y", "s")
                            .annotate(n=Count("pk"))):
        years.add(year)
        table[(year, column)] += n
    rows = [[f"{y}年", *(table[(y, c)] for c in columns), sum(table[(y, c)] for c in columns)] for y in sorted(years)]
    return Figure(key, title, "bar", ["年度", *columns, "合计"], rows, scope_label(user),
                  f"截至{today:%Y年%-m月%-d日}；{note}", series=columns)


def duty_figure(user, today=None) -> Figure:
    """The holders' duties of their terms (the policies' `duties`) by the year they fall due:
    done, overdue (open after the due date, holder still active), not yet due."""
    from django.db.models import Q

    from gongjiang.api.holders import holders_in_scope
    from gongjiang.honours.models import DutyStatus, DutyTask

    today = today or timezone.localdate()
    return _states_by_year(
        user, DutyTask.objects.filter(honour__in=holders_in_scope(user).values("pk")), date_field="due_on",
        states=[("已完成", Q(status=DutyStatus.DONE)), ("逾期未办", Q(due_on__lt=today, honour__status="active")),
                ("未到期", None)],
        key="duties", title="期内职责完成情况（按截止年度）", today=today,
        note="逾期未办＝已过截止日期仍未完成（称号有效的持有人）")


def objection_figure(user, today=None) -> Figure:
    """Objections to notices published by the user's subtree, by the year received: upheld, not
    upheld, overdue (open past the investigation deadline), under investigation."""
    from django.db.models import Q

    from gongjiang.accounts.scope import org_q
    from gongjiang.notices.models import Conclusion, Objection, ObjectionStatus

    today = today or timezone.localdate()
    return _states_by_year(
        user, Objection.objects.filter(org_q(user, "notice__organisation")), date_field="received_on",
        states=[("异议成立", Q(conclusion=Conclusion.UPHELD)), ("异议不成立", Q(conclusion=Conclusion.NOT_UPHELD)),
                ("逾期未办结", Q(status=ObjectionStatus.OPEN, deadline__lt=today)), ("调查核实中", None)],
        key="objections", title="公示异议受理与办结（按受理年度）", today=today,
        note="逾期未办结＝超过调查核实期限仍未办结")


def renewal_figure(user, today=None) -> Figure:
    """Renewal reviews (复核认定) of the holders in scope, by the year they fall due."""
    from django.db.models import Q

    from gongjiang.api.holders import holders_in_scope
    from gongjiang.honours.models import RenewalReview, RenewalStatus

    today = today or timezone.localdate()
    return _states_by_year(
        user, RenewalReview.objects.filter(honour__in=holders_in_scope(user).values("pk")), date_field="due_on",
        states=[("复核通过", Q(status=RenewalStatus.PASSED)), ("复核未通过", Q(status=RenewalStatus.FAILED)),
                ("待复核", Q(status=RenewalStatus.FILED)), ("逾期未提交", Q(status=RenewalStatus.OPEN, due_on__lt=today)),
                ("待提交材料", None)],
        key="renewals", title="复核认定情况（按复核年度）", today=today,
        note="逾期未提交＝已到复核日期仍未提交复核材料")


def oversight_figures(user) -> list[Figure]:
    return [duty_figure(user), objection_figure(user), renewal_figure(user)]

"""A synthetic registry with realistic distributions and the boundary cases policies trip on.

Used by the demo seeder (a few thousand people) and by bench/screening.py (a million). Generation
is vectorised numpy; loading writes rows with explicit ids (COPY on PostgreSQL, executemany on
SQLite), so facts link to people without round trips.

Boundary cases, relative to `reference_date`: birthdays exactly on the reference date at the ages
policies name (45, 55, 60), people born on 29 February, employment starting exactly 12 months
before the reference date (and one day later), insurance ending the month before.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from gongjiang.core.idnumbers import RIC_CHECK, RIC_WEIGHTS
from gongjiang.core.masking import mask_id_number, mask_phone
from gongjiang.core.vocab import CompetitionLevel

from .crypto import encrypt, lookup_hash
from .models import CreditKind, EmployerRecordKind, InnovationKind, TitleCode

SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈")
GIVEN = list("建国伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华文辉力斌志红海波鹏飞俊峰")
OCCUPATIONS = ["车工", "钳工", "焊工", "电工", "数控车工", "数控铣工", "维修电工", "汽车维修工", "模具工",
               "化工总控工", "电子设备装接工", "工业机器人系统运维员", "家具制作工", "中式烹调师", "茶艺师",
               "赣南脐橙栽培", "客家刺绣", "电梯安装维修工", "仪器仪表维修工", "锅炉操作工"]
SECTORS = ["电子信息", "石油化工", "汽车制造", "智能装备", "新能源", "家具制造", "现代农业", "纺织服装"]
L = CompetitionLevel
COMPETITIONS = {L.NATIONAL: "全国职业技能大赛", L.PROVINCIAL: "省职业技能大赛", L.CITY: "市职业技能竞赛",
                L.DISTRICT: "区县职业技能竞赛", L.TOWNSHIP: "街道职工技能比武", L.ENTERPRISE: "企业职工技能比武"}
TITLE_LEVELS = {
    TitleCode.CHINA_SKILL_AWARD: L.NATIONAL, TitleCode.NATIONAL_TECH_EXPERT: L.NATIONAL,
    TitleCode.STATE_COUNCIL_ALLOWANCE: L.NATIONAL,
    TitleCode.PROVINCIAL_TECH_EXPERT: L.PROVINCIAL, TitleCode.PROVINCIAL_CONTRIBUTION_TECHNICIAN: L.PROVINCIAL,
    TitleCode.CITY_TECH_EXPERT: L.CITY, TitleCode.CITY_CONTRIBUTION_TECHNICIAN: L.CITY,
    TitleCode.CITY_CHIEF_TECHNICIAN: L.CITY, TitleCode.COUNTY_CRAFTSMAN: L.DISTRICT, TitleCode.MODEL_WORKER: L.CITY,
}


@dataclass
class Synthetic:
    """Columns per table (dict of numpy arrays / lists), ids relative (0-based) until loaded."""

    people: dict
    employers: dict
    tables: dict


def _choice(rng, n, values, p):
    p = np.asarray(p, dtype=float)
    return rng.choice(np.asarray(values), size=n, p=p / p.sum())


def _add_years(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def generate(n: int, *, districts: list, reference_date: dt.date, seed: int = 2026,
             employers_per_1000: int = 20) -> Synthetic:
    """`districts`: list of (organisation pk, region code, name)."""
    rng = np.random.default_rng(seed)
    ref = reference_date.toordinal()
    ref_month = reference_date.year * 12 + reference_date.month - 1
    nd = len(districts)

    # --- people ---
    district = rng.integers(0, nd, n)
    age = rng.normal(40, 9, n)
    outside = (age < 18) | (age > 66)
    age[outside] = rng.uniform(18, 66, int(outside.sum()))
    age_days = (age * 365.25).astype(np.int64)
    birth = ref - age_days
    k = max(1, n // 200)  # boundary cases, each ~0.5 %
    idx = rng.permutation(n)
    kb = min(k, 50 * nd)  # at most ~50 per district share a birth date (the ID order code has 3 digits)
    for j, age in enumerate((45, 55, 60)):
        for i in idx[j * kb:(j + 1) * kb]:
            birth[i] = _add_years(reference_date, -age).toordinal()
    leap_years = [y for y in range(1960, 2006) if y % 4 == 0]
    for i in idx[3 * kb:3 * kb + max(1, k // 5)]:
        birth[i] = dt.date(int(rng.choice(leap_years)), 2, 29).toordinal()
    male = rng.random(n) < 0.7
    cadre = rng.random(n) < 0.08
    verified = rng.random(n) < 0.6
    people = {"district": district, "birth": birth, "male": male, "cadre": cadre, "verified": verified}

    # --- employers ---
    ne = max(nd, n * employers_per_1000 // 1000)
    emp_district = np.concatenate([np.arange(nd), rng.integers(0, nd, ne - nd)])
    emp_kind = _choice(rng, ne, ["enterprise", "institution", "department"], [0.93, 0.05, 0.02])
    emp_large = rng.random(ne) < 0.1
    employers = {"district": emp_district, "kind": emp_kind, "large": emp_large,
                 "sector": rng.integers(0, len(SECTORS), ne)}
    by_district = [np.nonzero(emp_district == d)[0] for d in range(nd)]

    def employer_in(d_arr):
        out = np.empty(len(d_arr), dtype=np.int64)
        for d in range(nd):
            sel = d_arr == d
            out[sel] = rng.choice(by_district[d], size=int(sel.sum()))
        return out

    # --- employment: a current spell for 85 %, one earlier spell for 35 % ---
    current = rng.random(n) < 0.85
    cur_people = np.nonzero(current)[0]
    years_in = rng.exponential(6, len(cur_people)).clip(0.1, 30)
    cur_start = ref - (years_in * 365.25).astype(np.int64)
    exact = rng.permutation(len(cur_people))[:2 * k]
    cur_start[exact[:k]] = _add_years(reference_date, -1).toordinal()  # exactly 12 months
    cur_start[exact[k:]] = _add_years(reference_date, -1).toordinal() + 1  # one day short
    cur_start = np.maximum(cur_start, birth[cur_people] + 18 * 366)
    moved = rng.random(len(cur_people)) < 0.1  # works outside the registering district
    cur_district = np.where(moved, rng.integers(0, nd, len(cur_people)), district[cur_people])
    prev = rng.random(n) < 0.35
    prev_people = np.nonzero(prev)[0]
    prev_end = np.where(current[prev_people], 0, ref - rng.integers(30, 2000, len(prev_people)))
    first_cur = dict(zip(cur_people.tolist(), cur_start.tolist()))
    prev_end = np.array([first_cur.get(int(p), e) - 1 if current[p] else e
                         for p, e in zip(prev_people, prev_end)], dtype=np.int64)
    prev_start = prev_end - rng.integers(200, 3000, len(prev_people))
    prev_start = np.maximum(prev_start, birth[prev_people] + 18 * 366)
    ok = prev_start < prev_end
    prev_people, prev_start, prev_end = prev_people[ok], prev_start[ok], prev_end[ok]
    prev_district = rng.integers(0, nd, len(prev_people))
    e_person = np.concatenate([cur_people, prev_people])
    e_district = np.concatenate([cur_district, prev_district])
    e_start = np.concatenate([cur_start, prev_start])
    e_end = np.concatenate([np.zeros(len(cur_people), dtype=np.int64), prev_end])
    employment = {
        "person": e_person, "employer": employer_in(e_district), "district": e_district, "start": e_start,
        "end": e_end, "frontline": rng.random(len(e_person)) < 0.8,
        "legal_rep": rng.random(len(e_person)) < 0.01,
        "post": rng.integers(0, len(OCCUPATIONS), len(e_person)),
        # 全职: yes for most spells, no for some, unknown (None) for a few
        "full_time": _choice(rng, len(e_person), [1, 0, -1], [90, 6, 4]),
    }

    # --- insurance: one period per spell (90 %), from its start month to its end (or ref) month ---
    insured = rng.random(len(e_person)) < 0.9
    s_first = np.array([_month_of(o) for o in e_start[insured]], dtype=np.int64)
    s_last = np.array([_month_of(o) if o else ref_month for o in e_end[insured]], dtype=np.int64)
    short = rng.random(len(s_last)) < 0.03
    s_last = np.where(short, s_last - 1, s_last)  # stopped paying a month ago
    keep = s_last >= s_first
    key = (e_person[insured] * 1000 + e_district[insured]) * 100_000 + s_first
    first_of_key = np.zeros(len(key), dtype=bool)
    first_of_key[np.unique(key, return_index=True)[1]] = True
    keep &= first_of_key  # one period per (person, jurisdiction, first month): the natural key
    insurance = {"person": e_person[insured][keep], "district": e_district[insured][keep],
                 "employer": employment["employer"][insured][keep], "first": s_first[keep], "last": s_last[keep]}

    # --- certificates ---
    levels = [1, 2, 3, 4, 5, 6, 7]
    has_cert = np.nonzero(rng.random(n) < 0.7)[0]
    second = has_cert[rng.random(len(has_cert)) < 0.2]
    c_person = np.concatenate([has_cert, second])
    c_level = _choice(rng, len(c_person), levels, [15, 25, 30, 18, 10, 1.5, 0.5])
    c_occ = rng.integers(0, len(OCCUPATIONS), len(c_person))
    first_pos = np.searchsorted(has_cert, second)
    c_occ[len(has_cert):] = (c_occ[first_pos] + 1) % len(OCCUPATIONS)  # a second, different occupation
    c_issued = np.minimum(ref - rng.integers(30, 6000, len(c_person)), ref)
    c_issued = np.maximum(c_issued, birth[c_person] + 18 * 366)
    certificates = {"person": c_person, "level": c_level, "occupation": c_occ, "issued": c_issued,
                    "kind": _choice(rng, len(c_person), ["qualification", "skill_level", "special"], [45, 50, 5])}

    # --- competitions ---
    comp_people = np.nonzero(rng.random(n) < 0.08)[0]
    comp_level = _choice(rng, len(comp_people), [L.ENTERPRISE, L.TOWNSHIP, L.DISTRICT, L.CITY, L.PROVINCIAL,
                                                 L.NATIONAL], [18, 2, 30, 30, 15, 5])
    competitions = {"person": comp_people, "level": comp_level,
                    "klass": _choice(rng, len(comp_people), [0, 1, 2], [40, 35, 25]),
                    "rank": rng.integers(1, 21, len(comp_people)),
                    "date": ref - rng.integers(10, 3000, len(comp_people)),
                    "occupation": rng.integers(0, len(OCCUPATIONS), len(comp_people))}

    # --- titles, achievements, apprentices, studios, programmes, credit ---
    t_people = np.nonzero(rng.random(n) < 0.03)[0]
    codes = list(TITLE_LEVELS)
    t_code = _choice(rng, len(t_people), np.arange(len(codes)), [1, 3, 1, 6, 2, 10, 4, 2, 8, 3])
    titles = {"person": t_people, "code": [codes[i] for i in t_code],
              "level": np.array([TITLE_LEVELS[codes[i]] for i in t_code], dtype=np.int64),
              "date": ref - rng.integers(30, 4000, len(t_people)),
              # awarding body: the person's district for district and city titles (so a title can be
              # selected by issuer), the province for provincial ones, none named for a few
              "issuer": np.where(rng.random(len(t_people)) < 0.05, -1, district[t_people])}
    a_people = np.nonzero(rng.random(n) < 0.05)[0]
    kinds = list(InnovationKind.values)
    achievements = {"person": a_people, "kind": _choice(rng, len(a_people), kinds, [30, 10, 30, 15, 5, 10]),
                    "level": _choice(rng, len(a_people), [L.ENTERPRISE, L.DISTRICT, L.CITY, L.PROVINCIAL, L.NATIONAL],
                                     [40, 25, 20, 10, 5]),
                    "grade": _choice(rng, len(a_people), [0, 1, 2, 3], [50, 10, 20, 20]),
                    "date": ref - rng.integers(30, 3000, len(a_people))}
    masters = np.nonzero(rng.random(n) < 0.04)[0]
    per = rng.integers(1, 6, len(masters))
    ap_person = np.repeat(masters, per)
    ap_start = ref - rng.integers(200, 3000, len(ap_person))
    ap_level = _choice(rng, len(ap_person), [-1, 2, 3, 4], [30, 30, 30, 10])
    apprentices = {"person": ap_person, "start": ap_start, "level": ap_level,
                   "level_date": np.where(ap_level >= 0, np.minimum(ap_start + rng.integers(100, 1500, len(ap_person)), ref), 0),
                   "backbone": rng.random(len(ap_person)) < 0.3,
                   "competition": rng.random(len(ap_person)) < 0.1}
    s_people = np.nonzero(rng.random(n) < 0.01)[0]
    studios = {"person": s_people, "kind": _choice(rng, len(s_people), ["master_studio", "high_skill_station"], [7, 3]),
               "level": _choice(rng, len(s_people), [L.DISTRICT, L.CITY, L.PROVINCIAL, L.NATIONAL], [40, 35, 20, 5]),
               "date": ref - rng.integers(100, 3000, len(s_people))}
    p_people = np.nonzero(rng.random(n) < 0.01)[0]
    programmes = {"person": p_people, "code": _choice(rng, len(p_people),
                                                      ["city_talent_catalogue", "prov_double_thousand",
                                                       "prov_double_high", "national_talent_plan"], [80, 8, 10, 2]),
                  "class": _choice(rng, len(p_people), list("ABCDEF"), [2, 5, 10, 20, 30, 33]),
                  "date": ref - rng.integers(100, 3000, len(p_people))}
    r_people = np.nonzero(rng.random(n) < 0.02)[0]
    credit = {"person": r_people,
              "kind": _choice(rng, len(r_people), list(CreditKind.values), [2, 1, 3, 1, 1, 1, 1, 1, 5, 1, 1, 1, 2, 1, 2]),
              "start": ref - rng.integers(10, 4000, len(r_people)),
              "open": rng.random(len(r_people)) < 0.4}
    er_emp = np.nonzero(rng.random(ne) < 0.03)[0]
    employer_records = {"employer": er_emp,
                        "kind": _choice(rng, len(er_emp), list(EmployerRecordKind.values), [2, 2, 4, 1, 1, 1, 0.5, 0.5]),
                        "start": ref - rng.integers(10, 1500, len(er_emp)),
                        "open": rng.random(len(er_emp)) < 0.5}
    # --- person attributes and employer designations (policies/vocabulary.yaml `attributes`) ---
    u_people = np.nonzero(rng.random(n) < 0.3)[0]
    h_people = np.nonzero(rng.random(n) < 0.005)[0]
    r_people2 = np.nonzero(rng.random(n) < 0.1)[0]
    a_person = np.concatenate([u_people, h_people, r_people2])
    a_name = ["union_member"] * len(u_people) + ["heritage_inheritor"] * len(h_people) + \
        ["habitual_residence"] * len(r_people2)
    a_level = np.concatenate([np.full(len(u_people), -1), _choice(rng, len(h_people), [-1, L.DISTRICT, L.CITY,
                              L.PROVINCIAL, L.NATIONAL], [5, 40, 30, 20, 5]), np.full(len(r_people2), -1)])
    a_place = np.concatenate([np.full(len(u_people) + len(h_people), -1), rng.integers(0, nd, len(r_people2))])
    person_attributes = {"person": a_person, "attribute": a_name, "level": a_level, "place": a_place,
                         "holds": rng.random(len(a_person)) < 0.97,
                         "start": np.where(rng.random(len(a_person)) < 0.5, ref - rng.integers(30, 4000, len(a_person)), 0)}
    sme = np.nonzero(rng.random(ne) < 0.05)[0]
    tech = np.nonzero(rng.random(ne) < 0.08)[0]
    employer_attributes = {
        "employer": np.concatenate([sme, tech]),
        "attribute": ["specialised_sme"] * len(sme) + ["high_tech_enterprise"] * len(tech),
        "level": np.concatenate([_choice(rng, len(sme), [-1, L.CITY, L.PROVINCIAL, L.NATIONAL], [5, 50, 35, 10]),
                                 np.full(len(tech), -1)]),
        "start": ref - rng.integers(30, 3000, len(sme) + len(tech)),
        "expired": rng.random(len(sme) + len(tech)) < 0.1}
    return Synthetic(people=people, employers=employers, tables={
        "employment": employment, "insurance": insurance, "certificates": certificates,
        "competitions": competitions, "titles": titles, "achievements": achievements,
        "apprentices": apprentices, "studios": studios, "programmes": programmes, "credit": credit,
        "employer_records": employer_records, "person_attributes": person_attributes,
        "employer_attributes": employer_attributes})


def _month_of(ordinal: int) -> int:
    d = dt.date.fromordinal(int(ordinal))
    return d.year * 12 + d.month - 1


def _month_date(m) -> dt.date:
    return dt.date(int(m) // 12, int(m) % 12 + 1, 1)


def _date(o):
    return dt.date.fromordinal(int(o)) if o else None


def make_id_numbers(regions: list, birth: np.ndarray, male: np.ndarray) -> list:
    """Valid, distinct GB 11643 numbers: the order code counts up within (region, birth date)."""
    key = np.array([int(r) for r in regions], dtype=np.int64) * 1_000_000 + birth
    order = np.argsort(key, kind="stable")
    sk = key[order]
    starts = np.r_[0, np.nonzero(np.diff(sk))[0] + 1]
    rank_sorted = np.arange(len(sk)) - np.repeat(starts, np.diff(np.r_[starts, len(sk)]))
    rank = np.empty_like(rank_sorted)
    rank[order] = rank_sorted
    if len(rank) and rank.max() >= 500:
        raise ValueError("more than 500 synthetic people share a region and birth date")
    out = []
    w = RIC_WEIGHTS
    for region, b, r, m in zip(regions, birth.tolist(), rank.tolist(), male.tolist()):
        d = dt.date.fromordinal(b)
        seq = (r * 2 + (1 if m else 0)) % 1000
        first17 = f"{region}{d:%Y%m%d}{seq:03d}"
        out.append(first17 + RIC_CHECK[sum(int(c) * x for c, x in zip(first17, w)) % 11])
    return out


def _next_ids(table, count):
    with connection.cursor() as cur:
        cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        start = cur.fetchone()[0] + 1
    return np.arange(start, start + count, dtype=np.int64)


def _insert(table, columns, rows):
    """Write rows (tuples in `columns` order) with explicit ids; COPY on PostgreSQL."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        with connection.connection.cursor() as cur:
            quoted = ", ".join(f'"{c}"' for c in columns)
            with cur.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                for r in rows:
                    copy.write_row(r)
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
    else:
        marks = ", ".join(["%s"] * len(columns))
        quoted = ", ".join(f'"{c}"' for c in columns)
        with connection.cursor() as cur:
            cur.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({marks})", rows)


FACT_COLS = ["source", "verification", "note", "created_at"]


def load(data: Synthetic, *, districts: list, name_prefix: str = "", progress=None) -> np.ndarray:
    """Write the synthetic registry; returns the Person pks in generation order. Employers are
    created as Organisation rows (enterprise/institution/department) under their district."""
    now = timezone.now()
    say = progress or (lambda msg: None)
    with transaction.atomic():
        # employers (accounts.Organisation rows) and their profiles
        ne = len(data.employers["district"])
        org_ids = _next_ids("accounts_organisation", ne)
        org_paths = {pk: path for pk, path in _org_paths([d[0] for d in districts]).items()}
        rows = []
        for j in range(ne):
            d_pk, region, d_name = districts[data.employers["district"][j]]
            kind = str(data.employers["kind"][j])
            body = f"91{region}MA{int(org_ids[j]) % 10_000_000:07d}"
            uscc = body + _uscc_check(body) if kind == "enterprise" else None
            suffix = {"enterprise": "有限公司", "institution": "事业服务中心", "department": "管理局"}[kind]
            name = f"{d_name}{name_prefix}{SECTORS[data.employers['sector'][j]]}{int(org_ids[j])}号{suffix}"
            rows.append((int(org_ids[j]), name, kind, d_pk, f"{org_paths[d_pk]}{int(org_ids[j])}/",
                         org_paths[d_pk].count("/") - 1, region, uscc, bool(data.employers["large"][j]), True))
        _insert("accounts_organisation", ["id", "name", "kind", "parent_id", "path", "depth", "region_code", "uscc",
                                          "is_large_enterprise", "is_active"], rows)
        prof_ids = _next_ids("registry_employerprofile", ne)
        _insert("registry_employerprofile", ["id", "organisation_id", "sector", "is_pillar_industry", "is_government",
                                             *FACT_COLS],
                [(int(prof_ids[j]), int(org_ids[j]), SECTORS[data.employers["sector"][j]], j % 3 == 0,
                  str(data.employers["kind"][j]) == "department", "registry", "verified", "", now) for j in range(ne)])
        say(f"employers: {ne}")

        # people
        p = data.people
        n = len(p["birth"])
        person_ids = _next_ids("registry_person", n)
        regions = [districts[d][1] for d in p["district"]]
        numbers = make_id_numbers(regions, p["birth"], p["male"])
        rng = np.random.default_rng(int(person_ids[0]))
        surname = rng.integers(0, len(SURNAMES), n)
        g1, g2 = rng.integers(0, len(GIVEN), n), rng.integers(0, len(GIVEN), n)
        two = rng.random(n) < 0.6
        rows = []
        for i in range(n):
            number = numbers[i]
            phone = f"1{3 + i % 6}{int(person_ids[i]) % 1_000_000_000:09d}"
            name = SURNAMES[surname[i]] + GIVEN[g1[i]] + (GIVEN[g2[i]] if two[i] else "")
            rows.append((int(person_ids[i]), name, encrypt(number), lookup_hash(number), mask_id_number(number),
                         _date(p["birth"][i]), "M" if p["male"][i] else "F", number[:6], encrypt(phone),
                         lookup_hash(phone), mask_phone(phone), "cadre" if p["cadre"][i] else "worker",
                         districts[p["district"][i]][0], "imported", "verified" if p["verified"][i] else "unverified",
                         "", now, now))
            if progress and i % 100_000 == 99_999:
                say(f"people: {i + 1}")
        _insert("registry_person", ["id", "name", "id_number_encrypted", "id_number_hash", "id_number_masked",
                                    "birth_date", "gender", "region_code", "phone_encrypted", "phone_hash",
                                    "phone_masked", "post_category", "jurisdiction_id", "source", "verification",
                                    "note", "created_at", "updated_at"], rows)
        say(f"people: {n}")
        _load_facts(data, person_ids, org_ids, districts, now)
        say("facts loaded")
    return person_ids


def _uscc_check(body):
    from gongjiang.core.idnumbers import uscc_check_char

    return uscc_check_char(body)


def _org_paths(pks):
    from gongjiang.accounts.models import Organisation

    return dict(Organisation.objects.filter(pk__in=pks).values_list("pk", "path"))


def _load_facts(data, person_ids, org_ids, districts, now):
    t = data.tables
    fact = ("imported", "verified", "", now)
    dist = [d[0] for d in districts]

    from gongjiang.accounts.models import Organisation

    names = {d[0]: d[2] for d in districts}
    cities = dict(Organisation.objects.filter(pk__in=dist).values_list("pk", "parent__name"))
    top = {pk: int(path.strip("/").split("/")[0]) for pk, path in _org_paths(dist).items()}
    provinces = dict(Organisation.objects.filter(pk__in=set(top.values())).values_list("pk", "name"))

    def _issuer(level, district):
        """The awarding body of a title, as free text (registry.TitleAward.issuer)."""
        if district < 0 or level >= L.NATIONAL:
            return ""
        if level >= L.PROVINCIAL:
            return f"{provinces[top[dist[district]]]}人民政府"
        if level >= L.CITY:
            return f"{cities[dist[district]]}人民政府"
        return f"{names[dist[district]]}人民政府"

    def rows_of(name, table, columns, make):
        cols = t[name]
        m = len(cols["person"] if "person" in cols else cols["employer"])
        ids = _next_ids(table, m)
        _insert(table, ["id", *columns, *FACT_COLS], [(int(ids[i]), *make(cols, i), *fact) for i in range(m)])

    rows_of("employment", "registry_employment",
            ["person_id", "employer_id", "jurisdiction_id", "post", "frontline", "full_time", "is_legal_representative",
             "start", "end"],
            lambda c, i: (int(person_ids[c["person"][i]]), int(org_ids[c["employer"][i]]), dist[c["district"][i]],
                          OCCUPATIONS[c["post"][i]], bool(c["frontline"][i]),
                          None if c["full_time"][i] < 0 else bool(c["full_time"][i]), bool(c["legal_rep"][i]),
                          _date(c["start"][i]), _date(c["end"][i])))
    rows_of("insurance", "registry_socialinsuranceperiod",
            ["person_id", "jurisdiction_id", "employer_id", "first_month", "last_month"],
            lambda c, i: (int(person_ids[c["person"][i]]), dist[c["district"][i]], int(org_ids[c["employer"][i]]),
                          _month_date(c["first"][i]), _month_date(c["last"][i])))
    rows_of("certificates", "registry_certificate", ["person_id", "occupation", "level", "kind", "number", "issuer",
                                                     "issued_on"],
            lambda c, i: (int(person_ids[c["person"][i]]), OCCUPATIONS[c["occupation"][i]], int(c["level"][i]),
                          str(c["kind"][i]), f"S{int(person_ids[c['person'][i]]):012d}{i % 100:02d}",
                          "职业技能鉴定指导中心", _date(c["issued"][i])))
    rows_of("competitions", "registry_competitionresult", ["person_id", "name", "occupation", "level", "klass",
                                                           "rank", "held_on"],
            lambda c, i: (int(person_ids[c["person"][i]]), COMPETITIONS[int(c["level"][i])],
                          OCCUPATIONS[c["occupation"][i]], int(c["level"][i]), int(c["klass"][i]), int(c["rank"][i]),
                          _date(c["date"][i])))
    rows_of("titles", "registry_titleaward", ["person_id", "code", "name", "raw_name", "level", "awarded_on",
                                                   "issuer"],
            lambda c, i: (int(person_ids[c["person"][i]]), str(c["code"][i]), "", "", int(c["level"][i]),
                          _date(c["date"][i]), _issuer(c["level"][i], c["issuer"][i])))
    rows_of("achievements", "registry_innovation", ["person_id", "kind", "title", "number", "level", "grade", "dated"],
            lambda c, i: (int(person_ids[c["person"][i]]), str(c["kind"][i]), "工艺改进成果", "", int(c["level"][i]),
                          int(c["grade"][i]), _date(c["date"][i])))
    rows_of("apprentices", "registry_apprenticeship",
            ["master_id", "apprentice_name", "agreement_date", "apprentice_certificate_level",
             "apprentice_certificate_date", "apprentice_is_backbone", "apprentice_competition_rank", "has_agreement"],
            lambda c, i: (int(person_ids[c["person"][i]]), f"徒弟{i}", _date(c["start"][i]),
                          None if c["level"][i] < 0 else int(c["level"][i]), _date(c["level_date"][i]),
                          bool(c["backbone"][i]), 3 if c["competition"][i] else None, True))
    rows_of("studios", "registry_masterstudio", ["person_id", "kind", "name", "level", "established_on", "is_leader"],
            lambda c, i: (int(person_ids[c["person"][i]]), str(c["kind"][i]), "技能大师工作室", int(c["level"][i]),
                          _date(c["date"][i]), True))
    rows_of("programmes", "registry_programmemembership", ["person_id", "code", "name", "raw_name", "level",
                                                           "catalogue_class", "joined_on"],
            lambda c, i: (int(person_ids[c["person"][i]]), str(c["code"][i]), "", "",
                          int({"city_talent_catalogue": L.CITY, "prov_double_thousand": L.PROVINCIAL,
                               "prov_double_high": L.PROVINCIAL, "national_talent_plan": L.NATIONAL}[str(c["code"][i])]),
                          str(c["class"][i]) if str(c["code"][i]) == "city_talent_catalogue" else "",
                          _date(c["date"][i])))
    rows_of("credit", "registry_creditrecord", ["person_id", "kind", "start", "end", "description"],
            lambda c, i: (int(person_ids[c["person"][i]]), str(c["kind"][i]), _date(c["start"][i]),
                          None if c["open"][i] else _date(c["start"][i] + 365), ""))
    rows_of("person_attributes", "registry_personattribute", ["person_id", "attribute", "holds", "value", "level",
                                                              "place_id", "start"],
            lambda c, i: (int(person_ids[c["person"][i]]), c["attribute"][i], bool(c["holds"][i]), "",
                          None if c["level"][i] < 0 else int(c["level"][i]),
                          None if c["place"][i] < 0 else dist[c["place"][i]], _date(c["start"][i])))
    rows_of("employer_attributes", "registry_employerattribute", ["organisation_id", "attribute", "holds", "value",
                                                                  "level", "start", "end"],
            lambda c, i: (int(org_ids[c["employer"][i]]), c["attribute"][i], True, "",
                          None if c["level"][i] < 0 else int(c["level"][i]), _date(c["start"][i]),
                          _date(c["start"][i] + 365) if c["expired"][i] else None))
    rows_of("employer_records", "registry_employerrecord", ["organisation_id", "kind", "start", "end", "description"],
            lambda c, i: (int(org_ids[c["employer"][i]]), str(c["kind"][i]), _date(c["start"][i]),
                          None if c["open"][i] else _date(c["start"][i] + 200), ""))

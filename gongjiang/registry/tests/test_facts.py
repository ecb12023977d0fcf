"""The columnar facts read from the database follow the policy engine's contract (policy/facts.py)."""
import datetime as dt

from gongjiang.core.idnumbers import make_resident_id
from gongjiang.policy.facts import month_number
from gongjiang.registry.facts import build_facts, facts_for_person
from gongjiang.registry.models import (Certificate, CreditRecord, EmployerProfile, EmployerRecord, Employment,
                                       Person, SocialInsurancePeriod, TitleAward)
from gongjiang.registry.services import register_person


def test_facts_encodings_follow_contract(jurisdictions, make_org):
    huiyang = jurisdictions["惠阳区"]
    firm = make_org("惠阳甲厂", parent=huiyang)
    agency = make_org("惠阳区某局", kind="department", parent=huiyang)
    EmployerProfile.objects.create(organisation=agency, is_government=True)
    p = register_person(name="甲", id_number=make_resident_id("441303", dt.date(1980, 2, 29), 1, female=True),
                        jurisdiction=huiyang, verification="verified")
    register_person(name="乙", id_number=make_resident_id("441302", dt.date(1990, 1, 1), 1, female=False),
                    jurisdiction=jurisdictions["惠城区"])
    Employment.objects.create(person=p, employer=firm, jurisdiction=huiyang, start=dt.date(2019, 1, 1),
                              frontline=True, post="车工")
    Employment.objects.create(person=p, employer=agency, jurisdiction=huiyang, start=dt.date(2010, 1, 1),
                              end=dt.date(2018, 12, 31), frontline=False, verification="rejected")
    SocialInsurancePeriod.objects.create(person=p, jurisdiction=huiyang, first_month=dt.date(2023, 11, 1),
                                         last_month=dt.date(2024, 2, 1))
    Certificate.objects.create(person=p, occupation="车工", level=5, kind="qualification",
                               issued_on=dt.date(2020, 6, 30), source="employer")
    TitleAward.objects.create(person=p, code="city_chief_technician", name="惠州市市管首席技师", level=3,
                              awarded_on=dt.date(2022, 1, 1))
    TitleAward.objects.create(person=p, code="provincial_tech_expert", level=4, awarded_on=dt.date(2021, 1, 1))
    CreditRecord.objects.create(person=p, kind="dishonest_debtor", start=dt.date(2024, 3, 1))
    EmployerRecord.objects.create(organisation=firm, kind="under_investigation", start=dt.date(2024, 5, 1))

    f = build_facts(Person.objects.all(), insurance_months=(month_number("2024-01"), month_number("2024-12")))
    assert f.n == 2 and list(f.person.ref) == sorted(Person.objects.values_list("pk", flat=True))
    i = list(f.person.ref).index(p.pk)
    assert f.person.birth[i] == dt.date(1980, 2, 29).toordinal() and f.person.gender[i] == 2
    assert f.person.src_birth[i] == 4 and f.place_paths[f.person.residence[i]] == "广东省/惠州市/惠阳区"
    assert all(f.person[c][i] == 1 for c in f.person.columns if c.startswith("known_"))
    e = f.employment
    assert sorted(e.end.tolist()) == [0, dt.date(2018, 12, 31).toordinal()]
    rejected = e.verification == 2
    assert f.orgs.sector[e.org[rejected][0]] == 2 and f.orgs.sector[e.org[~rejected][0]] == 1
    assert f.word("occupation", int(e.occupation[~rejected][0])) == "车工"
    assert sorted(f.insurance.month.tolist()) == [month_number("2024-01"), month_number("2024-02")]  # window
    assert (f.certificates.level[0], f.certificates.kind[0], f.certificates.source[0]) == (5, 1, 2)
    assert {f.word("title", int(t)) for t in f.titles.title} == {"惠州市市管首席技师", "省技术能手"}
    assert f.word("record", int(f.records.kind[0])) == "dishonest_debtor" and f.records.end[0] == 0
    assert f.word("org_record", int(f.org_records.kind[0])) == "under_investigation"
    one = facts_for_person(p)
    assert one.n == 1 and "甲" in one.labels[0] and len(one.employment) == 2


def test_attributes_issuers_full_time_and_hukou_reach_the_engine(jurisdictions, make_org):
    """Issue 13: person attributes and employer designations as rows, the 户籍 of the region code,
    the awarding place of a title from its issuer text, and the full-time flag of a spell."""
    from gongjiang.registry.models import EmployerAttribute, PersonAttribute

    huiyang = jurisdictions["惠阳区"]
    firm = make_org("惠阳专精特新厂", parent=huiyang)
    EmployerAttribute.objects.create(organisation=firm, attribute="specialised_sme", level=4,
                                     start=dt.date(2022, 1, 1))
    p = register_person(name="丙", id_number=make_resident_id("441303", dt.date(1985, 3, 1), 7, female=False),
                        jurisdiction=huiyang)
    Person.objects.filter(pk=p.pk).update(region_code="441303")
    PersonAttribute.objects.create(person=p, attribute="union_member", start=dt.date(2010, 1, 1))
    PersonAttribute.objects.create(person=p, attribute="nationality", value="中国")
    Employment.objects.create(person=p, employer=firm, jurisdiction=huiyang, start=dt.date(2019, 1, 1),
                              full_time=True)
    TitleAward.objects.create(person=p, code="city_tech_expert", level=3, awarded_on=dt.date(2022, 1, 1),
                              issuer="惠州市人民政府")
    f = facts_for_person(p)
    words = {f.word("attribute", int(a)) for a in f.attributes.attr}
    assert words == {"union_member", "nationality", "hukou"}
    hukou = [i for i, a in enumerate(f.attributes.attr) if f.word("attribute", int(a)) == "hukou"][0]
    assert f.place_paths[f.attributes.place[hukou]] == "广东省/惠州市/惠阳区"
    assert f.place_paths[f.titles.issuer[0]] == "广东省/惠州市"
    assert f.employment.full_time.tolist() == [1]
    assert f.word("attribute", int(f.org_attributes.attr[0])) == "specialised_sme" and f.org_attributes.level[0] == 4


def test_sorted_index_equals_searchsorted_dense_sparse_and_out_of_range():
    import numpy as np

    from gongjiang.registry.facts import SortedIndex

    rng = np.random.default_rng(3)
    dense = np.sort(rng.choice(np.arange(1000, 3000), 1500, replace=False))
    sparse = np.sort(rng.choice(np.arange(0, 10**9), 100, replace=False))
    for refs in (dense, sparse, np.array([], np.int64), np.array([7], np.int64)):
        keys = np.concatenate([refs, rng.integers(-5, 3100, 500), [-1, 0, 10**9 + 5]]).astype(np.int64)
        assert np.array_equal(SortedIndex(refs)(keys), np.searchsorted(refs, keys))
    assert SortedIndex(dense).table is not None and SortedIndex(sparse).table is None


def test_insurance_periods_expand_into_their_months_inside_the_window(jurisdictions, make_org):
    """社保缴费期间按月展开（仅取筛查窗口内的月份）：每个月一行，人员、单位、参保地、期间编号与原期间一致。"""
    huiyang, huicheng = jurisdictions["惠阳区"], jurisdictions["惠城区"]
    firm, shop = make_org("惠阳甲厂", parent=huiyang), make_org("惠城乙店", parent=huicheng)
    a = register_person(name="甲", id_number=make_resident_id("441303", dt.date(1980, 1, 1), 1, female=False),
                        jurisdiction=huiyang)
    b = register_person(name="乙", id_number=make_resident_id("441302", dt.date(1985, 1, 1), 2, female=True),
                        jurisdiction=huicheng)
    periods = [(a, firm, huiyang, "2023-10", "2024-03"), (a, None, huicheng, "2024-05", "2024-05"),
               (b, shop, huicheng, "2019-01", "2023-06"), (b, shop, huicheng, "2024-11", "2025-04"),
               (a, shop, huicheng, "2024-02", "2024-03")]
    rows = set()
    lo, hi = month_number("2024-01"), month_number("2024-12")
    for person, org, place, first, last in periods:
        s = SocialInsurancePeriod.objects.create(person=person, employer=org, jurisdiction=place,
                                                 first_month=dt.date.fromisoformat(first + "-01"),
                                                 last_month=dt.date.fromisoformat(last + "-01"))
        for m in range(max(month_number(first), lo), min(month_number(last), hi) + 1):
            rows.add((person.pk, org.name if org else None, place.name, s.pk, m))
    f = build_facts(Person.objects.all(), insurance_months=(lo, hi))
    t = f.insurance
    got = {(int(f.person.ref[t.person[r]]), f.org_names[t.org[r]] if t.org[r] >= 0 else None,
            f.place_paths[t.place[r]].rsplit("/", 1)[-1], int(t.ref[r]), int(t.month[r])) for r in range(len(t))}
    assert len(t) == len(rows) == 3 + 1 + 2 + 2 and got == rows

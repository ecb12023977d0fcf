"""Eligibility of an application from the registry person's records merged with the declared
facts (惠阳 第六条（三）, 第八条, 第十一条: credit records and employer status the form does not ask)."""
import datetime as dt

import pytest

from gongjiang.applications import eligibility, services
from gongjiang.applications.models import Route
from gongjiang.audit.models import AuditEntry
from gongjiang.core.idnumbers import make_resident_id
from gongjiang.rounds.tests.factories import complete_facts, open_round, ready_application, refused


@pytest.fixture
def setup(jurisdictions, make_user, make_org):
    from gongjiang.registry.services import register_person

    district = jurisdictions["惠阳区"]
    bureau = make_user("bureau", district)
    rnd = open_round(policy_code="huiyang-chief-technician", organiser=district, actor=bureau)
    employer_org = make_org(parent=district, kind="enterprise", name="惠阳精工有限公司")
    employer = make_user("employer", employer_org)
    person = register_person(name="陈志强", id_number=make_resident_id("441303", dt.date(1979, 3, 2), 21, female=False),
                             jurisdiction=district, actor=bureau, source="registry")
    return {"round": rnd, "bureau": bureau, "employer": employer, "employer_org": employer_org, "person": person,
            "district": district}


def nominated(s):
    app = services.start(round=s["round"], actor=s["employer"], route=Route.EMPLOYER, person=s["person"])
    ready_application(app, actor=s["employer"])
    app.refresh_from_db()
    return app


def record_texts(data, kind_word):
    return [f for c in data["clauses"] for f in c["facts"] if kind_word in f["text"]]


def test_eligibility_credit_record_on_registry_fails_the_clause(setup):
    """惠阳 第六条（三）: a criminal record in the registry fails the clause the form never asks."""
    from gongjiang.registry.models import CreditRecord

    CreditRecord.objects.create(person=setup["person"], kind="criminal_record", start=dt.date(2015, 1, 1),
                                source="registry", verification="verified")
    app = nominated(setup)
    assert app.eligibility["basis"] == "registry+declared"
    failing = [c for c in app.eligibility["clauses"] if c["article"] == "第六条（三）" and c["status"] == "fail"]
    assert failing, [(c["article"], c["status"]) for c in app.eligibility["clauses"]]
    used = record_texts(app.eligibility, "刑事犯罪记录")
    assert used and used[0]["source"] == "部门数据" and used[0]["verification"] == "已核验"
    assert app.eligibility_status == "fail"


def test_eligibility_clean_registry_passes_record_clauses_declared_only_needs_review(setup):
    """No credit record on the registry is evidence of none (the registry is complete); the
    declared facts alone cannot say so (needs review)."""
    app = nominated(setup)
    parent = next(c for c in app.eligibility["clauses"] if c["article"] == "第六条（三）")  # none_of
    assert parent["status"] == "pass"
    app.person = None
    data, _ = eligibility.evaluate(app)
    assert data["basis"] == "declared"
    assert [c["status"] for c in data["clauses"] if c["article"] == "第六条（三）"][0] == "needs_review"


def test_eligibility_employer_status_record_applies(setup):
    """惠阳 第十一条（二）: an employer under investigation (registry EmployerRecord) is judged
    from the registry although the person has no employment spell on record."""
    from gongjiang.registry.models import EmployerRecord

    EmployerRecord.objects.create(organisation=setup["employer_org"], kind="under_investigation",
                                  start=dt.date(2025, 6, 1), source="registry")
    app = nominated(setup)
    used = record_texts(app.eligibility, "立案调查")
    assert used, app.eligibility["clauses"]
    # 暂缓 (soft wording): the clause itself shows needs_review, with the reason that the wording is soft
    assert any(c["article"].startswith("第十一条（二）") and c["status"] == "needs_review"
               for c in app.eligibility["clauses"])


def test_eligibility_declared_rows_repeating_registry_rows_count_once(setup):
    """The form is pre-filled from the registry: a certificate on record and the same one
    declared is one fact, shown with the registry's source."""
    from gongjiang.registry.models import Certificate

    Certificate.objects.create(person=setup["person"], occupation="车工", level=5, issued_on=dt.date(2018, 6, 1),
                               source="registry", verification="verified")
    app = nominated(setup)
    from gongjiang.policy.facts import SOURCE
    from gongjiang.policy.services import get_policy

    facts, _, _ = eligibility.application_facts(app, policy_file=get_policy(app.round.policy.code))
    assert facts.certificates.source.tolist() == [SOURCE["registry"]]
    assert facts.certificates.verification.tolist() == [1]


def test_eligibility_declared_rows_carry_employer_source(setup):
    app = nominated(setup)
    sources = {f["source"] for c in app.eligibility["clauses"] for f in c["facts"] if f["text"].startswith("就业")}
    assert "单位填报" in sources


def test_reverify_recomputes_and_is_audited(setup):
    """重新核验: after a credit record is entered the officer's recheck changes the result."""
    from gongjiang.registry.models import CreditRecord

    app = nominated(setup)
    before = app.eligibility_status
    CreditRecord.objects.create(person=setup["person"], kind="criminal_record", start=dt.date(2015, 1, 1),
                                source="registry", verification="verified")
    services.reverify(app, actor=setup["bureau"], reason="公安部门反馈有犯罪记录")
    app.refresh_from_db()
    assert before != "fail" and app.eligibility_status == "fail"
    entry = AuditEntry.objects.filter(action="application.reverify").latest("pk")
    assert entry.reason == "公安部门反馈有犯罪记录"


def test_reverify_refused_for_applicant(setup, make_user):
    app = nominated(setup)
    with refused("无权重新核验"):
        services.reverify(app, actor=make_user("applicant"))


def test_merge_places_and_orgs_follow_the_registry(setup):
    """A merged batch keeps the registry's place tree and maps the declared employer onto the
    registry organisation with the same pk."""
    app = nominated(setup)
    from gongjiang.policy.services import get_policy

    facts, basis, _ = eligibility.application_facts(app, policy_file=get_policy(app.round.policy.code))
    assert basis == "registry+declared"
    assert facts.org_names.count("惠阳精工有限公司") == 1
    assert facts.place_name(int(facts.employment.place[0])) == "惠阳区"


def test_detail_page_shows_sources_and_reverify_button(setup, client):
    """Officers see each clause with the facts' source and verification, and can recheck."""
    from gongjiang.registry.models import CreditRecord

    app = nominated(setup)
    client.force_login(setup["bureau"])
    page = client.get(f"/applications/{app.pk}/").content.decode()
    assert "依据：人才库记录" in page and "单位填报" in page and "重新核验" in page
    CreditRecord.objects.create(person=setup["person"], kind="criminal_record", start=dt.date(2015, 1, 1),
                                source="registry", verification="verified")
    response = client.post(f"/applications/{app.pk}/", {"action": "reverify", "reason": "复核信用记录"}, follow=True)
    body = response.content.decode()
    assert "已按人才库最新记录重新核验" in body and "刑事犯罪记录" in body and "部门数据，已核验" in body

"""Real-model factories for review tests and the permission-matrix samples."""
import datetime as dt
import itertools

from django.utils import timezone

_seq = itertools.count(1)


def make_policy(district, code="huiyang-chief-technician"):
    """The policy file `code` loaded into the database (the honour's priority rules are read from it)."""
    from gongjiang.rounds.tests.factories import load_test_policy

    return load_test_policy(code)


def make_round(policy, district, stages, *, quota=10, year=2026):
    from gongjiang.rounds.models import Round
    from gongjiang.rounds.policy_link import honour_of

    n = next(_seq)
    honour = honour_of(policy)
    return Round.objects.create(
        policy=policy, honour_code=honour.code, honour_title=honour.title, code=f"review-r{n}", title=f"测试批次{n}",
        year=year, organiser=district, reference_date=dt.date(year, 1, 1), opens_on=dt.date(year, 3, 1),
        application_deadline=dt.date(year, 4, 1), quota=quota, stages=stages, status="closed",
        published_at=timezone.now())


def make_application(rnd, district, employer, *, name=None, status="recommended", birth=dt.date(1980, 5, 1),
                     facts=None, account=None):
    from gongjiang.applications.models import Application
    from gongjiang.core.idnumbers import make_resident_id
    from gongjiang.registry.services import register_person

    n = next(_seq)
    person = register_person(name=name or f"申报人{n}", jurisdiction=district,
                             id_number=make_resident_id("441303", birth, 100 + n % 300, female=n % 2 == 0))
    return Application.objects.create(
        round=rnd, serial=f"RV-{n:05d}", route="employer", person=person, name=person.name, employer=employer,
        status=status, version=1, submitted_at=timezone.now(), commitment_name=person.name,
        forwarded_at=timezone.now(), facts=facts or {"occupation": "焊工"}, applicant_account=account,
        deed_text="长期在一线从事焊接工作，攻克多项工艺难题。")

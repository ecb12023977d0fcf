"""Test factories for rounds and applications: test policies loaded from tests/policies/,
rounds opened through the services, applications driven through the real state machine."""
import datetime as dt
from contextlib import contextmanager
from pathlib import Path

from django.utils import timezone

POLICY_DIR = Path(__file__).parent / "policies"


def load_test_policy(code):
    """A test policy of tests/policies/, or else the real policy file of policies/."""
    from gongjiang.policy.loader import POLICIES_DIR, read_policy
    from gongjiang.policy.services import load_policy_file

    path = POLICY_DIR / f"{code}.yaml"
    return load_policy_file(read_policy(path if path.exists() else POLICIES_DIR / f"{code}.yaml"))[0]


def open_round(*, policy_code, organiser, actor, code=None, publish=True, **kw):
    from gongjiang.rounds import services

    today = timezone.localdate()
    rnd = services.open_round(policy=load_test_policy(policy_code), organiser=organiser, year=today.year,
                              title=kw.pop("title", f"{today.year}年度测试遴选"), code=code or f"{policy_code}-{today.year}",
                              opens_on=kw.pop("opens_on", today - dt.timedelta(days=5)),
                              application_deadline=kw.pop("application_deadline", today + dt.timedelta(days=20)),
                              actor=actor, **kw)
    if publish:
        rnd = services.publish(rnd, actor=actor)
    return rnd


def pdf_upload(name="证书.pdf"):
    from gongjiang.applications.tests.corpus import pdf_bytes, upload

    return upload(name, pdf_bytes())


DEED = "本人长期在生产一线从事数控加工工作，" * 30


def complete_facts(name, *, employer=None):
    return {
        "personal": {"name": name, "gender": "男", "birth_date": "1980-05-01"},
        "employment": {"employer_name": employer.name if employer else "测试单位", "employer_id": getattr(employer, "pk", None),
                       "post": "数控车工", "frontline": True, "start": "2015-03-01", "insurance_months": 60},
        "skill": {"occupation": "车工", "level": 5, "number": "S001", "issued_on": "2018-06-01"},
        "competitions": [{"name": "省职业技能大赛", "level": 4, "klass": 1, "rank": 2, "held_on": "2024-09-01"}],
        "titles": [], "apprentices": [], "achievements": {"7.1": "创造了先进操作法"},
    }


def ready_application(app, *, actor):
    """Fill a draft completely, upload the required evidence and submit it."""
    from gongjiang.applications import services

    services.save_draft(app, actor=actor, facts=complete_facts(app.name, employer=app.employer), deed_text=DEED)
    for m in app.round.materials:
        if m.get("upload") and m.get("required"):
            services.attach_evidence(app, actor=actor, file=pdf_upload(), material=m["code"])
    return services.submit(app, actor=actor, commitment_name=app.name)


@contextmanager
def refused(words):
    """Expect a DomainError whose Chinese message contains `words`."""
    import pytest

    from gongjiang.core.errors import DomainError

    with pytest.raises(DomainError) as exc:
        yield exc
    assert words in exc.value.message, exc.value.message


def submitted_self_application(jurisdictions, make_user):
    """A 惠阳区 officer's open round of the test self-route policy and 李建国's submitted
    self-application to it (registered person, evidence uploaded): {officer, applicant, round, app}."""
    from gongjiang.applications import services
    from gongjiang.applications.models import Route
    from gongjiang.core.idnumbers import make_resident_id
    from gongjiang.registry.services import register_person

    officer = make_user("bureau", jurisdictions["惠阳区"])
    rnd = open_round(policy_code="test-self-route", organiser=officer.organisation, actor=officer)
    applicant = make_user("applicant", display_name="李建国")
    register_person(name="李建国", id_number=make_resident_id("441303", dt.date(1980, 5, 1), 11, female=False),
                    jurisdiction=jurisdictions["惠阳区"], account=applicant)
    app = services.start(round=rnd, actor=applicant, route=Route.SELF)
    ready_application(app, actor=applicant)
    return {"officer": officer, "applicant": applicant, "round": rnd, "app": app}

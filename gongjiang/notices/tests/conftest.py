"""Fixtures for the notices tests: officers and a published notice. Dates come from the
project-wide `clock` fixture (Monday 2026-11-23), so they fall in the official 2026 calendar
whatever day the suite runs."""
import pytest
from django.utils import timezone


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Argon2 is what production uses (tested in web); here it only slows fixtures down.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def officer(jurisdictions, make_user):
    return make_user("bureau", jurisdictions["惠阳区"], display_name="惠阳区人社局经办")


ENTRIES = [
    {"name": "张伟", "gender": "M", "employer": "惠州市惠阳示范精密制造有限公司", "occupation": "数控车工",
     "skill_level": 5, "honour": "区管首席技师"},
    {"name": "李娜", "gender": "F", "employer": "惠阳电子有限公司", "occupation": "电工",
     "skill_level": 4, "honour": "区管首席技师"},
]


@pytest.fixture
def applications(jurisdictions, make_org):
    """Two real applications (the review app's factories) the notice entries link to."""
    from gongjiang.review.tests import factories

    district = jurisdictions["惠阳区"]
    rnd = factories.make_round(factories.make_policy(district), district, [])
    return [factories.make_application(rnd, district, make_org(parent=district), name=e["name"], status="passed")
            for e in ENTRIES]


@pytest.fixture
def publish(officer, clock, applications):
    from gongjiang.notices.services import publish_notice

    entries = [dict(e, application_id=a.pk) for e, a in zip(ENTRIES, applications)]

    def make(**kw):
        args = dict(title="2026年惠阳区区管首席技师拟入选人员公示", entries=entries, start=timezone.localdate(),
                    publisher=officer, contact="惠阳区人社局人才科，电话0752-3333333", body="经评审，现予公示。",
                    policy_ref="《惠州市惠阳区区管首席技师遴选和管理办法》第十条（七）")
        args.update(kw)
        return publish_notice(**args)

    return make

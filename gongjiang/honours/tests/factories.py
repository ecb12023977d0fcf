"""Holders for tests: a round of a seed policy whose candidates are approved.

`approve_candidates` writes the applications in their approved state and the notice and approval
with the ORM (the lifecycle tests in tests/lifecycle drive the whole procedure), then awards through
`services.award_round`, exactly as the `notice_approved` signal does."""
import datetime as dt
import itertools

from django.utils import timezone

_ids = itertools.count(1)


def person(name, *, district, account=None, born=dt.date(1980, 5, 1)):
    from gongjiang.core.idnumbers import make_resident_id
    from gongjiang.registry.services import register_person

    n = next(_ids)
    return register_person(name=name, jurisdiction=district, account=account,
                           id_number=make_resident_id("441303", born + dt.timedelta(days=n % 300), 300 + n % 600,
                                                      female=False))


def approved_applications(rnd, names, *, district, employer=None, accounts=None):
    from gongjiang.applications.models import Application, Route
    from gongjiang.review import stages as st

    apps = []
    for i, name in enumerate(names):
        n = next(_ids)
        who = person(name, district=district, account=(accounts or {}).get(name))
        apps.append(Application.objects.create(
            round=rnd, serial=f"T{rnd.pk}-{n:05d}", route=Route.EMPLOYER, person=who, name=name, employer=employer,
            status=st.APPROVED, facts={"skill": {"occupation": "车工"}}, commitment_name=name, version=1,
            submitted_at=timezone.now()))
    return apps


def approval_for(rnd, *, actor, decided_on, number="测人社字〔2026〕1号", authority="人民政府"):
    from gongjiang.notices.models import Approval, Notice

    notice = Notice.objects.create(
        title=f"{rnd.title}公示", contact="人社局 0752-0000000", organisation=rnd.organiser, round_id=rnd.pk,
        start_date=decided_on - dt.timedelta(days=14), end_date=decided_on - dt.timedelta(days=8),
        published_by=actor, published_at=timezone.now())
    return Approval.objects.create(notice=notice, kind="approve", authority=authority, document_number=number,
                                   decided_on=decided_on, recorded_by=actor, recorded_at=timezone.now())


def approve_candidates(rnd, names, *, actor, district, decided_on, employer=None, number="测人社字〔2026〕1号",
                       accounts=None):
    """Honours of `names` in `rnd`, approved on `decided_on` with document `number`."""
    from gongjiang.honours.services import award_round

    apps = approved_applications(rnd, names, district=district, employer=employer, accounts=accounts)
    approval = approval_for(rnd, actor=actor, decided_on=decided_on, number=number)
    return award_round(approval, application_ids=[a.pk for a in apps], actor=actor)

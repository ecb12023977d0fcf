"""Demo: holders of earlier rounds, so the register, certificates, verification and decisions have
something to show. Earlier rounds are entered as they ended (approved candidates and the approval
document), then awarded through `services.award_round` like a live approval, as `honours` of
gongjiang/core/data/demo.yaml lists them. Idempotent."""
import datetime as dt

from django.utils import timezone

from gongjiang.accounts.models import Organisation, User
from gongjiang.core.demo_data import section
from gongjiang.policy.models import Policy
from gongjiang.rounds.models import Round, RoundStatus

from . import services

DATA = section("honours")


def _employer(officer):
    org = Organisation.objects.filter(name=DATA["holders_employer"], path__startswith=officer.organisation.path).first()
    return org or Organisation.objects.filter(parent=officer.organisation, kind="enterprise").order_by("pk").first()


def _round(policy, officer, year, title):
    from gongjiang.rounds import services as rounds

    from gongjiang.rounds import policy_link

    code = f"demo-past-{policy.code}-{year}"
    rnd = Round.objects.filter(code=code).first()
    if rnd is None:
        # The round ran while its policy was in force: it opens no earlier than the policy took effect.
        parsed = policy_link.parsed(policy)
        start = parsed.validity.valid_from
        opens = max(dt.date(year, 1, 6), start or dt.date(year, 1, 6))
        # Its reference date too: a notice issued during the year counts from the day it was issued.
        default_ref = policy_link.round_defaults(policy, year=year)["reference_date"]
        ref = default_ref if parsed.in_force(default_ref) else max(default_ref, start or default_ref)
        rnd = rounds.open_round(policy=policy, organiser=officer.organisation, year=year, code=code, reference_date=ref,
                                title=f"{title}（往届，演示）", opens_on=opens,
                                application_deadline=opens + dt.timedelta(days=25), actor=officer,
                                reason="演示数据：往届批次")
    return rnd


def _file_as_historical(rnd, officer):
    """An earlier round is shown as it ended: published, closed and filed (已归档) with its dates."""
    from gongjiang.rounds import services as rounds

    for step in (rounds.publish, rounds.close, rounds.archive):
        rnd = step(rnd, actor=officer, reason="演示数据：往届批次")
    return rnd


def _decisions(by_name, officer):
    """One exit and one revocation, as the policies say, so their pages and verification show them."""
    today = timezone.localdate()
    for d in DATA["decisions"]:
        honour = by_name.get(d["holder"])
        if honour is None or honour.decisions.exists() or d["effective"] > today:
            continue
        services.decide(honour, kind=d["kind"], outcome_id=d["outcome"], effective=d["effective"],
                        actor=officer[honour.policy_id], document_no=d["number"], decided_by=d["decided_by"],
                        reason=d["reason"])


def seed(stdout=None):
    import itertools

    from gongjiang.applications.models import Application

    from .tests import factories
    from .tests.factories import approve_candidates

    # The factories number people from a counter (two numbers per holder); start it after the holders
    # already seeded, so a round added to the past rounds later gets the numbers a fresh seed gives it.
    factories._ids = itertools.count(2 * Application.objects.filter(round__code__startswith="demo-past-").count() + 1)
    by_name, officers = {}, {}
    for past in DATA["past_rounds"]:
        year, names = past["year"], past["holders"]
        policy = Policy.objects.filter(code=past["policy"]).first()
        officer = User.objects.filter(username=past["login"]).first()
        if policy is None or officer is None:
            continue
        officers[policy.pk] = officer
        rnd = _round(policy, officer, year, past["title"])
        if not rnd.honours.exists():
            approve_candidates(rnd, names, actor=officer, district=officer.organisation, decided_on=past["decided_on"],
                               employer=_employer(officer), number=past["number"])
            if stdout is not None:
                stdout.write(f"  honours {rnd.code}: {len(names)}\n")
        if rnd.status == RoundStatus.DRAFT:
            _file_as_historical(rnd, officer)
        by_name.update({h.name: h for h in rnd.honours.select_related("policy")})
    _decisions(by_name, officers)

"""Demo rounds (idempotent), dated around today so they stay live whenever the demo is loaded.

Only a programme whose policy (the edition in force) covers this year's reference date gets live
rounds; the expired ones appear only as earlier rounds with their dates and holders (honours/demo.py),
never as a round whose applicants are judged on a date outside the policy.

Live rounds (`rounds` of gongjiang/core/data/demo.yaml): this year's round of each programme listed,
open for applications (applications/demo.py fills them), and rounds at the later stages
(review/demo.py: expert review, public notice, committee decided awaiting approval), whose
application windows have closed."""
import datetime as dt

from django.utils import timezone

from gongjiang.accounts.models import Organisation, User
from gongjiang.core.demo_data import section

from . import services
from .models import Round

DEMO_NOTE = "演示数据"


def today() -> dt.date:
    return timezone.localdate()


def demo_year() -> int:
    return today().year


def demo_code(policy_code, honour_code=None, stage=""):
    return f"{policy_code}-{honour_code + '-' if honour_code else ''}{demo_year()}{'-' + stage if stage else ''}"[:60]


def live(policy, year=None) -> bool:
    """Whether a round of `year` would be judged under a policy in force on its reference date."""
    from . import policy_link

    year = year or demo_year()
    return policy_link.in_force_on(policy, policy_link.reference_date(policy, year))


def calendar(stage: str) -> dict:
    """Dates of a demo round: open for applications now, or (a later stage) with the application and
    recommendation windows over and the review still running."""
    day = today()
    if stage == "":
        return {"opens_on": day - dt.timedelta(days=35), "application_deadline": day + dt.timedelta(days=11),
                "recommendation_deadline": day + dt.timedelta(days=18), "review_deadline": day + dt.timedelta(days=24)}
    return {"opens_on": day - dt.timedelta(days=100), "application_deadline": day - dt.timedelta(days=60),
            "recommendation_deadline": day - dt.timedelta(days=50), "review_deadline": day + dt.timedelta(days=24)}


def ensure_round(policy_code, *, login, title, honour=None, stage="", stage_title="", stdout=None):
    """The demo round of `policy_code` this year (a later-stage one when `stage` is given), opened and
    published by `login` through the round services; None where the policy is not in force."""
    from gongjiang.policy.models import Policy

    from . import policy_link

    policy = Policy.objects.filter(code=policy_code).first()
    officer = User.objects.filter(username=login).first()
    if policy is None or officer is None or not live(policy):
        return None
    if honour and honour not in dict(policy_link.honours(policy)):
        honour = None
    code = demo_code(policy_code, honour, stage)
    rnd = Round.objects.filter(code=code).first()
    if rnd is None:
        rnd = services.open_round(
            policy=policy, honour_code=honour, organiser=officer.organisation, year=demo_year(),
            title=f"{demo_year()}年度{title}{'（演示：' + stage_title + '）' if stage_title else ''}", code=code,
            contact=f"{officer.organisation}人力资源和社会保障局 电话 0000-12345678（演示）", actor=officer,
            reason=DEMO_NOTE, **calendar(stage))
        rnd = services.publish(rnd, actor=officer, reason=DEMO_NOTE)
        if stage:
            rnd = services.close(rnd, actor=officer, reason="演示数据：申报期已过")
        if stdout is not None:
            stdout.write(f"  round {code}\n")
    return rnd


def seed(stdout=None):
    for spec in section("rounds"):
        rnd = ensure_round(spec["policy"], login=spec["login"], title=spec["title"], honour=spec["honour"],
                           stdout=stdout)
        if rnd is None:
            continue
        officer = User.objects.get(username=spec["login"])
        for name, kind, quota in spec["units"]:
            org = Organisation.objects.filter(name=name, parent__in=officer.organisation.subtree()).first()
            if org is not None and not rnd.units.filter(organisation=org).exists():
                services.set_unit(rnd, organisation=org, kind=kind, quota=quota, actor=officer, reason=DEMO_NOTE)

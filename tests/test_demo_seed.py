"""`make run` loads the demo data with `gongjiang seed_demo`; running it twice must neither fail nor
duplicate anything (issue 2 §1, issue 4 §8)."""
from io import StringIO

from django.apps import apps
from django.core.management import call_command

from gongjiang.accounts.demo import DEMO_USERS
from gongjiang.accounts.models import User
from gongjiang.audit.services import verify


# seed_demo ends with a verification of the audit chain, and every verification is logged.
GROWS_BY_DESIGN = {"audit.ChainCheck"}


def _row_counts():
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()
            if m._meta.managed and m._meta.label not in GROWS_BY_DESIGN}


def test_seed_demo_twice_changes_nothing(db):
    out = StringIO()
    call_command("seed_demo", stdout=out)
    first = _row_counts()
    assert first["registry.Person"] >= 3000
    assert first["rounds.Round"] >= 5 and first["applications.Application"] > 0
    assert first["notices.Notice"] > 0 and first["review.Expert"] > 0
    assert set(User.objects.values_list("username", flat=True)) >= {u for u, *_ in DEMO_USERS}
    assert "demo_applicant" in out.getvalue() and "gongjiang-demo-2026" in out.getvalue()

    _past_rounds_ran_while_their_policy_was_in_force()

    call_command("seed_demo", stdout=StringIO())
    second = _row_counts()
    changed = {k: (first[k], second[k]) for k in first if first[k] != second[k]}
    assert not changed, f"seed_demo is not idempotent: {changed}"
    assert verify().ok


def _past_rounds_ran_while_their_policy_was_in_force():
    """Earlier rounds (issue 15 §8) carry the dates they ran on, inside their policy's validity, and
    their holders; an expired programme (聊城 2019) shows as such a historical round."""
    from gongjiang.rounds import policy_link
    from gongjiang.rounds.models import Round

    past = Round.objects.filter(code__startswith="demo-past-").select_related("policy")
    assert "liaocheng-2019-chief-technician" in {r.policy.code for r in past}
    for rnd in past:
        policy = policy_link.parsed(rnd.policy)
        assert policy.in_force(rnd.reference_date) and policy.in_force(rnd.opens_on), rnd.code
        assert rnd.honours.exists(), rnd.code

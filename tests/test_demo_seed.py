"""`make run` loads the demo data with `gongjiang seed_demo`; running it twice must neither fail nor
duplicate anything (issue 2 §1, issue 4 §8). The demo shows the whole life (issue 15 §8): live rounds
only of programmes whose policy is in force on their reference date, at every stage up to an
approval the demo officer can record."""
from io import StringIO

from django.apps import apps
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

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

    call_command("seed_demo", stdout=StringIO())
    second = _row_counts()
    changed = {k: (first[k], second[k]) for k in first if first[k] != second[k]}
    assert not changed, f"seed_demo is not idempotent: {changed}"
    assert verify().ok

    _past_rounds_ran_while_their_policy_was_in_force()
    _live_rounds_run_on_a_policy_in_force()
    _live_rounds_cover_every_stage()
    _demo_applicant_applies_without_an_expired_policy_warning()


def _past_rounds_ran_while_their_policy_was_in_force():
    """Earlier rounds (issue 15 §8) carry the dates they ran on, inside their policy's validity, and
    their holders; an expired programme (聊城 2019) shows as such a historical round."""
    from gongjiang.rounds import policy_link
    from gongjiang.rounds.models import Round

    past = Round.objects.filter(code__startswith="demo-past-").select_related("policy")
    assert {"liaocheng-2019-chief-technician", "huiyang-chief-technician", "zhongkai-skilled-talent"} <= {
        r.policy.code for r in past}
    for rnd in past:
        assert rnd.status == "archived", rnd.code
        policy = policy_link.parsed(rnd.policy)
        assert policy.in_force(rnd.reference_date) and policy.in_force(rnd.opens_on), rnd.code
        assert rnd.honours.exists(), rnd.code


def _live_rounds():
    from gongjiang.rounds.models import Round

    return Round.objects.exclude(code__startswith="demo-past-").select_related("policy")


def _live_rounds_run_on_a_policy_in_force():
    """Every live demo round is judged on a reference date inside the validity of the policy edition
    then in force (惠阳 第二十三条 ends 2025年12月31日, 仲恺 第十条 2016年5月8日, 聊城 the 2019 notice: these
    programmes appear only as earlier rounds); 环翠 (第十八条, to 2027年11月30日) and 赣州 (no end) run."""
    from gongjiang.rounds import policy_link

    live = list(_live_rounds())
    assert {r.policy.code for r in live} == {"huancui-chief-technician", "ganzhou-craftsman"}
    for rnd in live:
        edition = policy_link.parsed_on(rnd.policy, rnd.reference_date)
        assert edition.in_force(rnd.reference_date), (rnd.code, rnd.reference_date)


def _live_rounds_cover_every_stage():
    """Open for applications, in expert review (with the demo expert to score), on public notice
    (running today), and decided by the committee waiting for the approval; earlier rounds of the
    programmes in force have holders in their term."""
    from gongjiang.applications.models import Application
    from gongjiang.honours.models import Honour
    from gongjiang.review.models import Assignment

    today = timezone.localdate()
    statuses = set(Application.objects.filter(round__in=_live_rounds()).values_list("status", flat=True))
    assert {"draft", "submitted", "recommended", "expert_review", "on_notice", "pending_approval"} <= statuses
    open_rounds = [r for r in _live_rounds() if r.is_accepting]
    assert {r.policy.code for r in open_rounds} == {"huancui-chief-technician", "ganzhou-craftsman"}
    assert Assignment.objects.filter(expert__user__username="demo_expert", active=True,
                                     application__status="expert_review").exists()
    in_term = Honour.objects.filter(policy__code__in=["huancui-chief-technician", "ganzhou-craftsman"],
                                    term_end__gte=today)
    assert in_term.exists()


def _demo_applicant_applies_without_an_expired_policy_warning():
    """The demo applicant's draft is in a round open for applications, whose eligibility self-check
    judges on a reference date the policy covers; and no officer sees 基准日不在政策有效期内 on any
    application of a live round (the application page's 资格初判)."""
    from gongjiang.applications.models import Application

    user = User.objects.get(username="demo_applicant")
    apps_ = list(Application.objects.filter(applicant_account=user).select_related("round"))
    assert apps_ and all(a.round.is_accepting for a in apps_)
    client = Client()
    client.force_login(user)
    for app in apps_:
        page = client.post(f"/rounds/calls/{app.round.code}/self-check/", {
            "birth_date": "1978-03-15", "gender": "男", "skill_level": "5", "certificate_date": "2019-06-30",
            "job_start": "2016-03-01", "frontline": "on"}).content.decode()
        assert "结论：" in page and "基准日不在政策有效期内" not in page
    for app in Application.objects.filter(round__in=_live_rounds()).exclude(status="draft").select_related("round"):
        officer = User.objects.filter(role="bureau", organisation=app.round.organiser).order_by("pk").first()
        client.force_login(officer)
        page = client.get(f"/applications/{app.pk}/").content.decode()
        assert "资格初判" in page and "基准日不在政策有效期内" not in page, (app.round.code, app.name)


def test_demo_officer_records_the_approval_and_the_holders_follow(db):
    """环翠 第十条（六）: after the notice (第十条（五）) the committee decided; bureau_huancui opens the
    notice's page, finds the approval form and records the approval: both candidates are approved and
    hold the title from the approval (管理期2年, 第四条)."""
    from gongjiang.applications.models import Application
    from gongjiang.honours.models import Honour
    from gongjiang.review import notice_link
    from gongjiang.rounds.models import Round

    call_command("seed_demo", stdout=StringIO())
    rnd = Round.objects.get(code__endswith="-approval", policy__code="huancui-chief-technician")
    waiting = list(Application.objects.filter(round=rnd, status="pending_approval"))
    assert len(waiting) == 2 and not Honour.objects.filter(round=rnd).exists()
    notice = notice_link.current_notice(rnd)
    client = Client()
    client.force_login(User.objects.get(username="bureau_huancui"))
    page = client.get(f"/notices/manage/{notice.pk}/").content.decode()
    assert "记录批准" in page and 'name="document_number"' in page
    today = timezone.localdate()
    resp = client.post(f"/notices/manage/{notice.pk}/", {
        "kind": "approve", "authority": "威海市环翠区人民政府", "document_number": "威环政字〔2026〕88号",
        "decided_on": today.isoformat()})
    assert resp.status_code == 302, resp.content.decode()[:2000]
    assert set(Application.objects.filter(pk__in=[a.pk for a in waiting]).values_list("status", flat=True)) == {
        "approved"}
    honours = Honour.objects.filter(round=rnd)
    assert sorted(h.name for h in honours) == sorted(a.name for a in waiting)
    assert all(h.term_start == today and h.term_end.year == today.year + 2 for h in honours)

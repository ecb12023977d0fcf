"""Where selection is decided, parallel requests must not lose or double anything (issue 14 item 5):
committee members voting at the same moment, experts scoring the same candidate at once, two officers
deciding the same qualification review, two officers closing the same committee session. Real threads,
each with its own PostgreSQL connection, started together by a barrier."""
import datetime as dt
import threading

import pytest
from django.db import connections

from gongjiang.audit.models import AuditEntry
from gongjiang.core.errors import DomainError
from gongjiang.review import services
from gongjiang.review import stages as st
from gongjiang.review.models import Assignment, Ballot, CommitteeSession, Score, VoterRoll
from gongjiang.review.tests.conftest import HUIYANG_STAGES, ZHONGKAI_STAGES

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]



def race(*calls):
    """Run the calls in parallel threads released together; returns each call's outcome in order:
    "ok", or the Chinese message of the DomainError it raised (anything else fails the test)."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def fire(i, call):
        try:
            barrier.wait(timeout=20)
            call()
            outcomes[i] = "ok"
        except DomainError as e:
            outcomes[i] = e.message
        except Exception as e:  # noqa: BLE001 - reported as the outcome, so the assertion shows it
            outcomes[i] = f"unexpected {type(e).__name__}: {e}"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=fire, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return outcomes


def _session(w, make_user, n_candidates=3, n_members=6):
    rnd = w["make_round"](ZHONGKAI_STAGES)
    apps = [w["make_app"](rnd, name=f"候选人{i}") for i in range(n_candidates)]
    for a in apps:
        a.status = st.COMMITTEE
        a.save(update_fields=["status"])
    members = [make_user("committee", w["district"], password=None) for _ in range(n_members)]
    session = services.open_session(rnd, actor=w["bureau"], title="区人才工作领导小组表决", held_on=dt.date(2026, 8, 1),
                                    members=members)
    return session, apps, members


def test_parallel_ballots_all_counted_and_each_member_once(review_world, make_user):
    """仲恺 第五条（二）4 无记名投票: six members vote at once, one of them twice."""
    session, apps, members = _session(review_world, make_user)

    def vote(member, choice):
        return lambda: services.cast_ballots(CommitteeSession.objects.get(pk=session.pk), member=member,
                                             choices={a.pk: choice for a in apps})

    outcomes = race(*[vote(m, "yes" if i % 2 else "no") for i, m in enumerate(members)], vote(members[0], "abstain"))
    assert outcomes.count("ok") == len(members), outcomes
    assert [o for o in outcomes if o != "ok"] == ["您已在本次会议投票，每位委员只能投票一次"]
    assert VoterRoll.objects.filter(session=session).count() == len(members)
    assert Ballot.objects.filter(session=session).count() == len(members) * len(apps)
    assert AuditEntry.objects.filter(action="review.ballot.cast").count() == len(members)


def test_parallel_scores_one_sheet_per_expert(review_world, expert_pool):
    """Every expert of the panel scores the same candidate at once, one of them twice: five sheets,
    none lost, none doubled."""
    w = review_world
    rnd = w["make_round"](ZHONGKAI_STAGES)
    app = w["make_app"](rnd)
    app.status = st.EXPERT
    app.save(update_fields=["status"])
    services.draw(rnd, actor=w["bureau"], name="第一组", seed="concurrency", size=5)  # 仲恺 names no panel size
    assignments = list(Assignment.objects.filter(application=app, active=True).select_related("expert__user"))
    assert len(assignments) == 5

    def score(a, points):
        return lambda: services.submit_score(Assignment.objects.get(pk=a.pk), actor=a.expert.user, points=points,
                                             comment="材料详实")

    points = {"skill": 35, "results": 32, "mentoring": 15}  # 仲恺's rubric in the policy file: 40/40/20
    twice = {**points, "skill": 32}
    outcomes = race(*[score(a, points) for a in assignments], score(assignments[0], twice))
    assert outcomes == ["ok"] * 6, outcomes
    assert Score.objects.filter(assignment__application=app).count() == 5
    same = Score.objects.get(assignment=assignments[1]).total
    assert all(Score.objects.get(assignment=a).total == same for a in assignments[2:])
    assert Score.objects.get(assignment=assignments[0]).total <= same  # the first sheet or its correction
    assert AuditEntry.objects.filter(action="review.score").count() == 6


def test_parallel_qualification_decisions_only_one_counts(review_world, make_user):
    """Two officers decide the same 资格初审 (惠阳 第十条（三）) at the same moment: one decision stands,
    the other is told the application has moved on."""
    w = review_world
    app = w["make_app"](w["make_round"](HUIYANG_STAGES))
    services.accept(app, actor=w["bureau"])
    other = make_user("bureau", w["district"], password=None)

    def decide(officer, reason):
        return lambda: services.decide_qualification(app.__class__.objects.get(pk=app.pk), actor=officer,
                                                     outcome="reject", article="第十条（三）", reason=reason)

    outcomes = race(decide(w["bureau"], "不符合第七条"), decide(other, "材料不全"))
    assert outcomes.count("ok") == 1, outcomes
    assert "不能作出资格初审结论" in [o for o in outcomes if o != "ok"][0]
    assert AuditEntry.objects.filter(action="review.qualification").count() == 1


def test_parallel_session_close_counts_once(review_world, make_user):
    """Two officers close the same committee session at once: the candidates move on once."""
    session, apps, members = _session(review_world, make_user)
    for m in members:
        services.cast_ballots(session, member=m, choices={a.pk: "yes" for a in apps})
    other = make_user("bureau", review_world["district"], password=None)

    def close(officer):
        return lambda: services.close_session(CommitteeSession.objects.get(pk=session.pk), actor=officer)

    outcomes = race(close(review_world["bureau"]), close(other))
    assert outcomes.count("ok") == 1, outcomes
    closes = AuditEntry.objects.filter(object_id=str(session.pk), action__startswith="review.session")
    assert closes.filter(action__contains="close").count() == 1
    for a in apps:
        a.refresh_from_db()
        assert a.status != st.COMMITTEE

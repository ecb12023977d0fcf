"""Screening the registry against a policy: batch = single person, clause by clause; storage,
filters, cancel, invitations."""
import datetime as dt

import numpy as np
import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongjiang.core.idnumbers import make_resident_id
from gongjiang.policy.services import get_policy, load_policies
from gongjiang.registry import screening
from gongjiang.registry.models import (
    Apprenticeship, Certificate, CreditRecord, EmployerRecord, Employment, Invitation, MasterStudio, Person,
    ScreeningResult, ScreeningRun, ScreeningShard, SocialInsurancePeriod,
)
from gongjiang.registry.services import register_person
from gongjiang.web.inbox import items_for

POLICY = "huiyang-chief-technician"
REF = dt.date(2025, 1, 1)


@pytest.fixture
def world(jurisdictions, make_org, make_user):
    load_policies()
    huiyang, huicheng = jurisdictions["惠阳区"], jurisdictions["惠城区"]
    return {
        "huiyang": huiyang, "huicheng": huicheng,
        "firm": make_org("惠阳精工有限公司", parent=huiyang),
        "other": make_org("惠城电子有限公司", parent=huicheng),
        "school": make_org("惠阳技师学院", kind="institution", parent=huiyang),
        "officer": make_user("bureau", huiyang),
    }


_seq = {"n": 0}


def person(world, *, birth, jurisdiction=None, female=False, **kw):
    _seq["n"] += 1
    number = make_resident_id("441303", birth, _seq["n"] % 500, female=female)
    return register_person(name=f"测试{_seq['n']}", id_number=number,
                           jurisdiction=jurisdiction or world["huiyang"], **kw)


def eligible_person(world, birth=dt.date(1980, 5, 1)):
    p = person(world, birth=birth)
    Employment.objects.create(person=p, employer=world["firm"], jurisdiction=world["huiyang"], frontline=True,
                              start=dt.date(2020, 1, 1))
    SocialInsurancePeriod.objects.create(person=p, jurisdiction=world["huiyang"], employer=world["firm"],
                                         first_month=dt.date(2020, 1, 1), last_month=dt.date(2025, 1, 1))
    MasterStudio.objects.create(person=p, name="工作室", level=3, established_on=dt.date(2022, 1, 1))
    return p


def new_run(world, **kw):
    from gongjiang.policy.models import Policy

    return ScreeningRun.objects.create(policy=Policy.objects.get(code=POLICY), reference_date=REF,
                                       scope=world["huiyang"], created_by=world["officer"], **kw)


def run_for(world, by=screening.SCOPE, **kw):
    return screening.run_screening(new_run(world, **kw).pk, chunk=2, by=by)


def test_screening_outcomes_and_failing_clauses(world):
    """惠阳 第七条: in-district frontline post, 12 months of insurance; 第五条: no public institutions."""
    ok = eligible_person(world)
    no_insurance = person(world, birth=dt.date(1985, 1, 1))
    Employment.objects.create(person=no_insurance, employer=world["firm"], jurisdiction=world["huiyang"],
                              frontline=True, start=dt.date(2024, 6, 1))
    teacher = eligible_person(world)
    Employment.objects.filter(person=teacher).update(employer=world["school"])
    run = run_for(world)
    assert run.status == "done" and run.total == 3 and run.eligible == 1 and run.not_eligible == 2
    results = {r.person_id: r for r in ScreeningResult.objects.filter(run=run)}
    assert results[ok.pk].outcome == ScreeningResult.Outcome.ELIGIBLE and results[ok.pk].fail_mask == 0
    assert "7.insured" in screening.clauses_of_mask(run, results[no_insurance.pk].fail_mask)
    assert "5.sector" in screening.clauses_of_mask(run, results[teacher.pk].fail_mask)
    # none_of children that do not hold are never reported as failing
    assert not {"8.1", "8.3"} & set(screening.clauses_of_mask(run, results[no_insurance.pk].fail_mask))
    assert [r.person_id for r in screening.results_query(run, failing="7.insured")] == [no_insurance.pk]


def test_screening_retirement_age_boundary_on_reference_date(world):
    """法定劳动年龄 (第七条): a man born 1964-12-31 reached 60 the day before the reference date;
    one born 1965-01-01 falls under the 2025 reform (60 years and 1 month) and is still of working age."""
    boundary = eligible_person(world, birth=dt.date(1964, 12, 31))
    younger = eligible_person(world, birth=dt.date(1965, 1, 1))
    run = run_for(world)
    res = {r.person_id: r for r in ScreeningResult.objects.filter(run=run)}
    assert res[younger.pk].outcome == ScreeningResult.Outcome.ELIGIBLE
    assert res[boundary.pk].outcome == ScreeningResult.Outcome.NOT_ELIGIBLE
    assert screening.clauses_of_mask(run, res[boundary.pk].fail_mask) == ["7.age"]


def test_screening_cancelled_between_chunks(world):
    eligible_person(world)
    run = run_for(world, cancel_requested=True)
    assert run.status == "cancelled" and run.done == 0
    assert not ScreeningResult.objects.filter(run=run).exists()


def test_invite_eligible_shows_on_applicant_home(world, make_user):
    applicant = make_user("applicant")
    p = eligible_person(world)
    Person.objects.filter(pk=p.pk).update(account=applicant)
    run = run_for(world)
    assert screening.invite_eligible(run, actor=world["officer"]) == 1
    assert screening.invite_eligible(run, actor=world["officer"]) == 0  # idempotent
    assert Invitation.objects.get().person_id == p.pk
    assert any("惠阳" in i.title for i in items_for(applicant))


def test_start_screening_runs_inline_task(world, django_capture_on_commit_callbacks):
    from gongjiang.policy.models import Policy

    eligible_person(world)
    with django_capture_on_commit_callbacks(execute=True):
        run = screening.start_screening(policy=Policy.objects.get(code=POLICY), reference_date=REF,
                                        actor=world["officer"])
    run.refresh_from_db()
    assert run.status == "done" and run.eligible == 1


def test_screening_split_into_shards_by_jurisdiction(world):
    """The scope's people are partitioned by the jurisdiction where they are registered: one shard
    each (a person employed in 惠阳区 but registered in 惠城区 is in the 惠城区 shard), and every
    person's result is stored once."""
    residents = [eligible_person(world) for _ in range(3)]
    commuter = eligible_person(world)
    Person.objects.filter(pk=commuter.pk).update(jurisdiction=world["huicheng"])
    run = run_for(world, by=screening.JURISDICTION)
    shards = {s.jurisdiction.name: s for s in run.shards.select_related("jurisdiction")}
    assert {name: (s.status, s.total, s.done, s.attempt) for name, s in shards.items()} == {
        "惠阳区": ("done", 3, 3, 1), "惠城区": ("done", 1, 1, 1)}
    assert shards["惠阳区"].resume_after == max(p.pk for p in residents)
    assert run.status == "done" and run.total == run.done == 4 and run.eligible == 4
    assert sorted(ScreeningResult.objects.filter(run=run).values_list("person_id", flat=True)) == sorted(
        [p.pk for p in residents] + [commuter.pk])


def test_screening_inline_is_one_shard_of_the_whole_scope(world):
    """Run in one process, the scope is one shard (read by primary-key ranges, not jurisdiction by
    jurisdiction): every person of the scope, the commuter registered in 惠城区 included."""
    residents = [eligible_person(world) for _ in range(3)]
    commuter = eligible_person(world)
    Person.objects.filter(pk=commuter.pk).update(jurisdiction=world["huicheng"])
    run = run_for(world)
    (shard,) = run.shards.all()
    assert shard.jurisdiction is None and shard.label == "惠阳区（全部范围）"
    assert (shard.status, shard.total, shard.done, shard.resume_after) == ("done", 4, 4, commuter.pk)
    assert run.status == "done" and run.total == run.done == 4 and run.eligible == 4
    assert sorted(ScreeningResult.objects.filter(run=run).values_list("person_id", flat=True)) == sorted(
        [p.pk for p in residents] + [commuter.pk])


@pytest.mark.parametrize("alive, by_jurisdiction", [(0, False), (1, False), (2, True)])
def test_background_run_split_by_jurisdiction_only_when_workers_share_it(world, alive, by_jurisdiction):
    """The background task splits a run by jurisdiction when two or more workers are alive to
    share it; with one worker (or none: the inline backend) the whole scope is one shard."""
    from django.utils import timezone

    from gongjiang.ops.models import WorkerHeartbeat

    eligible_person(world)
    commuter = eligible_person(world)
    Person.objects.filter(pk=commuter.pk).update(jurisdiction=world["huicheng"])
    now = timezone.now()
    for i in range(alive):
        WorkerHeartbeat.objects.create(worker_id=f"w{i}", started_at=now, seen_at=now)
    WorkerHeartbeat.objects.create(worker_id="long-dead", started_at=now - dt.timedelta(days=1),
                                   seen_at=now - dt.timedelta(days=1))
    run = new_run(world)
    assert screening.workers_alive() == alive
    shard_ids = screening.plan_shards(run.pk)  # as screening_task plans, without enqueuing
    shards = {s.label: s.total for s in ScreeningShard.objects.filter(pk__in=shard_ids).select_related(
        "jurisdiction", "run__scope")}
    # a shard of the whole scope is counted when it starts (it reads the scope's keys then)
    assert shards == ({"惠阳区": 1, "惠城区": 1} if by_jurisdiction else {"惠阳区（全部范围）": 0})


def test_shard_left_running_by_a_dead_worker_is_run_again_and_audited(world):
    """A shard whose worker died (status 筛查中, attempt 1, nothing committed) runs again as attempt
    2 when its task is reclaimed; the earlier attempt is fenced out of committing anything."""
    from gongjiang.audit.models import AuditEntry
    from gongjiang.policy.models import Policy

    people = [eligible_person(world) for _ in range(3)]
    run = ScreeningRun.objects.create(policy=Policy.objects.get(code=POLICY), reference_date=REF,
                                      scope=world["huiyang"], created_by=world["officer"])
    (shard_id,) = screening.plan_shards(run.pk)
    ScreeningShard.objects.filter(pk=shard_id).update(status="running", attempt=1, worker="w-dead",
                                                      workers=["w-dead"])
    shard = screening.run_shard(shard_id, worker="w-alive", chunk=2)
    assert (shard.status, shard.attempt, shard.workers) == ("done", 2, ["w-dead", "w-alive"])
    with pytest.raises(screening.Superseded), transaction.atomic():
        screening._hold(shard_id, 1)  # the dead attempt can no longer commit a chunk
    run.refresh_from_db()
    assert run.status == "done" and run.done == 3
    assert ScreeningResult.objects.filter(run=run).count() == len(people)
    retry = AuditEntry.objects.get(action="registry.screening.shard_retry")
    assert retry.after["attempt"] == 2 and "惠阳区（全部范围）分片" in retry.reason


def test_screening_with_nobody_in_scope_is_done_at_once(world):
    run = run_for(world)
    assert run.status == "done" and run.total == 0 and not run.shards.exists()


# ---- batch and single agree, clause by clause, over random registries ----

dates = st.dates(min_value=dt.date(1955, 1, 1), max_value=dt.date(2006, 12, 31))
event_dates = st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2025, 6, 30))
person_st = st.fixed_dictionaries({
    "birth": st.one_of(dates, st.sampled_from([dt.date(1965, 1, 1), dt.date(1970, 1, 1), dt.date(1980, 2, 29)])),
    "female": st.booleans(),
    "jobs": st.lists(st.tuples(st.sampled_from(["firm", "other", "school"]), event_dates, st.booleans(),
                               st.booleans()), max_size=2),
    "insured": st.lists(st.tuples(st.sampled_from(["huiyang", "huicheng"]), event_dates,
                                  st.integers(0, 40)), max_size=2),
    "cert": st.one_of(st.none(), st.integers(1, 7)),
    "record": st.one_of(st.none(), st.sampled_from(["criminal_record", "dishonest_debtor", "misconduct"])),
    "apprentices": st.integers(0, 3),
    "studio": st.one_of(st.none(), st.integers(1, 4)),
    "verification": st.sampled_from(["unverified", "verified", "rejected"]),
})


class Rollback(Exception):
    pass


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(people=st.lists(person_st, min_size=1, max_size=5), employer_record=st.booleans())
def test_batch_equals_single_person_clause_by_clause(world, people, employer_record):
    policy = get_policy(POLICY)
    try:
        with transaction.atomic():
            if employer_record:
                EmployerRecord.objects.create(organisation=world["firm"], kind="under_investigation",
                                              start=dt.date(2024, 5, 1))
            for spec in people:
                p = person(world, birth=spec["birth"], female=spec["female"])
                for org, start, current, frontline in spec["jobs"]:
                    Employment.objects.get_or_create(
                        person=p, employer=world[org], start=start,
                        defaults={"jurisdiction": world[org].parent, "frontline": frontline,
                                  "end": None if current else start + dt.timedelta(days=400),
                                  "verification": spec["verification"]})
                for place, start, months in spec["insured"]:
                    first = dt.date(start.year, start.month, 1)
                    last_index = first.year * 12 + first.month - 1 + months
                    SocialInsurancePeriod.objects.get_or_create(
                        person=p, jurisdiction=world[place], first_month=first,
                        defaults={"last_month": dt.date(last_index // 12, last_index % 12 + 1, 1)})
                if spec["cert"]:
                    Certificate.objects.create(person=p, occupation="车工", level=spec["cert"],
                                               issued_on=dt.date(2018, 1, 1), verification=spec["verification"])
                if spec["record"]:
                    CreditRecord.objects.create(person=p, kind=spec["record"], start=dt.date(2020, 1, 1))
                for i in range(spec["apprentices"]):
                    Apprenticeship.objects.create(master=p, apprentice_name=f"徒{i}", agreement_date=dt.date(2019, 1, 1),
                                                  apprentice_is_backbone=i % 2 == 0)
                if spec["studio"]:
                    MasterStudio.objects.create(person=p, name="室", level=spec["studio"],
                                                established_on=dt.date(2021, 1, 1))
            everyone = Person.objects.all()
            facts, batch = screening.evaluate_people(policy, everyone, REF)
            ids = screening.clause_ids_of(batch)
            outcome, fail, review = screening.summarise(batch, ids)
            for i, pk in enumerate(facts.person.ref.tolist()):
                one_facts, single = screening.evaluate_people(policy, Person.objects.filter(pk=pk), REF)
                for cid, status in batch.status.items():
                    assert status[i] == single.status[cid][0], (cid, pk)
                assert batch.overall[i] == single.overall[0] and batch.automatic[i] == single.automatic[0]
                o1, f1, r1 = screening.summarise(single, ids)
                assert (outcome[i], fail[i], review[i]) == (o1[0], f1[0], r1[0])
            assert np.array_equal(outcome, screening.OUTCOME_OF_STATUS[batch.automatic])
            raise Rollback
    except Rollback:
        pass

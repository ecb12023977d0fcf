"""Secret ballot (仲恺 第五条（二）4: 采取无记名投票的方式进行表决): each member votes once per
candidate, the tally is public to the committee after counting, and nothing in the database links
a ballot to a voter — proved here by inspecting the tables themselves."""
import datetime as dt

import pytest
from django.db import connection
from django.http import Http404

from gongjiang.audit.models import AuditEntry
from gongjiang.core.errors import DomainError
from gongjiang.review import services
from gongjiang.review import stages as st
from gongjiang.review.models import Ballot, CommitteeDecision, VoterRoll
from gongjiang.review.tests.conftest import ZHONGKAI_STAGES


def _session(w, make_user, n_candidates=6, n_members=3, present=None):
    rnd = w["make_round"](ZHONGKAI_STAGES)
    apps = [w["make_app"](rnd, name=f"候选人{i}") for i in range(n_candidates)]
    for a in apps:
        a.status = st.COMMITTEE
        a.save(update_fields=["status"])
    members = [make_user("committee", w["district"], password=None) for _ in range(n_members)]
    session = services.open_session(rnd, actor=w["bureau"], title="区人才工作领导小组表决", held_on=dt.date(2026, 8, 1),
                                    members=members, present=present(members) if present else None)
    return session, apps, members


def _runs(seq):
    return 1 + sum(1 for a, b in zip(seq, seq[1:]) if a != b)


@pytest.mark.django_db(transaction=True)
def test_ballot_rows_cannot_be_linked_to_voters_at_database_level(review_world, make_user):
    """Three members cast sheets with distinct patterns (all 同意 / all 不同意 / all 弃权), each in its
    own committed transaction. Then, reading the raw tables:
    - the ballot table has only id, session, candidate and choice: no voter, no time, no sequence;
      its only foreign keys are to the session and the candidate;
    - the ids are random (UUID version 4), and neither id order nor physical row order (SQLite
      rowid / PostgreSQL ctid) keeps each sheet's ballots together;
    - on PostgreSQL every ballot row carries the same inserting transaction (xmin), while the
      voter roll rows carry three different ones — so xmin cannot join them either;
    - the audit log records that a member voted, never what."""
    w = review_world
    session, apps, members = _session(w, make_user)
    patterns = ["yes", "no", "abstain"]
    for member, choice in zip(members, patterns):
        services.cast_ballots(session, member=member, choices={a.pk: choice for a in apps})

    table = Ballot._meta.db_table
    with connection.cursor() as cur:
        columns = {c.name for c in connection.introspection.get_table_description(cur, table)}
        relations = connection.introspection.get_relations(cur, table)
        assert columns == {"id", "session_id", "application_id", "choice"}
        assert {target for _col, (_tcol, target) in relations.items()} == {
            "review_committeesession", "applications_application"}
        if connection.vendor == "postgresql":
            cur.execute(f"SELECT choice FROM {table} ORDER BY ctid")
        else:
            cur.execute(f"SELECT choice FROM {table} ORDER BY rowid")
        physical = [r[0] for r in cur.fetchall()]
        cur.execute(f"SELECT id, choice FROM {table} ORDER BY id")
        by_id = cur.fetchall()
        if connection.vendor == "postgresql":
            cur.execute(f"SELECT count(DISTINCT xmin::text) FROM {table}")
            assert cur.fetchone()[0] == 1
            cur.execute(f"SELECT count(DISTINCT xmin::text) FROM {VoterRoll._meta.db_table}")
            assert cur.fetchone()[0] == 3
    assert sorted(physical) == sorted(patterns * len(apps))
    # A sheet kept together would give 3 runs; a fresh shuffle of 18 gives 3 runs with p < 4e-7.
    assert _runs(physical) > 3
    assert _runs([c for _id, c in by_id]) > 3
    assert {Ballot.objects.model._meta.pk.to_python(i).version for i, _ in by_id} == {4}
    # The voter roll knows who voted, and nothing else.
    assert {c.name for c in connection.introspection.get_table_description(
        connection.cursor(), VoterRoll._meta.db_table)} == {"id", "session_id", "member_id"}
    for entry in AuditEntry.objects.filter(action="review.ballot.cast"):
        assert entry.after == {"voted": True}
        assert not any(p in str(entry.before) + str(entry.after) + entry.reason for p in ("yes", "no\"", "abstain"))


@pytest.mark.django_db
def test_ballot_each_member_votes_once(review_world, make_user):
    session, apps, members = _session(review_world, make_user, n_candidates=2)
    services.cast_ballots(session, member=members[0], choices={a.pk: "yes" for a in apps})
    with pytest.raises(DomainError) as e:
        services.cast_ballots(session, member=members[0], choices={a.pk: "no" for a in apps})
    assert "只能投票一次" in e.value.message
    assert Ballot.objects.filter(session=session).count() == 2


@pytest.mark.django_db
def test_ballot_sheet_must_cover_every_candidate(review_world, make_user):
    session, apps, members = _session(review_world, make_user, n_candidates=2)
    with pytest.raises(DomainError):
        services.cast_ballots(session, member=members[0], choices={apps[0].pk: "yes"})
    assert not VoterRoll.objects.exists()  # nothing recorded: the transaction rolled back


@pytest.mark.django_db
def test_ballot_by_non_member_is_404(review_world, make_user):
    session, apps, members = _session(review_world, make_user, n_candidates=1)
    outsider = make_user("committee", review_world["district"], password=None)
    with pytest.raises(Http404):
        services.cast_ballots(session, member=outsider, choices={apps[0].pk: "yes"})
    with pytest.raises(Http404):
        services.session_for_member(outsider, session.pk)


@pytest.mark.django_db
def test_ballot_absent_member_cannot_vote(review_world, make_user):
    session, apps, members = _session(review_world, make_user, n_candidates=1, present=lambda m: m[:2])
    with pytest.raises(DomainError):
        services.cast_ballots(session, member=members[2], choices={apps[0].pk: "yes"})


@pytest.mark.django_db
def test_ballot_tally_threshold_more_than_half_present(review_world, make_user, django_capture_on_commit_callbacks):
    """Default and 仲恺 file: 同意票超过到会委员半数. 4 members present: 3 yes passes, 2 yes does not."""
    session, apps, members = _session(review_world, make_user, n_candidates=2, n_members=4)
    a, b = apps
    sheets = [{a.pk: "yes", b.pk: "yes"}, {a.pk: "yes", b.pk: "no"}, {a.pk: "yes", b.pk: "abstain"},
              {a.pk: "no", b.pk: "no"}]
    for m, sheet in zip(members, sheets):
        services.cast_ballots(session, member=m, choices=sheet)
    assert services.progress(session)["voted"] == 4
    services.close_session(session, actor=review_world["bureau"])
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.status == st.PASSED and b.status == st.COMMITTEE_REJECTED
    d = CommitteeDecision.objects.get(application=b)
    assert (d.yes, d.no, d.abstain) == (1, 2, 1)
    assert "超过到会委员半数" in d.reason
    with pytest.raises(DomainError):
        services.cast_ballots(session, member=members[0], choices=sheets[0])

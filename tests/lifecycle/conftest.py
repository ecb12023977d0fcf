"""Drivers for the end-to-end lifecycle tests: one full selection per seed policy, through the
services only (rounds -> applications -> review -> notices), on the real database.

"Today" is the project-wide `clock` fixture (Monday 2026-11-23, China time); notice periods are
real 2026 working days (gongjiang.workdays). Every driver acts as the role the policy names."""
import datetime as dt
import itertools

import pytest

from gongjiang.applications import services as app_services
from gongjiang.applications.models import Application, Route
from gongjiang.review import experts, notice_link
from gongjiang.review import services as review
from gongjiang.review import stages as st
from gongjiang.rounds.tests.factories import DEED, complete_facts, open_round, pdf_upload

_ids = itertools.count(1)


class World:
    """One round of a seed policy with its officers, an expert pool and committee members."""

    def __init__(self, *, policy_code, district, make_user, make_org, clock, experts=5, members=3, **round_kw):
        self.clock, self.district, self.make_user, self.make_org = clock, district, make_user, make_org
        self.bureau = make_user("bureau", district, password=None)
        self.round = open_round(policy_code=policy_code, organiser=district, actor=self.bureau,
                                code=f"life-{policy_code}", **round_kw)
        self.employer_org = make_org(parent=district, name=f"{district.name}示范制造有限公司")
        self.employer = make_user("employer", self.employer_org, password=None)
        self.experts = [review.create_expert(
            actor=self.bureau, name=f"专家{i}", pool=district, occupations=["车工", "焊工"],
            employer=make_org(parent=district), user=make_user("expert", district, password=None))
            for i in range(experts)]
        self.members = [make_user("committee", district, password=None) for _ in range(members)]

    @property
    def procedure(self):
        return st.Procedure.for_round(self.round)

    # ---------------------------------------------------------------- applications

    def person(self, name, *, account=None, birth=None):
        from gongjiang.core.idnumbers import make_resident_id
        from gongjiang.registry.services import register_person

        n = next(_ids)
        return register_person(name=name, jurisdiction=self.district, account=account,
                               id_number=make_resident_id("441303", birth or dt.date(1980, 5, 1 + n % 27), 200 + n,
                                                          female=False))

    def nominate(self, name, *, birth=None, **extra_facts) -> Application:
        """Employer route (惠阳、环翠、仲恺 单位推荐): the employer opens, fills and submits, then gives
        its opinion on the facts (惠阳 第十条（二）). extra_facts replace parts of the standard facts;
        `birth` is the registry person's date of birth (by default in May 1980)."""
        person = self.person(name, birth=birth)
        app = app_services.start(round=self.round, actor=self.employer, route=Route.EMPLOYER, person=person,
                                 employer=self.employer_org)
        self.fill_and_submit(app, actor=self.employer, **extra_facts)
        app_services.verify_by_employer(app, actor=self.employer, opinion="经审核，申报材料属实，同意推荐。")
        app.refresh_from_db()
        return app

    def self_apply(self, name) -> Application:
        """Self route (个人自荐): the applicant's own account."""
        user = self.make_user("applicant", display_name=name, password=None)
        self.person(name, account=user)
        app = app_services.start(round=self.round, actor=user, route=Route.SELF)
        self.fill_and_submit(app, actor=user)
        app.refresh_from_db()
        return app

    def fill_and_submit(self, app, *, actor, **extra_facts):
        """A complete application of a 技师 at the round's employer, with two apprentices who became
        backbone workers (环翠 第七条（四）、聊城 基本条件2), the evidence uploads and the commitment."""
        facts = complete_facts(app.name, employer=self.employer_org)
        facts["apprentices"] = [{"name": f"{app.name}徒弟{i}", "backbone": True, "competition": True, "level": 4}
                                for i in (1, 2)]
        facts.update(extra_facts)
        unit = app.unit or self.round.units.order_by("pk").first()  # the applicant picks the unit
        app_services.save_draft(app, actor=actor, facts=facts, deed_text=DEED, unit=unit)
        for m in self.round.materials:
            if m.get("upload") and m.get("required"):
                app_services.attach_evidence(app, actor=actor, file=pdf_upload(), material=m["code"])
        app_services.submit(app, actor=actor, commitment_name=app.name)

    # ---------------------------------------------------------------- review stages

    def accept_all(self, apps):
        for app in apps:
            review.accept(app, actor=self.bureau)

    def qualify(self, app):
        clauses = review.clauses_to_attest(review.clause_results(app))
        review.decide_qualification(app, actor=self.bureau, outcome="pass", attestations={
            c["id"]: {"met": True, "note": "经审核申报材料及单位意见，符合该项条件"} for c in clauses})

    def inspect(self, app):
        review.record_inspection(app, actor=self.bureau, visited_on=self.clock.now.date(), visitors="评选委员会考察组",
                                 employer_opinion="该同志长期在一线岗位工作，同意推荐", findings="现场核实技能水平与申报一致",
                                 outcome="pass")

    def expert_review(self, apps, scores):
        """Form the panel as the policy says, every assessor scores, close with the policy's aggregation."""
        self.form_panel()
        return self.score_and_close(scores)

    def form_panel(self):
        """Compose the panel where the policy gives it to a body (惠阳 第九条 评选委员会负责组建专家组;
        聊城 三 组织7名以上专家: `random_draw: false`), with the policy's minimum of the round's
        experts; otherwise draw it at random (seed stored, the auditor's re-run agrees)."""
        rnd = self.round
        if self.procedure.require(st.EXPERT).random_draw is False:
            minimum, _article = experts.minimum_size(rnd)
            panel = experts.compose_panel(rnd, actor=self.bureau, name="专家组", experts=self.experts[:minimum])
        else:
            panel = review.draw(rnd, actor=self.bureau, name="专家组", seed=f"seed-{rnd.pk}", size=5)
        assert review.rerun_draw(panel)
        return panel

    def score_and_close(self, scores):
        """Every active assessor scores (share of each criterion's maximum), then close."""
        rnd = self.round
        rubric = review.rubric_for(rnd)
        from gongjiang.review.models import Assignment

        open_assignments = Assignment.objects.filter(panel__round=rnd, panel__closed_at__isnull=True, active=True)
        for assignment in open_assignments.select_related("expert__user", "application"):
            share = scores[assignment.application_id]
            points = {c.code: int(round(float(c.max_points) * share)) for c in rubric.criteria}
            review.submit_score(assignment, actor=assignment.expert.user, points=points, comment="业绩突出，技能过硬")
        return review.close_expert_review(rnd, actor=self.bureau)

    def credit_check(self, app):
        review.request_credit(app, actor=self.bureau, letter_number="惠阳人社函〔2026〕1号")
        for req in app.credit_requests.all():
            review.record_credit_opinion(req, actor=self.bureau, answered_on=self.clock.now.date(), finding="clear")

    def committee(self, *, reject=()):
        """审定 (open decision) or 认定 by secret ballot, as the stage says."""
        session = review.open_session(self.round, actor=self.bureau, title="评审委员会会议",
                                      held_on=self.clock.now.date(), members=self.members)
        candidates = list(session.candidates.all())
        if session.mode == "secret":
            for member in self.members:
                review.cast_ballots(session, member=member,
                                    choices={str(a.pk): ("no" if a in reject else "yes") for a in candidates})
            return review.close_session(session, actor=self.bureau)
        return review.close_session(session, actor=self.bureau, decisions={
            a.pk: ({"outcome": "rejected", "reason": "综合评议未获通过"} if a in reject else {"outcome": "approved"})
            for a in candidates})

    # ---------------------------------------------------------------- notice, objection, approval

    def publish(self, **kw):
        return notice_link.publish_shortlist(self.round, actor=self.bureau,
                                             contact="人社局人才科，电话0752-3333333", **kw)

    def object_to(self, notice, app, *, upheld):
        from gongjiang.notices import services as notices

        entry = notice.entries.get(application=app)
        objection = notices.file_objection(notice, entry=entry, text="该人选申报的竞赛获奖情况与事实不符，请核查。",
                                           filer_name="王某", filer_contact="13800000000",
                                           client_address="203.0.113.7")
        if upheld:
            return notices.conclude_objection(objection, actor=self.bureau, conclusion="upheld",
                                              findings="经核实，竞赛获奖证书系伪造。",
                                              public_reason="经核实，申报材料与事实不符")
        return notices.conclude_objection(objection, actor=self.bureau, conclusion="not_upheld",
                                          findings="经核实，获奖证书真实有效，异议不成立。")

    def after_period(self, notice):
        """Move the clock to the first day after the notice period."""
        self.clock.set(notice.end_date + dt.timedelta(days=1))

    def approve(self, notice, number):
        from gongjiang.notices import services as notices

        return notices.record_approval(notice, actor=self.bureau, kind="approve", authority="人力资源和社会保障局",
                                       document_number=number, decided_on=self.clock.now.date())

    # ---------------------------------------------------------------- checks

    @staticmethod
    def statuses(apps):
        return {a.name: Application.objects.get(pk=a.pk).status for a in apps}

    @staticmethod
    def assert_audited(apps):
        """Every status an application went through has its audit entry (who, from, to, why), and the
        hash chain of the whole log verifies."""
        from gongjiang.audit.models import AuditEntry
        from gongjiang.audit.services import verify

        for app in apps:
            entries = AuditEntry.objects.filter(object_type__endswith="application", object_id=str(app.pk))
            seen = [e.after.get("status") for e in entries.order_by("pk") if e.after and "status" in e.after]
            app.refresh_from_db()
            assert seen and seen[-1] == app.status, (app.name, seen, app.status)
            assert len(seen) == len(set(seen)), (app.name, seen)
        assert verify().ok


@pytest.fixture
def world(jurisdictions, make_user, make_org, clock, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    def make(policy_code, district_name, **kw):
        return World(policy_code=policy_code, district=jurisdictions[district_name], make_user=make_user,
                     make_org=make_org, clock=clock, **kw)

    return make

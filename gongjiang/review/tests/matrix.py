"""Permission-matrix samples for the review pages: a round of 惠阳区 in expert review with a panel
assigned to the matrix expert, and a secret-ballot session with the matrix committee member."""
import datetime as dt

from gongjiang.review import services
from gongjiang.review import stages as st
from gongjiang.review.tests.conftest import HUIYANG_STAGES
from gongjiang.review.tests.factories import make_application, make_policy, make_round

LOGIN_ONLY = {
    "review:my_application": "an applicant's or employer's own application only (404 for anyone else)",
}


def samples(ctx):
    from gongjiang.applications.models import Evidence
    from gongjiang.applications.uploads import upload_root

    bureau, district = ctx.users["bureau"], ctx.district
    stages = [s if s["kind"] != "committee_decision" else {**s, "ballot": "secret"} for s in HUIYANG_STAGES]
    rnd = make_round(make_policy(district), district, stages)
    app = make_application(rnd, district, ctx.employer, name="矩阵评审申报人", status=st.EXPERT)
    others = [ctx.make_org(parent=district) for _ in range(5)]
    experts = [services.create_expert(actor=bureau, name="矩阵专家", pool=district, occupations=["焊工"],
                                      employer=others[0], user=ctx.users["expert"])]
    experts += [services.create_expert(actor=bureau, name=f"矩阵外聘专家{i}", pool=district, occupations=["焊工"],
                                       employer=others[i]) for i in range(1, 5)]
    from gongjiang.review import experts as ex

    # 惠阳 第九条: 评选委员会负责组建专家组 (random_draw: false) — the panel is composed.
    panel = ex.compose_panel(rnd, actor=bureau, name="矩阵专家组", experts=experts, applications=[app])
    rel = "review/matrix/evidence.pdf"
    path = upload_root() / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"%PDF-1.4\n%%EOF\n")
    ev = Evidence.objects.create(application=app, material="deed", material_label="事迹材料", name="事迹.pdf",
                                 kind="pdf", content_type="application/pdf", size=15, sha256="0" * 64,
                                 path=rel, uploaded_by=bureau)
    voting = make_application(rnd, district, ctx.employer, name="矩阵表决候选人", status=st.COMMITTEE)
    session = services.open_session(rnd, actor=bureau, title="矩阵表决会议", held_on=dt.date(2026, 8, 1),
                                    members=[ctx.users["committee"]], candidates=[voting])
    ctx.protect(app.name, voting.name, app.deed_text)
    return {**expert_samples(ctx, rnd=rnd, app=app, expert=experts[0], panel=panel),
        "review:board": {"round_id": rnd.pk},
        "review:draw": {"round_id": rnd.pk},
        "review:results": {"round_id": rnd.pk},
        "review:open_session": {"round_id": rnd.pk},
        "review:publish_notice": {"round_id": rnd.pk},
        "review:advance_after_notice": {"round_id": rnd.pk},
        "review:forwarding": {"round_id": rnd.pk},
        "review:application": {"application_id": app.pk},
        "review:accept": {"application_id": app.pk},
        "review:panel": {"panel_id": panel.pk},
        "review:paper_score": {"assignment_id": panel.assignments.filter(application=app).first().pk},
        "review:add_panel_member": {"panel_id": panel.pk},
        "review:manage_session": {"session_id": session.pk},
        "review:expert_candidate": {"application_id": app.pk},
        "review:expert_evidence": {"application_id": app.pk, "evidence_id": ev.pk},
        "review:session": {"session_id": session.pk},
        "review:my_application": {"application_id": app.pk},
    }


def expert_samples(ctx, *, rnd, app, expert, panel):
    """Samples of the expert pool pages, the composition page and the review API: the matrix
    expert (pool 惠阳区) with a declared relation, and the expert's assigned candidate."""
    from gongjiang.core.idnumbers import make_resident_id
    from gongjiang.registry.services import register_person
    from gongjiang.review import experts as ex

    relative = register_person(name="矩阵专家亲属", jurisdiction=ctx.district,
                               id_number=make_resident_id("441303", dt.date(1975, 2, 3), 321, female=True))
    rel = ex.declare_person_relation(expert, actor=ctx.users["bureau"], person=relative, kind="relative")
    ctx.protect(relative.name)
    return {
        "review:expert_detail": {"expert_id": expert.pk},
        "review:expert_active": {"expert_id": expert.pk},
        "review:expert_relation_add": {"expert_id": expert.pk},
        "review:expert_relation_remove": {"expert_id": expert.pk, "relation_id": rel.pk},
        "review:compose": {"round_id": rnd.pk},
        "GET /api/review/assignments/{application_id}": {"application_id": app.pk},
        "POST /api/review/assignments/{application_id}/score": {"application_id": app.pk},
        "GET /api/review/panels/{panel_id}": {"panel_id": panel.pk},
        "GET /api/review/rounds/{round_id}/board": {"round_id": rnd.pk},
    }

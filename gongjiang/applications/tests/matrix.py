"""Permission-matrix samples for applications: one submitted application every holder of
application.view can see (the applicant's own, employed at ctx.employer, routed through a unit
at ctx.district of a round organised there), with a stored evidence file; and a round under the
Huancui policy (competition-winner route, 环翠 第十条（二）) organised at ctx.district with a unit
there, with a registry person in ctx.district holding a competition placement."""


def samples(ctx):
    from gongjiang.applications import services
    from gongjiang.applications.models import Application, Route
    from gongjiang.rounds import services as round_services
    from gongjiang.rounds.tests.factories import open_round, ready_application

    bureau, applicant = ctx.users["bureau"], ctx.users["applicant"]
    rnd = open_round(policy_code="test-self-route", organiser=ctx.district, actor=bureau,
                     code="matrix-applications", title="矩阵申报批次")
    unit = round_services.set_unit(rnd, organisation=ctx.district, kind="unit", quota=5, actor=bureau)
    app = services.start(round=rnd, actor=applicant, route=Route.SELF, unit=unit)
    Application.objects.filter(pk=app.pk).update(employer=ctx.employer, name="矩阵机密申报人")
    app.refresh_from_db()
    ready_application(app, actor=applicant)
    ctx.protect("矩阵机密申报人", app.serial)
    pk = {"pk": app.pk}
    return {
        "applications:detail": pk, "applications:edit": pk, "applications:form_pdf": pk,
        "applications:file": {"pk": app.pk, "file_pk": app.evidence.first().pk},
        "applications:unit": {"pk": unit.pk}, "applications:unit_report_pdf": {"pk": unit.pk},
        "GET /api/applications/{pk}": pk, "GET /api/applications/{pk}/history": pk,
        "GET /api/applications/{pk}/eligibility": pk, "POST /api/applications/{pk}/forward": pk,
        **competition_samples(ctx),
    }


def competition_samples(ctx):
    import datetime as dt

    from gongjiang.core.idnumbers import make_resident_id
    from gongjiang.registry.models import CompetitionResult
    from gongjiang.registry.services import register_person
    from gongjiang.rounds import services as round_services
    from gongjiang.rounds.tests.factories import open_round

    bureau = ctx.users["bureau"]
    rnd = open_round(policy_code="huancui-chief-technician", organiser=ctx.district, actor=bureau,
                     code="matrix-competition", title="矩阵竞赛优胜者批次")
    round_services.set_unit(rnd, organisation=ctx.district, kind="unit", quota=5, actor=bureau)
    person = register_person(name="矩阵竞赛冠军", id_number=make_resident_id("441303", dt.date(1984, 3, 3), 71, female=False),
                             jurisdiction=ctx.district, actor=bureau, source="registry")
    CompetitionResult.objects.create(person=person, name="矩阵机密技能大赛", level=4, klass=1, rank=1,
                                     held_on=dt.date(2025, 6, 1), source="registry", verification="verified")
    ctx.protect("矩阵竞赛冠军", "矩阵机密技能大赛")
    return {"applications:competition": {"round_pk": rnd.pk}}

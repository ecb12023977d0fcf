"""Registry entries of the permission matrix (tests/test_permission_matrix.py): a person registered
in 惠阳区 and currently employed by the matrix employer (so every officer holding registry.view or
registry.edit sees them), one certificate, an import batch and a finished screening run; and a former
employee that nobody here may see any more (`out_of_scope`)."""
import datetime as dt

from gongjiang.core.idnumbers import make_resident_id

LOGIN_ONLY = {
    "registry:my_record": "the applicant's own registry record (404 without a linked person)",
    "registry:person_reveal": "POST; owner or registry.full_id in scope, checked inside (404 otherwise)",
    "registry:invitation_detail": "the invited person, or a screener whose scope holds the run (404 otherwise)",
    "registry:invitation_dismiss": "POST; only the invited person's own invitation (404 otherwise)",
}


def samples(ctx):
    from gongjiang.policy.models import Policy
    from gongjiang.policy.services import load_policies
    from gongjiang.registry.models import (
        Certificate,
        EmployerAttribute,
        Employment,
        ImportBatch,
        ScreeningResult,
        ScreeningRun,
    )
    from gongjiang.registry.services import register_person

    person = register_person(name="矩阵保密人员", id_number=make_resident_id("441303", dt.date(1981, 4, 2), 77, female=False),
                             jurisdiction=ctx.district)
    Employment.objects.create(person=person, employer=ctx.employer, jurisdiction=ctx.district,
                              start=dt.date(2015, 1, 1))
    cert = Certificate.objects.create(person=person, occupation="矩阵工种", level=5, issued_on=dt.date(2019, 1, 1))
    ctx.protect(person.name, person.id_number_masked, "矩阵工种")
    bureau = ctx.users["bureau"]
    batch = ImportBatch.objects.create(kind="people", file_name="matrix.csv", file_sha256="0" * 64,
                                       jurisdiction=ctx.district, created_by=bureau)
    load_policies()
    run = ScreeningRun.objects.create(policy=Policy.objects.get(code="huiyang-chief-technician"),
                                      reference_date=dt.date(2025, 1, 1), scope=ctx.district, created_by=bureau,
                                      status=ScreeningRun.Status.DONE, total=1, done=1, eligible=1)
    ScreeningResult.objects.create(run=run, person=person, outcome=ScreeningResult.Outcome.ELIGIBLE)
    designation = EmployerAttribute.objects.create(organisation=ctx.employer, attribute="high_tech_enterprise")
    p, b, r = {"pk": person.pk}, {"pk": batch.pk}, {"pk": run.pk}
    d = {"org_pk": ctx.employer.pk, "fact_pk": designation.pk}
    fact = {"pk": person.pk, "kind": "certificate", "fact_pk": cert.pk}
    return {
        "registry:person_detail": p,
        "registry:fact_add": {"pk": person.pk, "kind": "certificate"},
        "registry:fact_edit": fact,
        "registry:fact_withdraw": fact,
        "registry:fact_verify": fact,
        "registry:designations": {"org_pk": ctx.employer.pk},
        "registry:designation_add": {"org_pk": ctx.employer.pk},
        "registry:designation_edit": d,
        "registry:designation_withdraw": d,
        "registry:designation_verify": d,
        "registry:import_template": {"kind": "people"},
        "registry:import_detail": b,
        "registry:import_commit": b,
        "registry:import_discard": b,
        "registry:screening_detail": r,
        "registry:screening_export": r,
        "registry:screening_cancel": r,
        "registry:screening_invite": r,
        "registry:screening_person": {"pk": run.pk, "person_pk": person.pk},
        "registry:screening_invite_person": {"pk": run.pk, "person_pk": person.pk},
        "GET /api/registry/people/{pk}": p,
        "POST /api/registry/people/{pk}/facts/{kind}": {"pk": person.pk, "kind": "certificate"},
        "POST /api/registry/people/{pk}/facts/{kind}/{fact_id}/verify":
            {"pk": person.pk, "kind": "certificate", "fact_id": cert.pk},
        "GET /api/registry/screening/{pk}": r,
        "POST /api/registry/screening/{pk}/cancel": r,
        "GET /api/registry/screening/{pk}/results": r,
    }


def out_of_scope(ctx):
    """A former employee: worked at the matrix employer until 2019, lives in 环翠区 now, applies nowhere
    here. No officer of 惠阳区, 惠州市 or the employer may see, reveal or add facts to them (the permission
    matrix checks every role on every page and API operation below: denied, or no trace in the body)."""
    from gongjiang.registry.models import Certificate, Employment
    from gongjiang.registry.services import register_person

    person = register_person(name="矩阵离职人员", id_number=make_resident_id("371002", dt.date(1979, 8, 9), 55, female=True),
                             jurisdiction=ctx.jurisdictions["环翠区"])
    Employment.objects.create(person=person, employer=ctx.employer, jurisdiction=ctx.district,
                              start=dt.date(2010, 1, 1), end=dt.date(2019, 6, 30))
    cert = Certificate.objects.create(person=person, occupation="离职工种", level=5, issued_on=dt.date(2018, 1, 1))
    p = {"pk": person.pk}
    fact = {"pk": person.pk, "kind": "certificate", "fact_pk": cert.pk}
    markers = {person.name, person.id_number_masked, "离职工种"}
    return markers, {
        "registry:person_list": {},
        "registry:person_export": {},
        "registry:person_detail": p,
        "registry:person_reveal": p,
        "registry:fact_add": {"pk": person.pk, "kind": "certificate"},
        "registry:fact_edit": fact,
        "registry:fact_verify": fact,
        "GET /api/registry/people": {},
        "GET /api/registry/people/{pk}": p,
        "POST /api/registry/people/{pk}/facts/{kind}": {"pk": person.pk, "kind": "certificate"},
        "POST /api/registry/people/{pk}/facts/{kind}/{fact_id}/verify":
            {"pk": person.pk, "kind": "certificate", "fact_id": cert.pk},
    }

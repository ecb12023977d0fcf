"""Permission-matrix samples: a 惠阳 holder with an entitlement, an exported batch, a held line,
a training-subsidy claim under a copy of the 仲恺 policy placed at the matrix district, a revoked
holder's receivable and an entitlement waiting for its renewal (环翠-style gate)."""

LOGIN_ONLY = {}


def samples(ctx):
    import datetime as dt

    from django.utils import timezone

    from gongjiang.core.idnumbers import make_resident_id
    from gongjiang.payments import services
    from gongjiang.payments.models import LineStatus
    from gongjiang.policy.models import Policy
    from gongjiang.policy.services import load_policies
    from gongjiang.registry.models import Certificate, Employment
    from gongjiang.registry.services import register_person

    load_policies()
    finance, second = ctx.users["finance"], ctx.make_user("finance", ctx.district)
    person = register_person(name="矩阵待遇人", jurisdiction=ctx.district,
                             id_number=make_resident_id("441303", dt.date(1984, 2, 3), 71, female=False))
    ctx.protect(person.name, person.id_number_masked)
    Employment.objects.create(person=person, employer=ctx.employer, jurisdiction=ctx.district,
                              start=dt.date(2010, 1, 1))
    services.set_payee_account(person, kind="social_security_card", bank="矩阵银行", number="6222000099998888",
                               actor=finance)
    huiyang = Policy.objects.get(code="huiyang-chief-technician")
    services.create_entitlements(person=person, policy=huiyang, honour_code="chief-technician",
                                 source_key="matrix:1", start=dt.date(2026, 3, 1), actor=finance)
    services.set_budget(policy=huiyang, year=2026, amount_fen=10_000_000, actor=finance)
    run = services.compute_run(organisation=ctx.district, period_kind="year", year=2026, actor=finance)
    services.prepare_run(run, actor=second)
    services.approve_run(run, actor=finance)
    services.export_bank_file(run, fmt="csv", actor=finance)
    line = run.lines.get(entitlement__source_key="matrix:1")
    held = services.compute_run(organisation=ctx.district, period_kind="year", year=2027, actor=finance)
    held.lines.update(status=LineStatus.HELD, reason="暂缓发放：所在单位被有关部门立案调查，尚未有明确结论（第十一条）")

    zk = Policy.objects.get(code="zhongkai-skilled-talent")
    copy, _ = Policy.objects.get_or_create(code="matrix-subsidy", defaults={
        "title": "矩阵补贴政策", "jurisdiction": ctx.district, "sha256": zk.sha256, "source": zk.source,
        "document": zk.document, "loaded_at": timezone.now()})
    cert = Certificate.objects.create(person=person, occupation="钳工", level=4, kind="qualification",
                                      issued_on=dt.date(2015, 6, 1))
    claim = services.submit_subsidy(person=person, policy=copy, honour_code="subsidy-technician", certificate=cert,
                                    training="矩阵培训", actor=ctx.users["bureau"], route="bureau")
    from gongjiang.honours.tests.factories import approve_candidates
    from gongjiang.payments.models import Entitlement, Receivable
    from gongjiang.rounds.tests.factories import open_round

    rnd = open_round(policy_code="huiyang-chief-technician", organiser=ctx.district, actor=ctx.users["bureau"],
                     code="matrix-payments")
    [honour] = approve_candidates(rnd, ["矩阵撤销人"], actor=ctx.users["bureau"], district=ctx.district,
                                  decided_on=dt.date(2026, 3, 2), employer=ctx.employer)
    ctx.protect("矩阵撤销人")
    receivable = Receivable.objects.create(person=honour.person, honour=honour, article="第十八条",
                                           document_number="矩阵〔2026〕1号", items="证书、津贴补助",
                                           since=dt.date(2026, 3, 2), amount_fen=500000)
    gated = Entitlement.objects.create(person=person, policy=huiyang, honour_code="chief-technician",
                                       benefit_id="allowance", source_key="matrix:gated", name="津贴补助",
                                       article="第十二条（一）", schedule="monthly", amount_fen=50000, instalments=24,
                                       first_due=dt.date(2026, 1, 1), gated_from=13)
    run_kw = {"pk": run.pk}
    return {
        "payments:run": run_kw, "payments:run_prepare": {"pk": held.pk}, "payments:run_approve": {"pk": held.pk},
        "payments:run_cancel": {"pk": held.pk}, "payments:run_requeue": run_kw, "payments:run_import": run_kw,
        "payments:run_bank_file": {"pk": run.pk, "fmt": "csv"}, "payments:run_lines_export": run_kw,
        "payments:line_refuse": {"pk": held.lines.first().pk if held.lines.exists() else line.pk},
        "payments:person": {"pk": person.pk}, "payments:subsidy": {"pk": claim.pk},
        "payments:receivable": {"pk": receivable.pk}, "payments:renewal": {"pk": gated.pk},
        "GET /api/payments/runs/{run_id}": {"run_id": run.pk},
        "GET /api/payments/runs/{run_id}/lines": {"run_id": run.pk},
    }

"""Payments demo data (idempotent), as `payments` of gongjiang/core/data/demo.yaml gives it: budgets
for this year, a training-and-assessment subsidy approved and one waiting, finance officers with a
month's batch waiting for the second officer's approval, a payee account for the demo applicant, and
the entitlements, stops and receivables of any honour holders already in the database
(honours_link.sync)."""
from django.db import transaction
from django.utils import timezone

from gongjiang.accounts.demo import DEMO_PASSWORD, ensure_employer
from gongjiang.accounts.models import Organisation, User
from gongjiang.accounts.services import create_user
from gongjiang.core.demo_data import section
from gongjiang.core.idnumbers import make_resident_id
from gongjiang.policy.models import Policy
from gongjiang.registry.models import Certificate, Employment, Person
from gongjiang.registry.services import find_person_by_id_number, register_person

from . import services
from .models import Budget, PaymentRun, SubsidyClaim

DATA = section("payments")


def _user(username, org_name, display):
    user = User.objects.filter(username=username).first()
    return user or create_user(username=username, role="finance", organisation=Organisation.objects.get(name=org_name),
                               display_name=display, password=DEMO_PASSWORD, reason="演示数据")


def _worker(n, name, born, spec, place, employer, actor):
    id_number = make_resident_id(spec["id_region"], born, 600 + n, female=n % 2 == 1)
    person = find_person_by_id_number(id_number)
    if person is None:
        person = register_person(name=name, id_number=id_number, jurisdiction=place, source="registry",
                                 verification="verified", reason="演示数据")
        Employment.objects.create(person=person, employer=employer, jurisdiction=place, post=spec["post"],
                                  start=spec["employed_from"], source="imported", verification="verified")
        services.set_payee_account(person, kind="social_security_card", bank=spec["bank"],
                                   number=f"62270000{person.pk:010d}", actor=actor, reason="演示数据")
    return person


@transaction.atomic
def seed(stdout=None):
    say = (lambda m: stdout.write(m + "\n")) if stdout else (lambda m: None)
    finance = [_user(*f) for f in DATA["finance"]]
    by_login = {u.username: u for u in finance}
    subsidy = DATA["subsidy"]
    bureau = User.objects.filter(username=subsidy["bureau"]).first()
    year = timezone.localdate().year
    for code, amount in DATA["budgets"].items():
        policy = Policy.objects.filter(code=code).first()
        if policy and not Budget.objects.filter(policy=policy, year=year).exists():
            services.set_budget(policy=policy, year=year, amount_fen=amount, actor=finance[0], note="演示预算")
    place = Organisation.objects.get(name=subsidy["organisation"])
    employer, _ = ensure_employer(subsidy["employer"], place)
    policy = Policy.objects.filter(code=subsidy["policy"]).first()
    if policy and bureau:
        codes = {level: code for code, _, level, _ in services.subsidy_items(policy)}
        cert_spec = subsidy["certificate"]
        for n, (name, born, level, training, approve) in enumerate(subsidy["workers"]):
            person = _worker(n, name, born, subsidy, place, employer, finance[0])
            if SubsidyClaim.objects.filter(person=person).exists():
                continue
            cert = Certificate.objects.create(person=person, occupation=cert_spec["occupation"], level=level,
                                              kind="qualification", issued_on=cert_spec["issued_on"],
                                              number=f"{cert_spec['number_prefix']}{person.pk:06d}", source="imported",
                                              verification="verified")
            claim = services.submit_subsidy(person=person, policy=policy, honour_code=codes[level], certificate=cert,
                                            training=training, actor=bureau, route="bureau")
            if approve:
                services.decide_subsidy(claim, approve=True, actor=bureau, reason="培训考核记录已核实（演示）")
    if not PaymentRun.objects.filter(organisation=place).exists():
        today = timezone.localdate()
        run = services.compute_run(organisation=place, period_kind="month", year=today.year, month=today.month,
                                   actor=finance[0])
        if run.line_count:
            services.prepare_run(run, actor=finance[0])
    account = DATA["applicant_account"]
    applicant = Person.objects.filter(account__username=account["login"]).first()
    if applicant and not hasattr(applicant, "payee_account"):
        services.set_payee_account(applicant, kind="social_security_card", bank=account["bank"],
                                   number=account["number"], actor=by_login[account["by"]], reason="演示数据")
    sync = DATA["sync_honours"]
    counts = services.sync_honours(organisation=Organisation.objects.get(name=sync["organisation"]),
                                   actor=User.objects.get(username=sync["by"]))
    say(f"payments: budgets {year}, {subsidy['label']} subsidy claims, a batch awaiting approval ({DATA['approver']}), "
        f"honour entitlements +{counts['entitlements']}; finance logins {', '.join(by_login)}")

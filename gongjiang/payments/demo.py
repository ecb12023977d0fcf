"""Payments demo data (idempotent): budgets for this year, a 仲恺 training-and-assessment subsidy
(第六条（一）2) approved and one waiting, finance officers at 仲恺高新区 with a month's batch waiting
for the second officer's approval, a payee account for the demo applicant, and the entitlements,
stops and receivables of any honour holders already in the database (honours_link.sync)."""
import datetime as dt

from django.db import transaction
from django.utils import timezone

from gongjiang.accounts.demo import DEMO_PASSWORD
from gongjiang.accounts.models import Organisation, User
from gongjiang.accounts.services import create_user, ensure_organisation
from gongjiang.core.idnumbers import make_resident_id, make_uscc
from gongjiang.policy.models import Policy
from gongjiang.registry.models import Certificate, Employment, Person
from gongjiang.registry.services import find_person_by_id_number, register_person

from . import services
from .models import Budget, PaymentRun, SubsidyClaim

BUDGETS = {"huiyang-chief-technician": 10_000_000, "huancui-chief-technician": 20_000_000,
           "ganzhou-craftsman": 50_000_000, "zhongkai-skilled-talent": 5_000_000}
FINANCE = [("finance_zhongkai", "仲恺高新区", "林会计（仲恺）"), ("finance_zhongkai2", "仲恺高新区", "郑出纳（仲恺）"),
           ("demo_finance2", "惠阳区", "钱出纳（惠阳）")]
WORKERS = [("邓培训", dt.date(1990, 4, 12), 4, "2015年惠州市技师培训考核", True),
           ("甘考核", dt.date(1992, 8, 3), 3, "2015年仲恺高新区高级工培训考核", False)]
EMPLOYER = "惠州仲恺示范电子有限公司"


def _user(username, org_name, display):
    user = User.objects.filter(username=username).first()
    return user or create_user(username=username, role="finance", organisation=Organisation.objects.get(name=org_name),
                               display_name=display, password=DEMO_PASSWORD, reason="演示数据")


def _worker(n, name, born, zk, employer, actor):
    id_number = make_resident_id("441302", born, 600 + n, female=n % 2 == 1)
    person = find_person_by_id_number(id_number)
    if person is None:
        person = register_person(name=name, id_number=id_number, jurisdiction=zk, source="registry",
                                 verification="verified", reason="演示数据")
        Employment.objects.create(person=person, employer=employer, jurisdiction=zk, post="电子装配",
                                  start=dt.date(2014, 9, 1), source="imported", verification="verified")
        services.set_payee_account(person, kind="social_security_card", bank="中国建设银行惠州仲恺支行",
                                   number=f"62270000{person.pk:010d}", actor=actor, reason="演示数据")
    return person


@transaction.atomic
def seed(stdout=None):
    say = (lambda m: stdout.write(m + "\n")) if stdout else (lambda m: None)
    finance = [_user(*f) for f in FINANCE]
    bureau = User.objects.filter(username="bureau_zhongkai").first()
    year = timezone.localdate().year
    for code, amount in BUDGETS.items():
        policy = Policy.objects.filter(code=code).first()
        if policy and not Budget.objects.filter(policy=policy, year=year).exists():
            services.set_budget(policy=policy, year=year, amount_fen=amount, actor=finance[0], note="演示预算")
    zk = Organisation.objects.get(name="仲恺高新区")
    employer, _ = ensure_organisation(name=EMPLOYER, kind="enterprise", parent=zk, uscc=make_uscc("91441302MA4XKDEM1"),
                                   region_code="441302")
    policy = Policy.objects.filter(code="zhongkai-skilled-talent").first()
    if policy and bureau:
        codes = {level: code for code, _, level, _ in services.subsidy_items(policy)}
        for n, (name, born, level, training, approve) in enumerate(WORKERS):
            person = _worker(n, name, born, zk, employer, finance[0])
            if SubsidyClaim.objects.filter(person=person).exists():
                continue
            cert = Certificate.objects.create(person=person, occupation="电子设备装接工", level=level,
                                              kind="qualification", issued_on=dt.date(2015, 9, 1),
                                              number=f"ZK2015{person.pk:06d}", source="imported",
                                              verification="verified")
            claim = services.submit_subsidy(person=person, policy=policy, honour_code=codes[level], certificate=cert,
                                            training=training, actor=bureau, route="bureau")
            if approve:
                services.decide_subsidy(claim, approve=True, actor=bureau, reason="培训考核记录已核实（演示）")
    if not PaymentRun.objects.filter(organisation=zk).exists():
        today = timezone.localdate()
        run = services.compute_run(organisation=zk, period_kind="month", year=today.year, month=today.month,
                                   actor=finance[0])
        if run.line_count:
            services.prepare_run(run, actor=finance[0])
    applicant = Person.objects.filter(account__username="demo_applicant").first()
    if applicant and not hasattr(applicant, "payee_account"):
        services.set_payee_account(applicant, kind="social_security_card", bank="赣州银行章贡支行",
                                   number="6230910000012345678", actor=finance[2], reason="演示数据")
    huiyang = Organisation.objects.get(name="惠阳区")
    counts = services.sync_honours(organisation=huiyang, actor=User.objects.get(username="demo_finance"))
    say(f"payments: budgets {year}, 仲恺 subsidy claims, a batch awaiting approval (finance_zhongkai2), "
        f"honour entitlements +{counts['entitlements']}; finance logins finance_zhongkai, finance_zhongkai2, demo_finance2")

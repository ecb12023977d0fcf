"""Demo registry: a few thousand synthetic people across the seed jurisdictions, and the person of
the demo applicant (李建国, 章贡区 of 赣州市), who meets most conditions of the 赣州工匠 policy (第六条),
a programme in force, so his open round's call and eligibility read without an expired-policy warning."""
import datetime as dt

from django.db import transaction

from gongjiang.accounts.models import Organisation, User
from gongjiang.accounts.services import ensure_organisation
from gongjiang.core.idnumbers import make_uscc
from gongjiang.core.idnumbers import make_resident_id
from gongjiang.core.vocab import JURISDICTION_KINDS, CompetitionLevel, OrgKind

from . import services, synthetic
from .models import (
    Apprenticeship,
    Certificate,
    CompetitionResult,
    EmployerProfile,
    Employment,
    Innovation,
    MasterStudio,
    Person,
    SocialInsurancePeriod,
)

DEMO_PEOPLE = 3000
DEMO_APPLICANT_ID = make_resident_id("360702", dt.date(1978, 3, 15), 21, female=False)
DEMO_APPLICANT_DISTRICT = "章贡区"
DEMO_APPLICANT_EMPLOYER = "赣州示范稀土新材料有限公司"


def demo_districts():
    return list(Organisation.objects.filter(kind__in=[OrgKind.DISTRICT, OrgKind.DEVZONE])
                .order_by("path").values_list("pk", "region_code", "name"))


def seed(stdout=None):
    say = (lambda m: stdout.write(m + "\n")) if stdout else (lambda m: None)
    reference = dt.date(dt.date.today().year, 1, 1)
    if not Person.objects.filter(import_batch__isnull=True, source="imported").exists():
        districts = demo_districts()
        data = synthetic.generate(DEMO_PEOPLE, districts=districts, reference_date=reference, seed=7,
                                  employers_per_1000=60)
        synthetic.load(data, districts=districts)
        say(f"registry: {DEMO_PEOPLE} synthetic people")
    seed_demo_applicant(reference)


@transaction.atomic
def seed_demo_applicant(reference):
    if services.find_person_by_id_number(DEMO_APPLICANT_ID):
        return
    district = Organisation.objects.get(name=DEMO_APPLICANT_DISTRICT, kind__in=list(JURISDICTION_KINDS))
    employer, _ = ensure_organisation(name=DEMO_APPLICANT_EMPLOYER, kind="enterprise", parent=district,
                                      uscc=make_uscc("91360702MA3GKDEM1"), region_code="360702")
    EmployerProfile.objects.get_or_create(organisation=employer, defaults={
        "sector": "稀土新材料", "is_pillar_industry": True, "source": "registry", "verification": "verified"})
    account = User.objects.filter(username="demo_applicant").first()
    person = services.register_person(name="李建国", id_number=DEMO_APPLICANT_ID, phone="13902231234",
                                      jurisdiction=district, account=account, source="registry",
                                      verification="verified", reason="演示数据")
    fact = {"source": "imported", "verification": "verified"}
    Employment.objects.create(person=person, employer=employer, jurisdiction=district, post="数控车工",
                              frontline=True, start=dt.date(2016, 3, 1), **fact)
    SocialInsurancePeriod.objects.create(person=person, jurisdiction=district, employer=employer,
                                         first_month=dt.date(2016, 3, 1),
                                         last_month=dt.date(reference.year, reference.month, 1), **fact)
    Certificate.objects.create(person=person, occupation="数控车工", level=5, kind="skill_level",
                               number="S000036070205231234", issuer="江西省职业技能鉴定指导中心",
                               issued_on=dt.date(2019, 6, 30), **fact)
    CompetitionResult.objects.create(person=person, name="江西省职业技能大赛", occupation="数控车",
                                     level=CompetitionLevel.PROVINCIAL, klass=1, rank=3, held_on=dt.date(reference.year - 2, 10, 20), **fact)
    Innovation.objects.create(person=person, kind="patent", title="一种数控车床快速定位夹具", number="ZL202220123456.7",
                              level=CompetitionLevel.NATIONAL, dated=dt.date(reference.year - 3, 5, 8), source="self")
    MasterStudio.objects.create(person=person, name="李建国技能大师工作室", level=CompetitionLevel.CITY,
                                established_on=dt.date(reference.year - 2, 9, 1), **fact)
    for i, level in enumerate((3, 3, 4)):
        Apprenticeship.objects.create(master=person, apprentice_name=f"徒弟{'甲乙丙'[i]}",
                                      agreement_date=dt.date(2018 + i, 3, 1), apprentice_certificate_level=level,
                                      apprentice_certificate_date=dt.date(2021 + i, 6, 30),
                                      apprentice_is_backbone=True, source="employer")

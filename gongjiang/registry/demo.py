"""Demo registry: a few thousand synthetic people across the seed jurisdictions, and the person of
the demo applicant, who meets most conditions of a programme in force, so his open round's call and
eligibility read without an expired-policy warning (`registry` of gongjiang/core/data/demo.yaml)."""
import datetime as dt

from django.db import transaction

from gongjiang.accounts.models import Organisation, User
from gongjiang.accounts.demo import ensure_employer
from gongjiang.core.demo_data import section
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

DATA = section("registry")
DEMO_PEOPLE = DATA["people"]
APPLICANT = DATA["applicant"]
DEMO_APPLICANT_ID = make_resident_id(APPLICANT["id"]["region"], APPLICANT["id"]["born"], APPLICANT["id"]["seq"],
                                     female=False)


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
    a = APPLICANT
    district = Organisation.objects.get(name=a["district"], kind__in=list(JURISDICTION_KINDS))
    employer, _ = ensure_employer(a["employer"], district)
    EmployerProfile.objects.get_or_create(organisation=employer, defaults={
        "sector": a["employer"]["sector"], "is_pillar_industry": a["employer"]["pillar_industry"],
        "source": "registry", "verification": "verified"})
    account = User.objects.filter(username=a["login"]).first()
    person = services.register_person(name=a["name"], id_number=DEMO_APPLICANT_ID, phone=a["phone"],
                                      jurisdiction=district, account=account, source="registry",
                                      verification="verified", reason="演示数据")
    fact = {"source": "imported", "verification": "verified"}
    Employment.objects.create(person=person, employer=employer, jurisdiction=district, post=a["post"],
                              frontline=True, start=a["start"], **fact)
    SocialInsurancePeriod.objects.create(person=person, jurisdiction=district, employer=employer,
                                         first_month=a["start"],
                                         last_month=dt.date(reference.year, reference.month, 1), **fact)
    Certificate.objects.create(person=person, kind="skill_level", **a["certificate"], **fact)
    competition = a["competition"]
    CompetitionResult.objects.create(person=person, **dict(competition, level=CompetitionLevel[competition["level"]]),
                                     held_on=dt.date(reference.year - 2, 10, 20), **fact)
    Innovation.objects.create(person=person, kind="patent", **a["patent"],
                              level=CompetitionLevel.NATIONAL, dated=dt.date(reference.year - 3, 5, 8), source="self")
    MasterStudio.objects.create(person=person, name=f"{a['name']}技能大师工作室", level=CompetitionLevel.CITY,
                                established_on=dt.date(reference.year - 2, 9, 1), **fact)
    for i, level in enumerate((3, 3, 4)):
        Apprenticeship.objects.create(master=person, apprentice_name=f"徒弟{'甲乙丙'[i]}",
                                      agreement_date=dt.date(2018 + i, 3, 1), apprentice_certificate_level=level,
                                      apprentice_certificate_date=dt.date(2021 + i, 6, 30),
                                      apprentice_is_backbone=True, source="employer")

"""Demo applications in the open rounds (idempotent), so every page has content, as `applications`
of gongjiang/core/data/demo.yaml lists them for each round: the demo applicant's self-application as
a draft, nominations of an employer brought to the status each names (and the first one forwarded by
the recommending unit where the data says so), and a registry person with a verified competition
placement whom the bureau can nominate on the competition-winner page; the facts go through the
registry services."""
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from gongjiang.accounts.models import Organisation, User
from gongjiang.accounts.demo import DEMO_PASSWORD, ensure_employer
from gongjiang.accounts.services import create_user
from gongjiang.core.demo_data import section
from gongjiang.core.idnumbers import make_resident_id
from gongjiang.core.vocab import CompetitionLevel as L
from gongjiang.rounds.demo import demo_code
from gongjiang.rounds.models import Round

from . import exports, services
from .models import Application, Route
from .states import State

DEED = ("本人长期在生产一线从事数控加工和工装夹具设计工作，刻苦钻研技术，总结形成了薄壁零件高精度车削操作法，"
        "使同类零件加工合格率由百分之九十二提高到百分之九十九点五，年节约成本六十余万元。"
        "主持完成技术革新项目五项，获得实用新型专利两项，参与编制企业工艺标准三项。"
        "坚持传帮带，先后带徒十二人，其中五人取得技师职业资格，三人在市级职业技能竞赛中获奖，"
        "多人成为企业技术骨干。") * 4
PASSWORD_NOTE = "演示数据"


def _pdf(title):
    from gongjiang.core.pdf_fonts import cjk_font

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas
    import io

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.setFont(cjk_font(), 16)
    c.drawString(72, 760, f"{title}（演示扫描件）")
    c.showPage()
    c.save()
    return SimpleUploadedFile(f"{title}.pdf", buf.getvalue(), content_type="application/pdf")


def _facts(name, birth, employer, post, occupation, level=5, titles=()):
    return {
        "personal": {"name": name, "gender": "男", "birth_date": birth.isoformat()},
        "employment": {"employer_name": employer.name, "employer_id": employer.pk, "post": post, "frontline": True,
                       "start": "2012-03-01", "insurance_months": 96},
        "skill": {"occupation": occupation, "level": level, "number": f"DEMO{abs(hash(name)) % 10**6:06d}",
                  "issued_on": "2017-06-01"},
        "competitions": [{"name": "省职业技能大赛", "level": int(L.PROVINCIAL), "klass": 1, "rank": 2, "held_on": "2024-10-20"}],
        "titles": [{"name": "市技术能手", "level": int(L.CITY), "awarded_on": "2023-05-01"}]
        + [{"name": t, "level": int(L.DISTRICT), "awarded_on": "2022-12-01"} for t in titles],
        "apprentices": [{"name": "王小明", "level": 4, "backbone": True, "competition": False, "note": "取得技师资格"},
                        {"name": "周强", "level": 3, "backbone": True, "competition": True, "note": "市级竞赛获奖"}],
        "achievements": {},
    }


def _fill_and_submit(app, actor, titles=()):
    from .forms import talent_types_for

    facts = _facts(app.name, app.person.birth_date, app.employer, "数控车工", "车工", titles=titles)
    types = talent_types_for(app.round)  # the policy's talent types (`talent_types`), one per applicant in turn
    if types:
        facts["skill"]["talent_type"] = types[app.pk % len(types)]
    services.save_draft(app, actor=actor, facts=facts, deed_text=DEED)
    for m in app.round.materials:
        if m.get("upload") and m.get("required") and not app.evidence.filter(material=m["code"]).exists():
            services.attach_evidence(app, actor=actor, file=_pdf(m["label"][:30]), material=m["code"])
    services.submit(app, actor=actor, commitment_name=app.name, reason=PASSWORD_NOTE)


def _nominee(employer_org, employer_user, name, region, birth, seq):
    return services.employee_for_nomination(employer=employer_org, actor=employer_user, name=name,
                                            id_number=make_resident_id(region, birth, seq, female=False))


def _nominate(rnd, employer_org, employer_user, name, region, birth, seq, *, to=State.SUBMITTED, titles=()):
    person = _nominee(employer_org, employer_user, name, region, birth, seq)
    app = Application.objects.filter(round=rnd, person=person).first()
    if app is not None:
        return app
    app = services.start(round=rnd, actor=employer_user, route=Route.EMPLOYER, person=person, reason=PASSWORD_NOTE)
    _fill_and_submit(app, employer_user, titles)
    if to in (State.EMPLOYER_VERIFIED, State.RECOMMENDED):
        services.verify_by_employer(app, actor=employer_user, opinion="经审核，申报材料属实，同意推荐。")
    return app


def seed(stdout=None):
    for spec in section("applications"):
        _seed_round(spec, stdout)


def _seed_round(spec, stdout=None):
    rnd = Round.objects.filter(code=demo_code(spec["policy"])).first()
    unit = Organisation.objects.filter(name=spec["unit"]).first()
    if rnd is None or unit is None:
        return
    if "self_application" in spec:
        _self_application(rnd, spec["self_application"])
    org, user = _employer(spec["employer"], unit)
    if user is None:
        return
    apps = [_nominate(rnd, org, user, name, region, born, seq, to=State(status))
            for name, born, region, seq, status in spec["nominees"]]
    recommender = User.objects.filter(username=spec["forward_first"]).first() if "forward_first" in spec else None
    if recommender is not None and apps[0].status == State.EMPLOYER_VERIFIED and not services.used_quota(apps[0].unit):
        services.forward(apps[0], actor=recommender, reason=PASSWORD_NOTE)
    if "competition_winner" in spec:
        _competition_winner(spec["competition_winner"], unit, org, stdout)


def _self_application(rnd, spec):
    """The applicant's own application (个人自愿申请) as a draft."""
    applicant = User.objects.filter(username=spec["login"]).first()
    person = getattr(applicant, "person", None) if applicant else None
    if person is not None and not Application.objects.filter(round=rnd, person=person).exists():
        app = services.start(round=rnd, actor=applicant, route=Route.SELF, reason=PASSWORD_NOTE)
        services.save_draft(app, actor=applicant, deed_text=DEED[:spec["deed_chars"]])


def _employer(spec, unit):
    """The nominating employer and its officer: an existing login's, or (with `organisation`) an
    enterprise under the unit with a new officer login."""
    if "organisation" not in spec:
        user = User.objects.filter(username=spec["login"]).first()
        return (user.organisation if user else None), user
    org, _ = ensure_employer(spec["organisation"], unit)
    user = User.objects.filter(username=spec["login"]).first() or create_user(
        username=spec["login"], role="employer", organisation=org, display_name=spec["display_name"],
        password=DEMO_PASSWORD, reason=PASSWORD_NOTE)
    return org, user


def _resident_id(spec):
    return make_resident_id(spec["region"], spec["born"], spec["seq"], female=False)


def _competition_winner(spec, district, employer, stdout=None):
    """A welder of the district with a verified competition placement, entered and verified by the
    bureau through the registry services, not yet nominated: for trying the competition-winner page."""
    from gongjiang.registry.forms import CompetitionForm, EmploymentForm
    from gongjiang.registry.services import find_person_by_id_number, register_person, save_fact, verify_fact

    bureau = User.objects.filter(username=spec["registrar"]).first()
    name, id_number = spec["name"], _resident_id(spec["id"])
    if bureau is None or find_person_by_id_number(id_number) is not None:
        return
    competition = dict(spec["competition"], level=int(L[spec["competition"]["level"]]))
    facts = [
        (EmploymentForm, {"employer": employer.pk, "jurisdiction": district.pk, **spec["employment"]}),
        (CompetitionForm, competition),
    ]
    with transaction.atomic():
        person = register_person(name=name, id_number=id_number, jurisdiction=district, actor=bureau,
                                 source="registry", verification="verified", reason=PASSWORD_NOTE)
        for form_class, data in facts:
            form = form_class(data, person=person, actor=bureau)
            if not form.is_valid():
                raise ValueError(f"demo fact {form_class.__name__} invalid: {form.errors.as_json()}")
            fact = save_fact(form, actor=bureau, reason=PASSWORD_NOTE)
            verify_fact(fact, actor=bureau, decision="verified", reason="演示数据：与主办单位公布的获奖名单核对一致")
    if stdout is not None:
        stdout.write(f"  competition winner {name} ({district.name}) for the competition-winner page\n")

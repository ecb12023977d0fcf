"""Demo applications in the live rounds (idempotent), so every page has content:
- 赣州 (open for applications): the demo applicant's self-application (赣州 第七条（一）个人自愿申请) as a
  draft; four candidates of a 章贡区 employer waiting for the county bureau's recommendation
  (第七条（二）, demo_recommender), one already recommended;
- 环翠 (open for applications): two nominations of the demo employer (第十条（二）由各企业推荐), one
  awaiting its opinion, one verified and sent to the bureau; and a registry person of 环翠区 with a
  verified provincial competition placement whom bureau_huancui can nominate on the
  competition-winner page (第十条（二）: 从各类职业技能竞赛成绩优异者中推荐); the facts go through the
  registry services.
"""
import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from gongjiang.accounts.models import Organisation, User
from gongjiang.accounts.services import create_user, ensure_organisation
from gongjiang.core.idnumbers import make_resident_id, make_uscc
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
GANZHOU_EMPLOYER = "赣州示范钨业机械有限公司"
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
    types = talent_types_for(app.round)  # the policy's talent types (环翠 第三条), one per applicant in turn
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
    ganzhou = Round.objects.filter(code=demo_code("ganzhou-craftsman")).first()
    county = Organisation.objects.filter(name="章贡区").first()
    if ganzhou is not None and county is not None:
        applicant = User.objects.filter(username="demo_applicant").first()
        person = getattr(applicant, "person", None) if applicant else None
        if person is not None and not Application.objects.filter(round=ganzhou, person=person).exists():
            app = services.start(round=ganzhou, actor=applicant, route=Route.SELF, reason=PASSWORD_NOTE)
            services.save_draft(app, actor=applicant, deed_text=DEED[:400])
        org, _ = ensure_organisation(name=GANZHOU_EMPLOYER, kind="enterprise", parent=county,
                                     uscc=make_uscc("91360702MA3GDEM10"), region_code="360702")
        user = User.objects.filter(username="employer_ganzhou").first() or create_user(
            username="employer_ganzhou", role="employer", organisation=org, display_name="孙丽（单位经办）",
            password="gongjiang-demo-2026", reason=PASSWORD_NOTE)
        names = [("刘洪涛", dt.date(1976, 4, 3)), ("张国庆", dt.date(1980, 10, 1)), ("赵立新", dt.date(1983, 2, 14)),
                 ("孙建军", dt.date(1978, 8, 21))]
        apps = [_nominate(ganzhou, org, user, n, "360702", b, 41 + i, to=State.EMPLOYER_VERIFIED)
                for i, (n, b) in enumerate(names)]
        recommender = User.objects.filter(username="demo_recommender").first()
        if recommender is not None and apps[0].status == State.EMPLOYER_VERIFIED and not services.used_quota(apps[0].unit):
            services.forward(apps[0], actor=recommender, reason=PASSWORD_NOTE)

    huancui = Round.objects.filter(code=demo_code("huancui-chief-technician")).first()
    district = Organisation.objects.filter(name="环翠区").first()
    employer_user = User.objects.filter(username="demo_employer").first()
    if huancui is not None and district is not None and employer_user is not None:
        org = employer_user.organisation
        _nominate(huancui, org, employer_user, "于海洋", "371002", dt.date(1977, 6, 6), 51)
        _nominate(huancui, org, employer_user, "姜志远", "371002", dt.date(1981, 1, 19), 53, to=State.RECOMMENDED)
        _competition_winner(district, org, stdout)


COMPETITION_WINNER = ("王海峰", make_resident_id("371002", dt.date(1984, 9, 18), 61, female=False))


def _competition_winner(district, employer, stdout=None):
    """A 环翠区 welder with a verified provincial placement, entered and verified by bureau_huancui
    through the registry services, not yet nominated: for trying the competition-winner page."""
    from gongjiang.registry.forms import CompetitionForm, EmploymentForm
    from gongjiang.registry.services import find_person_by_id_number, register_person, save_fact, verify_fact

    bureau = User.objects.filter(username="bureau_huancui").first()
    name, id_number = COMPETITION_WINNER
    if bureau is None or find_person_by_id_number(id_number) is not None:
        return
    facts = [
        (EmploymentForm, {"employer": employer.pk, "jurisdiction": district.pk, "post": "船舶电焊工", "frontline": "on",
                          "start": "2006-07-01"}),
        (CompetitionForm, {"name": "山东省职业技能大赛", "occupation": "焊工", "level": int(L.PROVINCIAL), "klass": 1, "rank": 2,
                           "held_on": "2025-10-18"}),
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
        stdout.write(f"  competition winner {name} (环翠区) for the competition-winner page\n")

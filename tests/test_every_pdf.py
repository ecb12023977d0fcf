"""Every PDF the platform makes carries its Chinese text in the embedded, vendored font, with the
operating system's font folders out of reach (issue 15 §1: `make run` needs nothing but Python).

`PRODUCERS` names each module that draws with `cjk_font()`; a new module that does so without an
entry here fails `test_every_pdf_producer_is_covered`, so its PDF gets the same check."""
import builtins
import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.utils import timezone
from pypdf import PdfReader

import gongjiang

SYSTEM_FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "/usr/lib/fonts", "/Library/Fonts",
                    "/System/Library/Fonts", "C:\\Windows\\Fonts", str(Path.home() / ".fonts"),
                    str(Path.home() / ".local/share/fonts"))


@pytest.fixture
def no_system_fonts(monkeypatch):
    """Reportlab's search path emptied and any open() of a system font folder refused."""
    from reportlab import rl_config

    monkeypatch.setattr(rl_config, "TTFSearchPath", [])
    real_open = builtins.open

    def guarded_open(file, *args, **kwargs):
        if isinstance(file, (str, Path)) and str(file).startswith(SYSTEM_FONT_DIRS):
            raise PermissionError(f"system font folder out of reach in this test: {file}")
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded_open)
    monkeypatch.setattr(io, "open", guarded_open)


def _text(pdf: bytes) -> str:
    assert pdf[:4] == b"%PDF"
    assert b"FontFile2" in pdf, "the TrueType font must be embedded, not referenced"
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def pdf_world(jurisdictions, make_user, make_org, clock, settings, tmp_path):
    """A recommending unit with one submitted employer application, and a published notice."""
    from gongjiang.applications import services
    from gongjiang.applications.models import Route
    from gongjiang.core.idnumbers import make_resident_id
    from gongjiang.notices.services import publish_notice
    from gongjiang.rounds import services as round_services
    from gongjiang.rounds.tests.factories import complete_facts, open_round, ready_application

    settings.MEDIA_ROOT = tmp_path
    bureau = make_user("bureau", jurisdictions["聊城市"])
    rnd = open_round(policy_code="test-county-quota", organiser=bureau.organisation, actor=bureau,
                     title="2026年度聊城市首席技师遴选")
    unit = round_services.set_unit(rnd, organisation=jurisdictions["东昌府区"], kind="county", quota=2, actor=bureau)
    org = make_org(name="聊城示范机械制造有限公司", parent=jurisdictions["东昌府区"])
    employer = make_user("employer", org)
    person = services.employee_for_nomination(employer=org, actor=employer, name="王建华",
                                              id_number=make_resident_id("371502", dt.date(1977, 1, 2), 3, female=False))
    app = services.start(round=rnd, actor=employer, route=Route.EMPLOYER, person=person)
    app = ready_application(app, actor=employer)
    # An apprentice entered without a note: the form must not print "None" (issue 15 §5).
    facts = dict(complete_facts(app.name, employer=org), apprentices=[{"name": "徒弟甲", "note": None}])
    app.facts = facts
    app.save(update_fields=["facts"])
    officer = make_user("bureau", jurisdictions["惠阳区"])
    notice = publish_notice(title="2026年惠阳区区管首席技师拟入选人员公示", start=timezone.localdate(),
                            entries=[{"name": "张伟", "gender": "M", "employer": "惠阳示范精密制造有限公司",
                                      "occupation": "数控车工", "skill_level": 5, "honour": "区管首席技师"}],
                            publisher=officer, contact="惠阳区人社局人才科", body="经评审，现予公示。")
    from gongjiang.honours.tests.conftest import Programme

    return {"round": rnd, "unit": unit, "app": app, "notice": notice,
            "programme": lambda code: Programme(code, jurisdictions=jurisdictions, make_user=make_user,
                                                make_org=make_org)}


def _application_form(w):
    from gongjiang.applications.exports import application_pdf

    return application_pdf(w["app"], w["app"].versions.order_by("-number").first()), ["申报表", "王建华", "第1版"]


def _application_draft(w):
    from gongjiang.applications.exports import application_pdf

    return application_pdf(w["app"]), ["草稿", "承诺书", "徒弟甲"]


def _unit_report(w):
    from gongjiang.applications.exports import report_pdf

    return report_pdf(w["unit"], [w["app"]]), ["推荐", "王建华", "东昌府区"]


def _commitment(w):
    from gongjiang.applications.exports import commitment_pdf

    return commitment_pdf(w["round"]), ["承 诺 书", "弄虚作假"]


def _notice(w):
    from gongjiang.notices.pdf import notice_pdf

    return notice_pdf(w["notice"], public_url="http://example.org/n/1/"), ["拟入选人员公示", "张伟", "数控车工"]


def _demo_scan(w):
    from gongjiang.applications.demo import _pdf

    return _pdf("职业资格证书").read(), ["职业资格证书", "演示扫描件"]


def _certificate(w):
    from gongjiang.honours.certificates import certificates_pdf

    p = w["programme"]("ganzhou-craftsman")
    honours = p.award(["王磊"], decided_on=dt.date(2026, 3, 2))
    return certificates_pdf(honours), ["赣州工匠", "王磊", "赣州市人民政府"]


# module drawing with cjk_font() -> the producers exercising it
PRODUCERS = {
    "gongjiang/applications/exports.py": [_application_form, _application_draft, _unit_report, _commitment],
    "gongjiang/notices/pdf.py": [_notice],
    "gongjiang/applications/demo.py": [_demo_scan],
    "gongjiang/honours/certificates.py": [_certificate],
}


def test_every_pdf_producer_is_covered():
    root = Path(gongjiang.__file__).parent
    users = {str(p.relative_to(root.parent)) for p in root.rglob("*.py")
             if "tests" not in p.parts and p.name != "pdf_fonts.py" and re.search(r"\bcjk_font\(", p.read_text())}
    missing = users - set(PRODUCERS)
    assert not missing, f"modules making PDFs without a check in tests/test_every_pdf.py PRODUCERS: {missing}"


@pytest.mark.parametrize("produce", [f for fs in PRODUCERS.values() for f in fs], ids=lambda f: f.__name__[1:])
def test_pdf_embeds_its_chinese_text_without_system_fonts(produce, pdf_world, no_system_fonts):
    pdf, expected = produce(pdf_world)
    text = _text(pdf)
    for words in expected:
        assert words in text, f"{words!r} not readable in the PDF"
    assert "None" not in text

"""Public notice pages (no login), PDF, the objection form and the officers' pages."""
import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gongjiang.applications.tests import corpus
from gongjiang.audit.models import AuditEntry
from gongjiang.notices import services
from gongjiang.notices.models import Notice, Objection

D = dt.date


def _post_objection(client, notice, **extra):
    data = {"entry": notice.entries.first().pk, "filer_name": "王五", "filer_contact": "13800138000",
            "text": "该人选的竞赛获奖证书与实际不符，请核实。", "website": ""}
    data.update(extra)
    return client.post(reverse("notices:file_objection", args=[notice.pk]), data)


def test_public_notice_page_needs_no_login_and_shows_period(client, publish):
    notice = publish()
    body = client.get(reverse("notices:public_detail", args=[notice.pk])).content.decode()
    assert "2026年11月23日至2026年11月27日（5个工作日）" in body and "张伟" in body and "数控车工" in body
    assert "高级技师" in body and "提出异议" in body
    assert notice.title in client.get(reverse("notices:public_list")).content.decode()


def test_notice_pdf_embeds_cjk_font(client, publish):
    r = client.get(reverse("notices:public_pdf", args=[publish().pk]))
    assert r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")
    assert b"FontFile2" in r.content  # the TrueType font is embedded, not referenced


def test_notice_pdf_fails_clearly_without_font(client, publish, settings):
    settings.PDF_CJK_FONT = "/nonexistent/font.ttc"
    r = client.get(reverse("notices:public_pdf", args=[publish().pk]))
    assert r.status_code == 400 and "中文字体" in r.content.decode()


def test_public_objection_flow_gives_receipt(client, publish):
    notice = publish()
    r = _post_objection(client, notice)
    assert r.status_code == 302
    body = client.get(r["Location"]).content.decode()
    objection = Objection.objects.get()
    assert objection.receipt in body
    r = client.post(reverse("notices:lookup"), {"receipt": objection.receipt})
    body = r.content.decode()
    assert "调查核实中" in body and "13800138000" not in body and "王五" not in body


def test_honeypot_submission_is_refused_visibly(client, publish):
    r = _post_objection(client, publish(), website="http://spam.example")
    assert r.status_code == 400 and "疑似自动程序提交" in r.content.decode()
    assert not Objection.objects.exists()


def test_rate_limited_objection_shows_chinese_message(client, publish):
    notice = publish()
    for i in range(services.RATE_PER_ADDRESS):
        assert _post_objection(client, notice, filer_contact=f"1390000000{i}").status_code == 302
    r = _post_objection(client, notice, filer_contact="13911111111")
    assert r.status_code == 400 and "提交过于频繁" in r.content.decode()


def test_objection_with_bad_attachment_shows_reason(client, publish, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    notice = publish()
    bad = SimpleUploadedFile("证明.pdf", corpus.encrypted_pdf(), content_type="application/pdf")
    r = _post_objection(client, notice, attachments=bad)
    assert r.status_code == 400 and "加密" in r.content.decode()
    assert not Objection.objects.exists()


def test_officer_publishes_notice_from_form(client, officer, clock):
    client.force_login(officer)
    r = client.post(reverse("notices:create"), {
        "title": "区管首席技师拟入选人员公示", "body": "现予公示。", "start": "2026-11-23", "days": 5,
        "investigation_days": 5, "contact": "人才科 0752-3333333", "require_real_name": "on",
        "entries": "张伟,男,惠阳精密制造有限公司,数控车工,高级技师,区管首席技师\n李娜,女,惠阳电子,电工,二级,区管首席技师"})
    assert r.status_code == 302
    notice = Notice.objects.get()
    assert notice.end_date == D(2026, 11, 27)
    assert [(e.name, e.gender, e.skill_level) for e in notice.entries.all()] == [("张伟", "M", 5), ("李娜", "F", 4)]


def test_notice_form_reports_bad_lines(client, officer, clock):
    client.force_login(officer)
    r = client.post(reverse("notices:create"), {"title": "t", "start": "2026-11-23", "days": 5,
                                                "investigation_days": 5, "contact": "c", "entries": "张伟,男,x,y,大师"})
    assert "第1行" in r.content.decode() and not Notice.objects.exists()


def test_queue_and_conclusion_by_officer(client, officer, publish):
    notice = publish()
    o = services.file_objection(notice, entry=notice.entries.first(), text="该人选的竞赛获奖证书与实际不符。",
                                filer_name="王五", filer_contact="13800138000", client_address="203.0.113.7")
    client.force_login(officer)
    body = client.get(reverse("notices:objections")).content.decode()
    assert o.receipt in body and "2026-11-30" in body
    home = client.get(reverse("web:home")).content.decode()
    assert o.receipt in home and "2026年11月30日" in home
    r = client.post(reverse("notices:objection_detail", args=[o.pk]),
                    {"conclusion": "not_upheld", "findings": "经核实证书真实有效。"})
    assert r.status_code == 302
    o.refresh_from_db()
    assert o.get_conclusion_display() == "异议不成立"


def test_objection_of_other_district_is_404(client, publish, jurisdictions, make_user):
    notice = publish()
    o = services.file_objection(notice, entry=notice.entries.first(), text="该人选的竞赛获奖证书与实际不符。",
                                filer_name="王五", filer_contact="13800138000")
    client.force_login(make_user("bureau", jurisdictions["环翠区"]))
    assert client.get(reverse("notices:objection_detail", args=[o.pk])).status_code == 404
    assert client.get(reverse("notices:manage_detail", args=[notice.pk])).status_code == 404
    assert o.receipt not in client.get(reverse("notices:objections")).content.decode()


def test_attachment_served_to_officer_only_and_audited(client, officer, publish, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    notice = publish()
    o = services.file_objection(notice, entry=notice.entries.first(), text="该人选的竞赛获奖证书与实际不符。",
                                filer_name="王五", filer_contact="13800138000",
                                attachments=[SimpleUploadedFile("证据.png", corpus.png_bytes())])
    url = reverse("notices:attachment", args=[o.attachments.get().pk])
    assert client.get(url).status_code == 302  # anonymous: to login
    client.force_login(officer)
    r = client.get(url)
    assert r.status_code == 200 and r["Content-Type"] == "image/png"
    assert AuditEntry.objects.filter(action="objection.attachment.view", object_id=str(o.pk)).exists()


def test_officer_records_approval_after_period(client, officer, publish, clock):
    notice = publish()
    clock.set(D(2026, 11, 30))
    client.force_login(officer)
    body = client.get(reverse("notices:manage_detail", args=[notice.pk])).content.decode()
    assert "公示期满，无未办结异议" in body
    assert "待记录批准" in client.get(reverse("web:home")).content.decode()
    r = client.post(reverse("notices:manage_detail", args=[notice.pk]), {
        "kind": "approve", "authority": "惠阳区人力资源和社会保障局", "document_number": "惠阳人社〔2026〕88号",
        "decided_on": "2026-11-30"})
    assert r.status_code == 302
    assert "惠阳人社〔2026〕88号" in client.get(reverse("notices:public_detail", args=[notice.pk])).content.decode()


def test_correction_page_prefills_and_links(client, officer, publish):
    notice = publish()
    client.force_login(officer)
    assert "李娜,女,惠阳电子有限公司,电工,技师,区管首席技师" in client.get(
        reverse("notices:correct", args=[notice.pk])).content.decode()


@pytest.mark.parametrize("role", ["applicant", "expert"])
def test_manage_pages_forbidden_to_other_roles(client, jurisdictions, make_user, role):
    client.force_login(make_user(role, jurisdictions["惠阳区"] if role != "applicant" else None))
    assert client.get(reverse("notices:manage")).status_code == 403
    assert client.get(reverse("notices:objections")).status_code == 403

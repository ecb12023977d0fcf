"""Certificate PDFs: issuer from the policy, number, embedded font, a QR code a real decoder reads."""
import datetime as dt
import io

import pypdfium2
import pytest
import zxingcpp
from pypdf import PdfReader

from gongjiang.audit.models import AuditEntry
from gongjiang.core.errors import DomainError
from gongjiang.honours import services
from gongjiang.honours.certificates import verification_url


def _page_image(pdf: bytes, index=0):
    doc = pypdfium2.PdfDocument(pdf)
    return doc[index].render(scale=2).to_pil()


def test_certificate_pdf_text_font_and_qr(programme):
    p = programme("ganzhou-craftsman")
    [honour] = p.award(["王磊"], decided_on=dt.date(2026, 3, 2))
    pdf = services.print_certificates([honour], actor=p.bureau)
    reader = PdfReader(io.BytesIO(pdf))
    text = reader.pages[0].extract_text()
    for expected in ("“赣州工匠”证书", "王磊", "赣州市人民政府", "GZGJ000001", "2026年3月2日", "培养期"):
        assert expected in text, expected
    fonts = reader.pages[0]["/Resources"]["/Font"]
    assert any("/FontFile2" in f.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
               if "/DescendantFonts" in f.get_object() else
               "/FontFile2" in f.get_object().get("/FontDescriptor", {}) for f in fonts.values())
    [code] = zxingcpp.read_barcodes(_page_image(pdf))
    assert code.text == verification_url(honour)
    assert AuditEntry.objects.filter(action="honour.certificate_print", object_id=str(honour.pk)).count() == 1


def test_certificate_batch_one_page_per_holder(programme):
    p = programme("huancui-chief-technician")
    honours = p.award(["甲", "乙", "丙"], decided_on=dt.date(2026, 3, 2))
    pdf = services.print_certificates(honours, actor=p.bureau, reason="批量打印证书")
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 3
    assert [c.text for c in zxingcpp.read_barcodes(_page_image(pdf, 2))] == [verification_url(honours[2])]


def test_certificate_reissue_audited_and_recalled_refused(programme):
    p = programme("ganzhou-craftsman")
    [honour] = p.award(["王磊"], decided_on=dt.date(2026, 3, 2))
    honour = services.reissue_certificate(honour, actor=p.bureau, reason="证书遗失")
    assert honour.certificate_issue == 2
    assert "第2次补发" in PdfReader(io.BytesIO(services.print_certificates([honour], actor=p.bureau))).pages[0].extract_text()
    assert AuditEntry.objects.filter(action="honour.certificate_reissue", reason="证书遗失").exists()
    services.revoke(honour, revocation_id="fraud", effective=dt.date(2026, 11, 2), actor=p.bureau,
                    document_no="赣市人社字〔2026〕88号", decided_by="市人社局核实", reason="材料造假")
    honour.refresh_from_db()
    with pytest.raises(DomainError):
        services.print_certificates([honour], actor=p.bureau)
    with pytest.raises(DomainError):
        services.reissue_certificate(honour, actor=p.bureau, reason="遗失")

"""Every PDF embeds the font vendored in the package: no system font folder is ever read."""
import io
from pathlib import Path

import pytest

from gongjiang.core import pdf_fonts


def test_vendored_font_ships_inside_the_package_with_its_licence():
    assert pdf_fonts.font_path() == pdf_fonts.VENDORED_FONT
    assert pdf_fonts.VENDORED_FONT.is_file()
    assert Path(pdf_fonts.__file__).parent in pdf_fonts.VENDORED_FONT.parents
    assert "Apache-2.0" in (pdf_fonts.VENDORED_FONT.parent / "COPYRIGHT").read_text()


def test_pdf_embeds_chinese_text_without_system_fonts(monkeypatch):
    """Reportlab's own font search path is emptied: the vendored file alone must suffice."""
    from pypdf import PdfReader
    from reportlab import rl_config
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    monkeypatch.setattr(rl_config, "TTFSearchPath", [])
    font = pdf_fonts.cjk_font()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.setFont(font, 14)
    c.drawString(72, 760, "惠阳区首席技师证书")
    c.save()
    data = buf.getvalue()
    assert b"FontFile2" in data
    assert "惠阳区首席技师证书" in PdfReader(io.BytesIO(data)).pages[0].extract_text()


def test_missing_configured_font_is_a_clear_chinese_error(settings):
    from gongjiang.core.errors import DomainError

    settings.PDF_CJK_FONT = "/nonexistent/font.ttc"
    with pytest.raises(DomainError) as raised:
        pdf_fonts.cjk_font()
    assert "中文字体" in raised.value.message and "font.ttc" in raised.value.log

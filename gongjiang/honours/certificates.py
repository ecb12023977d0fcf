"""Certificate PDFs: one page per holder (A4 landscape), drawn straight on a reportlab canvas with the
embedded CJK font of gongjiang.core.pdf_fonts and a QR code (modules from the `qrcode` package, drawn
as a one-pixel-per-module image) pointing at the public verification page. A batch is one PDF of many
pages, so the font subset is embedded once (bench/certificates.py prints the figures).

The text comes from the honour, which keeps what the policy said at the award: certificate name and
issuer (`certificate` in the policy file, 赣州 第八条 由市人民政府颁发证书), title, term, number, date.
No database access: a batch is as fast as the drawing.
"""
import io

import qrcode
from django.conf import settings
from django.urls import reverse

from gongjiang.core.pdf_fonts import cjk_font


def verification_url(honour) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("certificates:verify", args=[honour.token])


def _qr_image(data: str):
    """The QR code as a 1-bit image, one pixel per module (drawn scaled, without interpolation).
    The mask is fixed: choosing the "best" of eight costs most of the time and any mask decodes."""
    from PIL import Image

    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0, mask_pattern=0)
    qr.add_data(data)
    qr.make(fit=True)
    matrix = qr.get_matrix()
    img = Image.new("1", (len(matrix), len(matrix)))
    img.putdata([0 if on else 255 for row in matrix for on in row])
    return img


def _d(day):
    return f"{day.year}年{day.month}月{day.day}日"


def _page(c, honour, spec_name, font, width, height):
    from reportlab.lib.colors import HexColor, black, white
    from reportlab.lib.units import mm
    from reportlab.lib.utils import ImageReader

    red = HexColor("#a61b1b")
    c.setStrokeColor(red)
    c.setLineWidth(3)
    c.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    c.setLineWidth(0.8)
    c.rect(16 * mm, 16 * mm, width - 32 * mm, height - 32 * mm)
    c.setFillColor(red)
    c.setFont(font, 34)
    c.drawCentredString(width / 2, height - 52 * mm, spec_name)
    c.setFillColor(black)
    c.setFont(font, 18)
    c.drawString(45 * mm, height - 80 * mm, f"{honour.name}同志：")
    lines = [f"经评审，被授予“{honour.title}”称号。"]
    if honour.term_end:
        lines.append(f"{honour.term_name or '管理期'}：{_d(honour.term_start)}至{_d(honour.term_end)}。")
    lines.append("特发此证。")
    y = height - 96 * mm
    for line in lines:
        c.drawString(57 * mm, y, line)
        y -= 13 * mm
    c.setFont(font, 16)
    c.drawRightString(width - 45 * mm, 58 * mm, honour.issuer)
    c.drawRightString(width - 45 * mm, 48 * mm, _d(honour.awarded_on))
    c.setFont(font, 11)
    issue = f"（第{honour.certificate_issue}次补发）" if honour.certificate_issue > 1 else ""
    c.drawString(45 * mm, 34 * mm, f"证书编号：{honour.certificate_number}{issue}")
    c.drawString(45 * mm, 27 * mm, f"批准文号：{honour.document_number}")
    size = 30 * mm
    qx, qy = width - 45 * mm - size, 70 * mm
    c.setFillColor(white)
    c.rect(qx - 2 * mm, qy - 2 * mm, size + 4 * mm, size + 4 * mm, stroke=0, fill=1)  # quiet zone
    c.setFillColor(black)
    c.drawImage(ImageReader(_qr_image(verification_url(honour))), qx, qy, size, size)
    c.setFont(font, 9)
    c.drawCentredString(qx + size / 2, qy - 6 * mm, "扫码核验证书")


def certificates_pdf(honours, *, title="荣誉证书") -> bytes:
    """One PDF with a page per honour that carries a certificate (in the given order)."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfgen import canvas

    font = cjk_font()
    width, height = landscape(A4)
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(width, height), pageCompression=1)
    c.setTitle(title)
    pages = 0
    for honour in honours:
        if not honour.certificate_number:
            continue
        c.setAuthor(honour.issuer)
        _page(c, honour, honour.certificate_name or "荣誉证书", font, width, height)
        c.showPage()
        pages += 1
    if not pages:
        from gongjiang.core.errors import DomainError

        raise DomainError("所选人员没有可打印的证书（政策未规定颁发证书）", log="no certificate to print")
    c.save()
    return buf.getvalue()

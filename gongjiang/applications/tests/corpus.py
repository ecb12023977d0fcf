"""A corpus of good and bad upload files, generated on the fly (nothing binary in the repo).

Used by the upload tests and the browser tests; the notices app may reuse it for attachments.
"""
import io
import struct
import zipfile
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile


def pdf_bytes(text="申报材料", pages=1) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    for i in range(pages):
        c.drawString(72, 720, f"Evidence page {i + 1}")
        c.showPage()
    c.save()
    return buf.getvalue()


def _pdf_with(mutate) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes())))
    mutate(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def encrypted_pdf() -> bytes:
    return _pdf_with(lambda w: w.encrypt(user_password="secret", owner_password="owner", algorithm="AES-128"))


def javascript_pdf() -> bytes:
    from pypdf.actions import JavaScript

    return _pdf_with(lambda w: w.add_open_action(JavaScript("app.alert('x');")))


def embedded_file_pdf() -> bytes:
    return _pdf_with(lambda w: w.add_attachment("payload.exe", b"MZ\x90\x00" + b"\x00" * 60))


def raw_pdf(objects: list[bytes]) -> bytes:
    """A hand-assembled PDF with a correct cross-reference table; objects[0] is the catalog."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def openaction_javascript_pdf() -> bytes:
    """JavaScript in an /OpenAction with its names spelt with #-escapes (/J#53 is /JS), which a
    plain byte search for "/JavaScript" would miss."""
    return raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >> >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ])


def javascript_link_pdf(uri=b"javascript:app.alert(1)") -> bytes:
    """A link annotation whose URI action runs script when clicked (no /JavaScript key anywhere)."""
    return raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Annots [4 0 R] >>",
        b"<< /Type /Annot /Subtype /Link /Rect [72 700 300 720] /A << /S /URI /URI (" + uri + b") >> >>",
    ])


def trailing_data_pdf() -> bytes:
    """A valid PDF with something else appended after its %%EOF (a polyglot: PDF and archive or script)."""
    return pdf_bytes() + b"<html><script>alert(1)</script></html>\n"


def truncated_pdf() -> bytes:
    data = pdf_bytes(pages=3)
    return data[: len(data) // 2]


def garbage_pdf() -> bytes:
    return b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"


def windows_exe() -> bytes:
    header = bytearray(b"MZ" + b"\x90\x00" * 29 + b"\x00" * 2)
    header += b"\x00" * (0x3C - len(header)) + struct.pack("<I", 0x80)
    header += b"\x00" * (0x80 - len(header)) + b"PE\x00\x00" + b"\x00" * 200
    return bytes(header)


def elf_binary() -> bytes:
    return b"\x7fELF\x02\x01\x01" + b"\x00" * 120


def zip_bomb() -> bytes:
    """A small zip expanding to 200 MB of zeros."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        with z.open("zeros.bin", "w", force_zip64=True) as member:
            block = b"\x00" * (1024 * 1024)
            for _ in range(200):
                member.write(block)
    return buf.getvalue()


def png_bytes(width=40, height=30) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


def jpeg_bytes(width=40, height=30) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (width, height), (30, 30, 200)).save(buf, "JPEG")
    return buf.getvalue()


def huge_png(width=60000, height=60000) -> bytes:
    """A PNG announcing 3.6 gigapixels in a few hundred bytes (a decompression bomb)."""

    def chunk(tag, body):
        return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", zlib.crc32(tag + body) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024, 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def truncated_jpeg() -> bytes:
    data = jpeg_bytes(400, 300)
    return data[: len(data) // 2]


def upload(name, data, content_type="application/pdf"):
    return SimpleUploadedFile(name, data, content_type=content_type)


# (name, content, words the message must contain)
BAD_FILES = [
    ("申报表.pdf", windows_exe, "Windows可执行程序"),
    ("证书.pdf", elf_binary, "Linux可执行程序"),
    ("材料.pdf", zip_bomb, "ZIP压缩包"),
    ("截断.pdf", truncated_pdf, "不完整"),
    ("损坏.pdf", garbage_pdf, "损坏"),
    ("加密.pdf", encrypted_pdf, "加密"),
    ("脚本.pdf", javascript_pdf, "JavaScript"),
    ("隐藏脚本.pdf", openaction_javascript_pdf, "JavaScript"),
    ("附件.pdf", embedded_file_pdf, "嵌入文件"),
    ("链接.pdf", javascript_link_pdf, "脚本或启动程序的链接"),
    ("链接大写.pdf", lambda: javascript_link_pdf(b" JaVa Script:app.alert(1)"), "脚本或启动程序的链接"),
    ("附加数据.pdf", trailing_data_pdf, "结尾之后附加了其他数据"),
    ("../../etc/passwd.pdf", pdf_bytes, "路径"),
    ("..\\..\\windows\\win.ini.pdf", pdf_bytes, "路径"),
    ("证书.png", png_bytes, "只接收PDF"),
    ("空文件.pdf", lambda: b"", "空的"),
    ("改名.jpg", pdf_bytes, "扩展名"),
    ("脚本.pdf", lambda: b"<script>alert(1)</script>", "文本或脚本"),
]
BAD_PHOTOS = [
    ("照片.png", huge_png, "尺寸过大"),
    ("照片.jpg", truncated_jpeg, "损坏"),
    ("照片.jpg", windows_exe, "Windows可执行程序"),
    ("照片.jpg", pdf_bytes, "只接收"),
]

"""Checking uploaded files by their content, and keeping them outside the web root.

Reusable by any app that accepts attachments (evidence of an application, objection
attachments of a public notice, ...):

    from gongjiang.applications.uploads import PDF_ONLY, check_upload, store_checked, file_response

    checked = check_upload(request.FILES["file"], rule=PDF_ONLY)   # raises UploadRejected
    relpath = store_checked(checked, folder="objections")         # kept in the uploads' storage
    ...
    return file_response(relpath, download_name=checked.name, content_type=checked.content_type)

What is checked, in this order (the first failure is reported, in Chinese, and nothing is written):
1. the name: no path parts ("../", "C:\\", "/"), no control characters; the stored name is
   generated, the display name is sanitised (`sanitise_filename`);
2. the size: not empty, not above the rule's limit (read in chunks; a lying Content-Length does
   not matter);
3. the content type, sniffed from the bytes (never from the name or the browser's header):
   only the kinds the rule allows; executables, archives (zip bombs) and office files are named
   as such in the message;
4. the declared extension must agree with the content (a renamed file is refused);
5. PDF: parsed with pypdf in strict mode; refused when truncated (no %%EOF), malformed,
   encrypted, carrying JavaScript, actions that launch programs, embedded files, XFA forms or
   rich media, or more pages than the rule allows;
6. JPEG/PNG: the header's pixel count is checked *before* decoding (decompression bombs),
   then the image is decoded in full (truncated images fail).
"""
from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import uuid
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import filetype
from django.conf import settings
from django.http import FileResponse, Http404

from gongjiang.core.errors import DomainError

MB = 1024 * 1024


class UploadRejected(DomainError):
    """An upload refused for its name, size or content; `message` says why in Chinese."""

    def __init__(self, message, *, log, code="upload_rejected"):
        super().__init__(message, log=log, code=code)


@dataclass(frozen=True)
class UploadRule:
    """What one upload slot accepts. `kinds` from KIND_INFO ("pdf", "jpeg", "png")."""

    kinds: frozenset
    max_bytes: int = 20 * MB
    max_pages: int = 300
    max_pixels: int = 40_000_000
    label: str = ""

    def describe(self) -> str:
        names = "、".join(KIND_INFO[k]["label"] for k in sorted(self.kinds))
        return f"{names}，不超过{self.max_bytes // MB}MB"


KIND_INFO = {
    "pdf": {"label": "PDF", "mime": "application/pdf", "ext": "pdf", "exts": {"pdf"}},
    "jpeg": {"label": "JPEG图片", "mime": "image/jpeg", "ext": "jpg", "exts": {"jpg", "jpeg"}},
    "png": {"label": "PNG图片", "mime": "image/png", "ext": "png", "exts": {"png"}},
}
PDF_ONLY = UploadRule(frozenset({"pdf"}), max_bytes=20 * MB, label="PDF文件")
PHOTO = UploadRule(frozenset({"jpeg", "png"}), max_bytes=5 * MB, max_pixels=40_000_000, label="照片")

# What a refused file turned out to be, for the message (sniffed by `filetype`).
_FOREIGN_KINDS = {
    "exe": "Windows可执行程序", "elf": "Linux可执行程序", "wasm": "可执行程序", "crx": "浏览器扩展",
    "zip": "ZIP压缩包", "rar": "RAR压缩包", "7z": "7z压缩包", "gz": "gzip压缩包", "bz2": "bzip2压缩包",
    "xz": "xz压缩包", "tar": "tar归档", "zst": "zstd压缩包", "cab": "CAB压缩包",
    "doc": "Word文档", "docx": "Word文档", "xls": "Excel表格", "xlsx": "Excel表格",
    "ppt": "PowerPoint演示文稿", "pptx": "PowerPoint演示文稿", "rtf": "RTF文档",
    "gif": "GIF图片", "webp": "WebP图片", "bmp": "BMP图片", "tif": "TIFF图片", "heic": "HEIC图片",
    "swf": "Flash文件", "sqlite": "数据库文件", "ps": "PostScript文件",
}
# PDF dictionary keys that make a document active or a container: refused wherever they occur.
_PDF_ACTIVE_KEYS = {
    "/JavaScript": "含有JavaScript脚本",
    "/JS": "含有JavaScript脚本",
    "/Launch": "含有启动外部程序的动作",
    "/EmbeddedFiles": "含有嵌入文件（附件）",
    "/EmbeddedFile": "含有嵌入文件（附件）",
    "/RichMedia": "含有多媒体内容",
    "/XFA": "含有XFA动态表单",
    "/GoToE": "含有跳转到嵌入文件的动作",
    "/ImportData": "含有导入数据的动作",
    "/SubmitForm": "含有提交表单的动作",
}
_MAX_NAME = 120


@dataclass(frozen=True)
class CheckedUpload:
    name: str           # sanitised display name, extension matching the content
    kind: str           # "pdf" / "jpeg" / "png"
    content_type: str
    size: int
    sha256: str
    content: bytes
    pages: int | None = None
    width: int | None = None
    height: int | None = None


def sanitise_filename(name: str, *, kind: str | None = None) -> str:
    """A safe display name: NFC-normalised, no control or reserved characters, no path, no
    leading dots, at most 120 characters, extension set to the content's kind."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r'[<>:"|?*\x00]', "_", name).strip().lstrip(".").strip()
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    if kind:
        ext = ext.lower() if ext.lower() in KIND_INFO[kind]["exts"] else KIND_INFO[kind]["ext"]
    stem = stem.strip(" .") or "文件"
    stem = stem[: _MAX_NAME - len(ext) - 1]
    return f"{stem}.{ext}" if ext else stem


def _check_name(raw: str) -> None:
    if not raw or not raw.strip():
        raise UploadRejected("文件没有名称", log="upload without a name")
    if any(unicodedata.category(ch) == "Cc" for ch in raw):
        raise UploadRejected("文件名含有控制字符，请重命名后再上传", log="control characters in file name")
    parts = re.split(r"[\\/]", raw)
    if len(parts) > 1 or ".." in parts or re.match(r"^[A-Za-z]:", raw):
        raise UploadRejected("文件名不能包含路径（如“../”或“C:\\”），请只上传文件本身",
                             log=f"path in file name: {raw[:80]!r}")
    if len(raw) > 255:
        raise UploadRejected("文件名过长（超过255个字符），请重命名后再上传", log="file name too long")


def _read_limited(f, max_bytes: int) -> bytes:
    if hasattr(f, "seek"):
        try:
            f.seek(0)
        except (OSError, ValueError):
            pass
    buf = io.BytesIO()
    chunks = f.chunks(64 * 1024) if hasattr(f, "chunks") else iter(lambda: f.read(64 * 1024), b"")
    for chunk in chunks:
        buf.write(chunk)
        if buf.tell() > max_bytes:
            raise UploadRejected(f"文件超过大小上限{max_bytes // MB}MB，请压缩或拆分后再上传",
                                 log=f"upload over {max_bytes} bytes")
    return buf.getvalue()


def _sniff(data: bytes) -> tuple[str | None, str]:
    """(our kind or None, a description of what the bytes are)."""
    guess = filetype.guess(data[:8192])
    if guess is None:
        if data.lstrip()[:1] in (b"<", b"{") or data[:2] == b"#!":
            return None, "文本或脚本文件"
        return None, "无法识别的文件"
    ext = guess.extension
    if ext == "pdf":
        return "pdf", "PDF"
    if ext == "jpg":
        return "jpeg", "JPEG图片"
    if ext == "png":
        return "png", "PNG图片"
    return None, _FOREIGN_KINDS.get(ext, f"{ext.upper()}文件")


def _walk_pdf(obj, seen: set, depth: int = 0):
    """Yield every dictionary key reachable from obj, following indirect references once."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    if depth > 200:
        return
    if isinstance(obj, IndirectObject):
        key = (obj.idnum, obj.generation)
        if key in seen:
            return
        seen.add(key)
        obj = obj.get_object()
    if isinstance(obj, DictionaryObject):
        for k, v in obj.items():
            yield str(k), v
            yield from _walk_pdf(v, seen, depth + 1)
    elif isinstance(obj, ArrayObject):
        for v in obj:
            yield from _walk_pdf(v, seen, depth + 1)


def _check_pdf(data: bytes, rule: UploadRule) -> int:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError, PyPdfError

    if b"%%EOF" not in data[-2048:]:
        raise UploadRejected("PDF文件不完整（缺少文件结尾，可能在扫描或上传时被截断），请重新导出后上传",
                             log="pdf truncated: no %%EOF in tail")
    if data[data.rfind(b"%%EOF") + 5:].strip(b" \t\r\n\x00"):
        raise UploadRejected("PDF文件结尾之后附加了其他数据，出于安全原因不予接收，请重新导出后上传",
                             log="pdf data after the last %%EOF")
    try:
        reader = PdfReader(io.BytesIO(data), strict=True)
        if reader.is_encrypted:
            raise UploadRejected("PDF文件已加密或设有打开密码，请去除密码后上传", log="pdf encrypted")
        pages = len(reader.pages)
        if pages == 0:
            raise UploadRejected("PDF文件没有页面", log="pdf with no pages")
        if pages > rule.max_pages:
            raise UploadRejected(f"PDF页数过多（{pages}页，上限{rule.max_pages}页），请拆分后上传",
                                 log=f"pdf has {pages} pages")
        seen: set = set()
        for key, _value in _walk_pdf(reader.trailer, seen):
            if key in _PDF_ACTIVE_KEYS:
                raise UploadRejected(f"PDF文件{_PDF_ACTIVE_KEYS[key]}，出于安全原因不予接收，"
                                     "请用“打印为PDF”重新生成后上传", log=f"pdf active content {key}")
            if len(seen) > 200_000:
                raise UploadRejected("PDF文件结构过于复杂，请重新导出后上传", log="pdf object graph too large")
        for page in reader.pages:
            for annot in page.get("/Annots") or []:
                action = annot.get_object().get("/A")
                if action is not None and _active_link(action.get_object()):
                    raise UploadRejected("PDF文件含有脚本或启动程序的链接，不予接收",
                                         log="pdf annotation action")
    except UploadRejected:
        raise
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, AttributeError,
            IndexError, RecursionError, OSError) as e:
        raise UploadRejected("PDF文件已损坏或格式不规范，无法打开，请重新导出后上传",
                             log=f"pdf malformed: {type(e).__name__}: {str(e)[:120]}") from None
    # A raw scan as well: objects that no reference reaches still reach a viewer that repairs files.
    for token in (b"/JavaScript", b"/EmbeddedFile", b"/Launch"):
        if token in data:
            raise UploadRejected(f"PDF文件{_PDF_ACTIVE_KEYS[token.decode()]}，出于安全原因不予接收，"
                                 "请用“打印为PDF”重新生成后上传", log=f"pdf raw token {token!r}")
    if _JAVASCRIPT_URI.search(data):
        raise UploadRejected("PDF文件含有脚本或启动程序的链接，不予接收", log="pdf javascript: uri")
    return pages


# "javascript:" as a link target, also with the blanks and case tricks viewers tolerate.
_JAVASCRIPT_URI = re.compile(rb"\(\s*j\s*a\s*v\s*a\s*s\s*c\s*r\s*i\s*p\s*t\s*:", re.IGNORECASE)


def _active_link(action) -> bool:
    """A link annotation's action that runs a script or a program, or a URI action to javascript:."""
    kind = action.get("/S")
    if kind in ("/JavaScript", "/Launch"):
        return True
    uri = action.get("/URI") if kind == "/URI" else None
    if uri is None:
        return False
    text = uri.get_object() if hasattr(uri, "get_object") else uri
    text = bytes(text.original_bytes).decode("latin-1") if hasattr(text, "original_bytes") else str(text)
    return re.sub(r"\s", "", text).lower().startswith(("javascript:", "vbscript:", "data:"))


def _check_image(data: bytes, kind: str, rule: UploadRule) -> tuple[int, int]:
    from PIL import Image, UnidentifiedImageError

    too_big = f"图片尺寸过大，请缩小到{rule.max_pixels // 1_000_000}百万像素以内再上传"
    try:
        with Image.open(io.BytesIO(data)) as img:
            width, height = img.size
            fmt = img.format
        if width * height > rule.max_pixels:
            raise UploadRejected(f"{too_big}（所选图片为{width}×{height}像素）",
                                 log=f"image {width}x{height} over pixel limit")
        if fmt not in ("JPEG", "PNG"):
            raise UploadRejected("图片格式无法识别", log=f"image format {fmt}")
        with Image.open(io.BytesIO(data)) as img:
            img.verify()
        with Image.open(io.BytesIO(data)) as img:
            img.load()
    except UploadRejected:
        raise
    except Image.DecompressionBombError as e:
        raise UploadRejected(too_big, log=f"image decompression bomb: {str(e)[:120]}") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as e:
        raise UploadRejected("图片已损坏或不完整，无法打开，请重新拍摄或导出后上传",
                             log=f"image malformed: {type(e).__name__}: {str(e)[:120]}") from None
    return width, height


def check_upload(f, *, rule: UploadRule, name: str | None = None) -> CheckedUpload:
    """Check an uploaded file (Django UploadedFile or any object with read()/chunks()) against
    `rule`. Returns the checked content; raises UploadRejected with a Chinese message."""
    raw_name = name if name is not None else getattr(f, "name", "") or ""
    _check_name(raw_name)
    data = _read_limited(f, rule.max_bytes)
    if not data:
        raise UploadRejected("文件是空的（0字节），请重新选择文件", log="empty upload")
    kind, what = _sniff(data)
    allowed = "、".join(KIND_INFO[k]["label"] for k in sorted(rule.kinds))
    if kind not in rule.kinds:
        raise UploadRejected(f"此处只接收{allowed}；所选文件的内容是{what}，不予接收",
                             log=f"content {what} not in {sorted(rule.kinds)}")
    ext = raw_name.rsplit(".", 1)[-1].lower() if "." in raw_name else ""
    if ext not in KIND_INFO[kind]["exts"]:
        raise UploadRejected(f"文件扩展名“.{ext}”与内容（{what}）不符，请确认后再上传" if ext else
                             f"文件名缺少扩展名（内容是{what}），请确认后再上传",
                             log=f"extension {ext!r} does not match {kind}")
    pages = width = height = None
    if kind == "pdf":
        pages = _check_pdf(data, rule)
    else:
        width, height = _check_image(data, kind, rule)
    return CheckedUpload(
        name=sanitise_filename(raw_name, kind=kind), kind=kind, content_type=KIND_INFO[kind]["mime"],
        size=len(data), sha256=hashlib.sha256(data).hexdigest(), content=data,
        pages=pages, width=width, height=height,
    )


def storage():
    """Where uploads are kept: Django's default storage (settings.STORAGES["default"]): files under
    MEDIA_ROOT, or a private S3-compatible bucket (GONGJIANG_UPLOAD_STORAGE=s3, django-storages).
    Every read and write of an upload goes through it, never through a path on this server."""
    from django.core.files.storage import default_storage

    return default_storage


def upload_root() -> Path:
    """MEDIA_ROOT: the uploads' directory when they are kept as files on this server."""
    return Path(settings.MEDIA_ROOT)


_STORED_NAME = re.compile(r"[A-Za-z0-9_-]+(/[A-Za-z0-9._-]+)*")


def checked_name(relpath: str) -> str:
    """A stored file's name as kept in the database; refuses anything that would leave the uploads
    (absolute paths, "..", backslashes) with a 404."""
    if not relpath or not _STORED_NAME.fullmatch(relpath) or ".." in relpath.split("/"):
        raise Http404("file name outside the uploads")
    return relpath


def store_checked(checked: CheckedUpload, *, folder: str) -> str:
    """Store checked content as <folder>/<yyyy>/<random>.<ext> in the uploads' storage; returns the
    name to keep in the database. The name never comes from the user."""
    if not re.fullmatch(r"[a-z0-9_-]+(/[a-z0-9_-]+)*", folder):
        raise ValueError(f"bad storage folder {folder!r}")
    from django.core.files.base import ContentFile
    from django.utils import timezone

    rel = PurePosixPath(folder) / str(timezone.localdate().year) / f"{uuid.uuid4().hex}.{KIND_INFO[checked.kind]['ext']}"
    return storage().save(str(rel), ContentFile(checked.content))


def delete_stored(relpath: str) -> None:
    storage().delete(checked_name(relpath))


def file_response(relpath: str, *, download_name: str, content_type: str, inline: bool = True) -> FileResponse:
    """Serve a stored file to someone the caller has already authorised (and logged)."""
    name = checked_name(relpath)
    if not storage().exists(name):
        raise Http404("stored file missing")
    resp = FileResponse(storage().open(name, "rb"), content_type=content_type, as_attachment=not inline,
                        filename=download_name)
    resp["X-Content-Type-Options"] = "nosniff"
    resp["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    resp["Cache-Control"] = "private, no-store"
    return resp

"""The CJK TrueType font every generated PDF embeds.

The font ships inside the package (gongjiang/core/data/fonts, WenQuanYi Micro Hei, Apache-2.0), so PDFs
need nothing from the operating system. `GONGJIANG_PDF_FONT` may point to another TrueType/TTC file.
"""
from functools import lru_cache
from pathlib import Path

from django.conf import settings

from gongjiang.core.errors import DomainError

VENDORED_FONT = Path(__file__).resolve().parent / "data" / "fonts" / "wqy-microhei.ttc"
FONT_NAME = "GongjiangCJK"


def font_path() -> Path:
    return Path(getattr(settings, "PDF_CJK_FONT", "") or VENDORED_FONT)


@lru_cache(maxsize=4)
def _register(path: str, index: int) -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    name = FONT_NAME if Path(path) == VENDORED_FONT and index == 0 else f"{FONT_NAME}-{abs(hash((path, index)))}"
    pdfmetrics.registerFont(TTFont(name, path, subfontIndex=index))
    return name


def cjk_font() -> str:
    """Register the configured font with reportlab (once) and return its name."""
    path = font_path()
    if not path.is_file():
        raise DomainError("PDF生成失败：中文字体文件缺失，请联系系统管理员",
                          log=f"PDF_CJK_FONT {path} not found: unset GONGJIANG_PDF_FONT to use the vendored font",
                          code="font_missing")
    return _register(str(path), int(getattr(settings, "PDF_CJK_FONT_INDEX", 0)))

from django.core import checks


def pdf_font_installed(app_configs=None, **kwargs):
    from gongjiang.core.pdf_fonts import font_path

    path = font_path()
    if path.is_file():
        return []
    return [checks.Warning(f"PDF_CJK_FONT {path} does not exist: notice PDFs will fail",
                           hint="unset GONGJIANG_PDF_FONT to use the font vendored in the package",
                           id="notices.W001")]

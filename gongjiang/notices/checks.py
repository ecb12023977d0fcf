from django.core import checks


def pdf_font_installed(app_configs=None, **kwargs):
    from .pdf import font_path

    path = font_path()
    if path.is_file():
        return []
    return [checks.Warning(f"PDF_CJK_FONT {path} does not exist: notice PDFs will fail",
                           hint="apt-get install fonts-wqy-microhei, or set GONGJIANG_PDF_FONT to a TrueType CJK font",
                           id="notices.W001")]

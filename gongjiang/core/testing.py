"""Test support shared by every app's tests."""
from django.contrib.auth.hashers import Argon2PasswordHasher


class FastArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id as in production, at a cost fit for tests (milliseconds instead of ~0.4 s per hash).
    Used by the autouse fixture in /conftest.py; never in settings.py."""

    time_cost = 1
    memory_cost = 1024
    parallelism = 1


def xlsx_bytes(rows, *, declared_rows=None) -> bytes:
    """An .xlsx of `rows`; with `declared_rows`, its sheet claims that many rows in its first bytes
    (<dimension ref="A1:D1500001"/>), as a 1.5-million-row spreadsheet does."""
    import io
    import re
    import zipfile

    from openpyxl import Workbook

    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    if declared_rows is None:
        return out.getvalue()
    src, dst = zipfile.ZipFile(io.BytesIO(out.getvalue())), io.BytesIO()
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
        for item in src.infolist():
            body = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:D%d"/>' % declared_rows, body)
            z.writestr(item, body)
    return dst.getvalue()

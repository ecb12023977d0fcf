"""Bounded imports (issue 14 item 4): size limit before storing, headers checked before any row is read,
a sheet declaring too many rows refused at once, reading stopped at the row limit, rejected files deleted."""
import datetime as dt
import io

import pytest
from django.test import Client

from gongjiang.core.errors import DomainError
from gongjiang.core.idnumbers import make_resident_id
from gongjiang.core.testing import xlsx_bytes
from gongjiang.registry import imports, services
from gongjiang.registry.imports import CellError, read_table

A = make_resident_id("441303", dt.date(1980, 2, 29), 1, female=False)
HEADERS = ["姓名", "身份证号码", "手机号码", "所属辖区"]


@pytest.fixture
def officer(jurisdictions, make_user):
    return make_user("bureau", jurisdictions["惠阳区"])


def _run(officer, data, name, capture):
    with capture(execute=True):
        batch = services.start_import(kind="people", data=data, file_name=name, actor=officer)
    batch.refresh_from_db()
    return batch


def test_missing_column_reported_before_rows_are_read(officer, django_capture_on_commit_callbacks):
    data = ("姓名,手机号码\n" + "张三,13812345678\n" * 300_000).encode("utf-8")
    batch = _run(officer, data, "people.csv", django_capture_on_commit_callbacks)
    assert batch.status == "invalid" and batch.rows_total == 0
    assert batch.errors == [{"row": 1, "column": "", "reason": "缺少以下列：身份证号码，请使用下载的模板"}]


def test_rejected_file_is_deleted_but_its_errors_kept(officer, django_capture_on_commit_callbacks):
    batch = _run(officer, "姓名\n张三\n".encode("utf-8"), "people.csv", django_capture_on_commit_callbacks)
    assert batch.status == "invalid" and batch.file_encrypted == "" and batch.errors


def test_sheet_declaring_too_many_rows_refused_at_once():
    data = xlsx_bytes([HEADERS, ["张三", A, "", ""]], declared_rows=1_500_001)
    with pytest.raises(CellError, match="单个文件最多200000行（该文件约1500000行）"):
        read_table(data, "people.xlsx", required=HEADERS[:2])


def test_missing_column_in_xlsx_reported_before_the_declared_size():
    data = xlsx_bytes([["姓名"], ["张三"]], declared_rows=1_500_001)
    with pytest.raises(CellError, match="缺少以下列：身份证号码"):
        read_table(data, "people.xlsx", required=HEADERS[:2])


@pytest.mark.parametrize("name,data", [
    ("people.csv", ("姓名,身份证号码\n" + f"张三,{A}\n" * 11).encode("utf-8")),
    ("people.xlsx", xlsx_bytes([HEADERS[:2]] + [["张三", A]] * 11)),
])
def test_reading_stops_beyond_the_row_limit(name, data):
    assert len(read_table(data, name, max_rows=11).rows) == 11
    with pytest.raises(CellError, match="单个文件最多10行"):
        read_table(data, name, max_rows=10)


def test_oversized_import_refused_before_it_is_stored(officer, settings):
    with pytest.raises(DomainError) as exc:
        services.start_import(kind="people", data=b"0" * (imports.MAX_FILE_BYTES + 1), file_name="a.csv",
                              actor=officer)
    assert "文件过大" in exc.value.message
    from gongjiang.registry.models import ImportBatch

    assert not ImportBatch.objects.exists()
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = None
    client = Client()
    client.force_login(officer)
    upload = io.BytesIO(b"0" * (imports.MAX_FILE_BYTES + 1))
    upload.name = "big.csv"
    response = client.post("/registry/imports/", {"kind": "people", "file": upload})
    assert response.status_code == 400 and "文件过大" in response.content.decode()
    assert not ImportBatch.objects.exists()

"""Excel/CSV imports: dry run with row/column/reason, all-or-nothing commit, idempotent re-import."""
import datetime as dt
import io

import pytest
from openpyxl import Workbook, load_workbook

from gongjiang.core.errors import DomainError
from gongjiang.core.idnumbers import make_resident_id, make_uscc
from gongjiang.registry import services
from gongjiang.registry.imports import SPECS, template_workbook
from gongjiang.registry.models import Certificate, Employment, ImportBatch, Person, SocialInsurancePeriod

A = make_resident_id("441303", dt.date(1980, 2, 29), 1, female=False)
B = make_resident_id("441302", dt.date(1990, 1, 1), 2, female=True)
USCC = make_uscc("91441303MA4UTE1T0")


def csv_bytes(rows):
    return "\n".join(",".join(r) for r in rows).encode("utf-8-sig")


def run(kind, data, actor, name="f.csv", capture=None):
    with capture(execute=True):
        batch = services.start_import(kind=kind, data=data, file_name=name, actor=actor)
    batch.refresh_from_db()
    return batch


@pytest.fixture
def officer(jurisdictions, make_user):
    return make_user("bureau", jurisdictions["惠阳区"])


PEOPLE = [["姓名", "身份证号码", "手机号码", "所属辖区"], ["张三", A, "13812345678", ""], ["李四", B, "", "惠阳区"]]


def test_import_people_then_reimport_changes_nothing(officer, django_capture_on_commit_callbacks):
    batch = run("people", csv_bytes(PEOPLE), officer, capture=django_capture_on_commit_callbacks)
    assert batch.status == "checked" and batch.errors == [] and batch.rows_total == 2
    assert Person.objects.count() == 0  # the dry run writes nothing
    services.commit_import(batch, actor=officer)
    assert Person.objects.count() == 2
    again = run("people", csv_bytes(PEOPLE), officer, capture=django_capture_on_commit_callbacks)
    done = services.commit_import(again, actor=officer)
    assert (done.rows_created, done.rows_updated, done.rows_unchanged) == (0, 0, 2)
    assert Person.objects.count() == 2


def test_import_dry_run_reports_row_column_reason(officer, django_capture_on_commit_callbacks):
    bad = [["姓名", "身份证号码", "手机号码", "所属辖区"],
           ["张三", A[:17] + ("1" if A[17] != "1" else "2"), "", ""],
           ["", B, "12ab", ""],
           ["王五", B, "", "环翠区"],
           ["赵六", A, "", ""], ["钱七", A, "", ""]]
    batch = run("people", csv_bytes(bad), officer, capture=django_capture_on_commit_callbacks)
    assert batch.status == "invalid"
    got = {(e["row"], e["column"]) for e in batch.errors}
    assert {(2, "身份证号码"), (3, "姓名"), (3, "手机号码"), (4, "所属辖区"), (6, "身份证号码")} <= got
    assert any("校验位" in e["reason"] for e in batch.errors)
    assert any("与第5行重复" in e["reason"] for e in batch.errors)
    with pytest.raises(DomainError):
        services.commit_import(batch, actor=officer)
    assert Person.objects.count() == 0


def test_import_facts_from_excel_idempotent(officer, django_capture_on_commit_callbacks):
    services.commit_import(run("people", csv_bytes(PEOPLE), officer, capture=django_capture_on_commit_callbacks),
                           actor=officer)
    wb = Workbook()
    ws = wb.active
    ws.append([c.header for c in SPECS["employment"]])
    ws.append([A, "惠阳测试制造有限公司", USCC, "", "数控车工", "是", "否", dt.date(2015, 3, 1), None])
    ws.append([B, "惠阳测试制造有限公司", USCC, "惠阳区", "钳工", "否", "", "2016-05-01", "2020-01-31"])
    buf = io.BytesIO()
    wb.save(buf)
    for _ in range(2):
        batch = run("employment", buf.getvalue(), officer, name="e.xlsx", capture=django_capture_on_commit_callbacks)
        assert batch.errors == [], batch.errors
        batch = services.commit_import(batch, actor=officer)
    assert Employment.objects.count() == 2
    assert batch.rows_unchanged == 2
    certs = [["身份证号码", "职业（工种）", "等级", "证书编号", "发证机构", "发证日期"],
             [A, "车工", "高级技师", "S1", "广东省职业技能鉴定指导中心", "2018-06-30"],
             [A, "钳工", "技师（二级）", "", "", "2016年5月1日"]]
    services.commit_import(run("certificates", csv_bytes(certs), officer, capture=django_capture_on_commit_callbacks),
                           actor=officer)
    assert sorted(Certificate.objects.values_list("level", flat=True)) == [4, 5]
    months = [["身份证号码", "参保地", "起始月份", "截止月份", "缴费单位统一社会信用代码"],
              [A, "", "2019-01", "2019-06", USCC], [A, "", "2019-07", "", USCC], [A, "", "2019-08", "2024-12", ""]]
    services.commit_import(run("insurance", csv_bytes(months), officer, capture=django_capture_on_commit_callbacks),
                           actor=officer)
    period = SocialInsurancePeriod.objects.get()
    assert (period.first_month, period.last_month, period.months) == (dt.date(2019, 1, 1), dt.date(2024, 12, 1), 72)


def test_import_facts_for_unknown_or_foreign_person_rejected(officer, make_user, jurisdictions,
                                                            django_capture_on_commit_callbacks):
    other = make_user("bureau", jurisdictions["环翠区"])
    services.commit_import(run("people", csv_bytes(PEOPLE), officer, capture=django_capture_on_commit_callbacks),
                           actor=officer)
    certs = [["身份证号码", "职业（工种）", "等级", "发证日期"], [A, "车工", "高级工", "2018-06-30"]]
    batch = run("certificates", csv_bytes(certs), other, capture=django_capture_on_commit_callbacks)
    assert batch.errors == [{"row": 2, "column": "身份证号码", "reason": "本辖区人才库中没有此人，请先导入人员"}]


def test_import_requires_jurisdiction_officer(jurisdictions, make_user):
    employer = make_user("employer", jurisdictions["惠阳区"])
    with pytest.raises(DomainError):
        services.start_import(kind="people", data=b"", file_name="a.csv", actor=employer)


def test_template_has_every_column():
    for kind, spec in SPECS.items():
        ws = load_workbook(io.BytesIO(template_workbook(kind))).active
        assert [c.value for c in ws[1]] == [c.header for c in spec]


def test_import_batch_file_is_encrypted(officer, django_capture_on_commit_callbacks):
    batch = run("people", csv_bytes(PEOPLE), officer, capture=django_capture_on_commit_callbacks)
    assert A not in ImportBatch.objects.get(pk=batch.pk).file_encrypted


@pytest.mark.parametrize("body", ["91441303MA4UTE1T0", "N1441303MA4UTE1T0", "A1441303MA4UTE1T0",
                                  "Y1441303MA4UTE1T0", "12441303455000123"])
def test_parse_uscc_accepts_valid_codes_including_letter_registrars(body):
    """GB 32100: the first character (登记管理部门) may be a letter N, A or Y."""
    from gongjiang.registry.imports import parse_uscc

    assert parse_uscc(make_uscc(body).lower()) == make_uscc(body)


WRONG_CHECK = USCC[:17] + ("2" if USCC[17] != "2" else "3")


@pytest.mark.parametrize("code, reason", [
    (WRONG_CHECK, "校验位"), ("91441303MA4UTE1T", "18位"), ("Z1441303MA4UTE1T01", "18位"),
    ("B" + USCC[1:], "登记管理部门"),
])
def test_parse_uscc_rejects_invalid_codes(code, reason):
    from gongjiang.registry.imports import CellError, parse_uscc

    with pytest.raises(CellError) as e:
        parse_uscc(code)
    assert reason in str(e.value)


def test_import_names_places_by_short_name_and_refuses_unknown_places(officer, django_capture_on_commit_callbacks):
    """Issue 13: a short name of the jurisdiction tree resolves (惠阳 -> 惠阳区); an unknown place is a
    cell error, never a new place."""
    rows = [["姓名", "身份证号码", "手机号码", "所属辖区"], ["张三", A, "", "惠阳"], ["李四", B, "", "不存在区"]]
    batch = run("people", csv_bytes(rows), officer, capture=django_capture_on_commit_callbacks)
    assert batch.status == "invalid"
    assert [(e["row"], e["column"]) for e in batch.errors] == [(3, "所属辖区")]
    assert "不是本辖区" in batch.errors[0]["reason"]

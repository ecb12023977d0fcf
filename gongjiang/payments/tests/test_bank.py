"""Bank file export and bank result import: all or nothing, rejected row by row in Chinese."""
import csv
import datetime as dt
import io

import pytest
from openpyxl import Workbook, load_workbook

from gongjiang.audit.models import AuditEntry
from gongjiang.core.errors import DomainError
from gongjiang.payments import services
from gongjiang.payments.models import BankImport, LineStatus, PaymentRun

from .conftest import entitle, make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def exported(pay_world):
    """Three 惠阳 holders paid through one approved and exported 2026 batch."""
    w = pay_world
    people = [make_person(w["j"]["惠阳区"], f"李{n}", actor=w["hy"]["finance"]) for n in range(3)]
    for p in people:
        entitle(p, w["policies"]["huiyang-chief-technician"], "chief-technician", start=dt.date(2026, 3, 1),
                actor=w["hy"]["bureau"])
    services.set_budget(policy=w["policies"]["huiyang-chief-technician"], year=2026, amount_fen=2_000_000,
                        actor=w["hy"]["finance"])
    r = services.compute_run(organisation=w["hy"]["org"], period_kind="year", year=2026, actor=w["hy"]["finance"])
    services.prepare_run(r, actor=w["hy"]["finance"])
    services.approve_run(r, actor=w["hy"]["finance2"])
    name, data = services.export_bank_file(r, fmt="csv", actor=w["hy"]["finance"])
    r.refresh_from_db()
    return {"w": w, "run": r, "people": people, "csv": data, "name": name}


def result_csv(rows, header=("业务参考号", "金额（元）", "处理结果", "失败原因")):
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8-sig")


def refs(run):
    return list(run.lines.order_by("id").values_list("reference", flat=True))


def test_bank_file_has_full_id_account_amount_reference(exported):
    """惠阳 第二十一条: paid to the social security card; the bank file alone carries the full numbers."""
    run, people = exported["run"], exported["people"]
    assert run.status == PaymentRun.Status.EXPORTED
    rows = list(csv.reader(io.StringIO(exported["csv"].decode("utf-8-sig"))))
    assert rows[0] == services.BANK_HEADERS
    assert [r[2] for r in rows[1:]] == [p.id_number for p in people]
    assert all(r[3] == "社会保障卡金融账户" and r[6] == "5000.00" and len(r[5]) == 19 for r in rows[1:])
    assert [r[7] for r in rows[1:]] == refs(run)
    assert "第十二条（一）" in rows[1][8]
    entry = AuditEntry.objects.filter(action="payments.run.export").latest("id")
    assert "完整身份证号码" in entry.reason and people[0].id_number not in str(entry.after)


def test_bank_file_excel(exported):
    _, data = services.export_bank_file(exported["run"], fmt="xlsx", actor=exported["w"]["hy"]["finance"])
    ws = load_workbook(io.BytesIO(data)).worksheets[0]
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[0] == services.BANK_HEADERS and values[1][2] == exported["people"][0].id_number


def test_bank_file_refused_before_approval(pay_world):
    w = pay_world
    entitle(make_person(w["j"]["惠阳区"], actor=w["hy"]["finance"]), w["policies"]["huiyang-chief-technician"],
            "chief-technician", start=dt.date(2026, 3, 1), actor=w["hy"]["bureau"])
    r = services.compute_run(organisation=w["hy"]["org"], period_kind="year", year=2026, actor=w["hy"]["finance"])
    with pytest.raises(DomainError) as e:
        services.export_bank_file(r, fmt="csv", actor=w["hy"]["finance"])
    assert "不能执行" in e.value.message


def test_bank_result_bad_rows_rejected_row_by_row_nothing_marked(exported):
    run = exported["run"]
    a, b, c = refs(run)
    data = result_csv([
        [a, "5000.00", "成功", ""],
        ["GJ9999", "5000.00", "成功", ""],          # unknown reference
        [a, "5000.00", "成功", ""],                 # duplicate
        [b, "4999.00", "成功", ""],                 # changed amount
        [c, "5千元", "成功", ""],                    # wrong amount format
        [c, "5000.00", "已处理", ""],               # wrong result word
    ])
    imp = services.import_bank_result(run, file_name="回盘.csv", data=data, actor=exported["w"]["hy"]["finance"])
    assert imp.status == BankImport.Status.REJECTED
    messages = [e["message"] for e in imp.errors]
    assert messages[0].startswith("第3行：") and "不属于本批次" in messages[0]
    assert "与第2行重复" in messages[1]
    assert "4999.00元与本批次的5000.00元不一致" in messages[2]
    assert "格式不正确" in messages[3]
    assert "处理结果应为“成功”或“失败”" in messages[4]
    assert run.lines.filter(status=LineStatus.QUEUED).count() == 3
    assert AuditEntry.objects.filter(action="payments.bank.reject").exists()


@pytest.mark.parametrize("name,data,word", [
    ("回盘.txt", b"x", "只接受"),
    ("回盘.csv", "业务参考号,金额\nGJ1,1\n".encode(), "缺少列"),
    ("回盘.csv", b"", "文件为空"),
    ("回盘.xlsx", b"not a workbook", "无法读取Excel"),
])
def test_bank_result_wrong_format(exported, name, data, word):
    imp = services.import_bank_result(exported["run"], file_name=name, data=data, actor=exported["w"]["hy"]["finance"])
    assert imp.status == BankImport.Status.REJECTED and word in imp.errors[0]["message"]
    assert exported["run"].lines.filter(status=LineStatus.QUEUED).count() == 3


def test_bank_result_paid_failed_requeue_and_no_double_payment(exported):
    w, run = exported["w"], exported["run"]
    a, b, c = refs(run)
    wb = Workbook()
    ws = wb.active
    ws.append(["业务参考号", "金额（元）", "处理结果", "失败原因"])
    ws.append([a, 5000, "成功", None])
    ws.append([b, "5000.00", "失败", "账户已销户"])
    buf = io.BytesIO()
    wb.save(buf)
    imp = services.import_bank_result(run, file_name="回盘.xlsx", data=buf.getvalue(), actor=w["hy"]["finance"])
    assert imp.status == BankImport.Status.ACCEPTED, imp.errors
    assert (imp.paid_count, imp.paid_fen, imp.failed_count, imp.failed_fen) == (1, 500000, 1, 500000)
    run.refresh_from_db()
    assert run.status == PaymentRun.Status.EXPORTED  # c has no result yet
    # a line with a result cannot be reported again
    again = services.import_bank_result(run, file_name="回盘2.csv", data=result_csv([[a, "5000", "失败", "x"]]),
                                        actor=w["hy"]["finance"])
    assert again.status == BankImport.Status.REJECTED and "不能重复回盘" in again.errors[0]["message"]
    services.import_bank_result(run, file_name="回盘3.csv", data=result_csv([[c, "5000", "成功", ""]]),
                                actor=w["hy"]["finance"])
    run.refresh_from_db()
    assert run.status == PaymentRun.Status.SETTLED
    [recon] = services.reconciliation([run])
    assert recon["ok"] and (recon["paid"], recon["failed"], recon["bank_paid"]) == (1_000_000, 500000, 1_000_000)
    new = services.requeue_failed(run, actor=w["hy"]["finance"])
    assert new.requeue_of == run and new.line_count == 1 and new.lines.get().requeued_from.reference == b
    with pytest.raises(DomainError):
        services.requeue_failed(run, actor=w["hy"]["finance"])
    # a regular run of the same period finds nothing left: the re-queued line settles the instalment
    assert services.compute_run(organisation=w["hy"]["org"], period_kind="year", year=2026,
                                actor=w["hy"]["finance"]).line_count == 0

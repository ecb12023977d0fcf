"""Bulk import of registry facts from Excel (.xlsx) and CSV files.

A file is first checked (dry run): every bad row is reported with its row number, column and a
reason in Chinese. Only a file without errors can be committed, in one transaction (all or
nothing). Rows are matched on natural keys (the person's ID-number hash, the employer's credit
code and start date, the certificate's occupation and level, ...), so importing the same file again
creates and changes nothing.
"""
import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from typing import Callable

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from gongjiang.accounts.models import Organisation
from gongjiang.core.masking import mask_phone
from gongjiang.core.idnumbers import IdNumberError, parse_resident_id, validate_uscc
from gongjiang.core.vocab import JURISDICTION_KINDS, CompetitionClass, CompetitionLevel, PostCategory, SkillLevel

from .crypto import lookup_hash

MAX_ROWS = 200_000
MAX_FILE_BYTES = 20 * 1024 * 1024  # an import file above this is refused before it is stored


class CellError(ValueError):
    """A cell that cannot be read; the message is for users (Chinese)."""


# ---- cell parsers: str -> value, raising CellError with a Chinese reason ----

def parse_text(value, *, max_length=200):
    text = str(value).strip() if value is not None else ""
    if len(text) > max_length:
        raise CellError(f"不能超过{max_length}个字符")
    return text


_DATE_PATTERNS = [
    (re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"), True),
    (re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"), True),
    (re.compile(r"^(\d{4})(\d{2})(\d{2})$"), True),
]
_MONTH_PATTERNS = [
    re.compile(r"^(\d{4})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月?$"),
    re.compile(r"^(\d{4})(\d{2})$"),
]


def parse_date(value):
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = parse_text(value)
    text = text.split(" ")[0]
    for pattern, _ in _DATE_PATTERNS:
        m = pattern.match(text)
        if m:
            try:
                return dt.date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                raise CellError("日期不存在") from None
    raise CellError("日期格式应为 YYYY-MM-DD")


def parse_month(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return dt.date(value.year, value.month, 1)
    text = parse_text(value)
    for pattern in _MONTH_PATTERNS:
        m = pattern.match(text)
        if m and 1 <= int(m[2]) <= 12:
            return dt.date(int(m[1]), int(m[2]), 1)
    try:
        d = parse_date(text)
    except CellError:
        raise CellError("月份格式应为 YYYY-MM") from None
    return dt.date(d.year, d.month, 1)


_TRUE = {"是", "y", "yes", "true", "1", "√"}
_FALSE = {"否", "n", "no", "false", "0", "×"}


def parse_bool(value):
    text = parse_text(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellError("应填“是”或“否”")


SKILL_LEVEL_NAMES = {
    "学徒工": SkillLevel.APPRENTICE,
    "五级": SkillLevel.JUNIOR, "初级工": SkillLevel.JUNIOR, "初级": SkillLevel.JUNIOR,
    "四级": SkillLevel.INTERMEDIATE, "中级工": SkillLevel.INTERMEDIATE, "中级": SkillLevel.INTERMEDIATE,
    "三级": SkillLevel.SENIOR, "高级工": SkillLevel.SENIOR,
    "二级": SkillLevel.TECHNICIAN, "技师": SkillLevel.TECHNICIAN,
    "一级": SkillLevel.SENIOR_TECHNICIAN, "高级技师": SkillLevel.SENIOR_TECHNICIAN,
    "特级技师": SkillLevel.PRINCIPAL_TECHNICIAN,
    "首席技师": SkillLevel.CHIEF_TECHNICIAN,
}
SKILL_LEVEL_NAMES.update({label: value for value, label in SkillLevel.choices})


def parse_skill_level(value):
    text = parse_text(value).replace("(", "（").replace(")", "）")
    if text in SKILL_LEVEL_NAMES:
        return int(SKILL_LEVEL_NAMES[text])
    raise CellError("等级应为：初级工（五级）、中级工（四级）、高级工（三级）、技师（二级）、高级技师（一级）、特级技师或首席技师")


COMPETITION_LEVEL_NAMES = {
    "世界级": CompetitionLevel.WORLD, "国家级": CompetitionLevel.NATIONAL, "全国": CompetitionLevel.NATIONAL,
    "省级": CompetitionLevel.PROVINCIAL, "市级": CompetitionLevel.CITY, "区县级": CompetitionLevel.DISTRICT,
    "区级": CompetitionLevel.DISTRICT, "县级": CompetitionLevel.DISTRICT, "企业级": CompetitionLevel.ENTERPRISE,
    "乡镇（街道）级": CompetitionLevel.TOWNSHIP, "乡镇级": CompetitionLevel.TOWNSHIP, "镇级": CompetitionLevel.TOWNSHIP,
    "街道级": CompetitionLevel.TOWNSHIP,
}


def parse_competition_level(value):
    text = parse_text(value)
    if text in COMPETITION_LEVEL_NAMES:
        return int(COMPETITION_LEVEL_NAMES[text])
    raise CellError("级别应为：世界级、国家级、省级、市级、区县级、乡镇（街道）级或企业级")


def parse_competition_class(value):
    text = parse_text(value)
    mapping = {"": CompetitionClass.NONE, "未分类": CompetitionClass.NONE,
               "一类": CompetitionClass.FIRST, "二类": CompetitionClass.SECOND}
    if text in mapping:
        return int(mapping[text])
    raise CellError("类别应为“一类”“二类”或留空")


def parse_rank(value):
    text = parse_text(value).removeprefix("第").removesuffix("名")
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    if not text.isdigit() or int(text) < 1:
        raise CellError("名次应为正整数")
    return int(text)


def parse_post_category(value):
    text = parse_text(value)
    if text in ("", "工人岗位", "工人"):
        return PostCategory.WORKER.value
    if text in ("管理/专业技术岗位", "管理岗位", "专业技术岗位", "干部"):
        return PostCategory.CADRE.value
    raise CellError("岗位类别应为“工人岗位”或“管理/专业技术岗位”")


def parse_uscc(value):
    try:
        return validate_uscc(parse_text(value))
    except IdNumberError as e:
        raise CellError(e.message) from None


def parse_phone(value):
    text = re.sub(r"[\s-]", "", parse_text(value))
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    if text and not re.fullmatch(r"\+?\d{7,15}", text):
        raise CellError("手机号码应为7至15位数字")
    return text


# ---- the kinds of file ----

@dataclass(frozen=True)
class Column:
    key: str
    header: str
    parse: Callable
    required: bool = True
    example: str = ""
    help: str = ""


ID_COLUMN = Column("id_number", "身份证号码", parse_text, example="441303198002291234",
                   help="18位居民身份证号码，按 GB 11643 校验")

SPECS = {
    "people": [
        Column("name", "姓名", lambda v: parse_text(v, max_length=60), example="李建国"),
        ID_COLUMN,
        Column("phone", "手机号码", parse_phone, required=False, example="13812345678"),
        Column("jurisdiction", "所属辖区", parse_text, required=False, example="某某区",
               help="留空则为导入人所在辖区；须在导入人辖区之内"),
        Column("post_category", "岗位类别", parse_post_category, required=False, example="工人岗位",
               help="工人岗位 / 管理/专业技术岗位（影响女职工法定退休年龄）"),
    ],
    "employment": [
        ID_COLUMN,
        Column("employer_name", "单位名称", parse_text, example="某某市示范精密制造有限公司"),
        Column("uscc", "统一社会信用代码", parse_uscc, example="91441303MA4UDEMO0X",
               help="18位，按 GB 32100 校验"),
        Column("jurisdiction", "工作地辖区", parse_text, required=False, example="某某区"),
        Column("post", "岗位/工种", parse_text, required=False, example="数控车工"),
        Column("frontline", "是否一线技能岗位", parse_bool, example="是"),
        Column("is_legal_representative", "是否单位法定代表人或负责人", parse_bool, required=False, example="否"),
        Column("start", "入职日期", parse_date, example="2015-03-01"),
        Column("end", "离职日期", parse_date, required=False, example="", help="仍在职则留空"),
    ],
    "certificates": [
        ID_COLUMN,
        Column("occupation", "职业（工种）", parse_text, example="车工"),
        Column("level", "等级", parse_skill_level, example="高级技师"),
        Column("number", "证书编号", lambda v: parse_text(v, max_length=60), required=False, example="S000044130005231234"),
        Column("issuer", "发证机构", lambda v: parse_text(v, max_length=120), required=False, example="广东省职业技能鉴定指导中心"),
        Column("issued_on", "发证日期", parse_date, example="2018-06-30"),
    ],
    "competitions": [
        ID_COLUMN,
        Column("name", "竞赛名称", parse_text, example="广东省职业技能大赛"),
        Column("occupation", "竞赛项目/工种", parse_text, required=False, example="数控车"),
        Column("level", "竞赛级别", parse_competition_level, example="省级"),
        Column("klass", "竞赛类别", parse_competition_class, required=False, example="一类"),
        Column("rank", "名次", parse_rank, example="3"),
        Column("held_on", "比赛日期", parse_date, example="2023-10-20"),
    ],
    "attributes": [
        ID_COLUMN,
        Column("attribute", "属性", parse_text, example="非物质文化遗产代表性传承人",
               help="词表（policies/vocabulary.yaml）中的人员属性名称或别名，如 国籍、户籍、工会会员、非遗传承人"),
        Column("holds", "是否具有", parse_bool, required=False, example="是", help="留空为“是”；“否”表示已核实不具有"),
        Column("value", "取值", lambda v: parse_text(v, max_length=100), required=False, example="",
               help="有取值的属性填写，如 国籍：中国"),
        Column("place", "地区", parse_text, required=False, example="", help="户籍地、常住地等填写地区名称，如 某某区"),
        Column("level", "级别", parse_competition_level, required=False, example="省级",
               help="分级别的属性填写（如非遗传承人），否则留空"),
        Column("start", "起始日期", parse_date, required=False, example="2020-06-01"),
        Column("end", "结束日期", parse_date, required=False, example="", help="长期有效则留空"),
    ],
    "designations": [
        Column("uscc", "统一社会信用代码", parse_uscc, example="91441303MA4UDEMO0X", help="18位，按 GB 32100 校验"),
        Column("employer_name", "单位名称", parse_text, required=False, example="某某市示范精密制造有限公司"),
        Column("attribute", "认定类型", parse_text, example="专精特新企业",
               help="词表（policies/vocabulary.yaml）中的单位认定名称或别名，如 专精特新、高新技术企业"),
        Column("holds", "是否具有", parse_bool, required=False, example="是", help="留空为“是”"),
        Column("value", "取值", lambda v: parse_text(v, max_length=100), required=False, example="",
               help="有取值的认定填写，如 餐饮企业规模：中型"),
        Column("level", "级别", parse_competition_level, required=False, example="省级"),
        Column("start", "认定日期", parse_date, required=False, example="2023-09-01"),
        Column("end", "有效期至", parse_date, required=False, example="2026-08-31", help="长期有效则留空"),
    ],
    "insurance": [
        ID_COLUMN,
        Column("jurisdiction", "参保地", parse_text, required=False, example="某某区"),
        Column("first_month", "起始月份", parse_month, example="2019-01"),
        Column("last_month", "截止月份", parse_month, required=False, example="2025-12", help="留空表示只有起始月份这一个月"),
        Column("uscc", "缴费单位统一社会信用代码", parse_uscc, required=False, example=""),
    ],
}

KIND_LABELS = {
    "people": "人员", "employment": "工作经历", "certificates": "证书", "competitions": "竞赛成绩",
    "insurance": "社会保险缴费", "attributes": "人员属性", "designations": "单位认定",
}


def template_workbook(kind: str) -> bytes:
    """An .xlsx template: the header row, one example row and a sheet explaining each column."""
    spec = SPECS[kind]
    wb = Workbook()
    ws = wb.active
    ws.title = KIND_LABELS[kind]
    ws.append([c.header for c in spec])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.append([c.example for c in spec])
    for i, c in enumerate(spec, start=1):
        ws.column_dimensions[ws.cell(1, i).column_letter].width = max(12, len(c.header) * 2 + 4)
    info = wb.create_sheet("填写说明")
    info.append(["列名", "是否必填", "说明"])
    for c in spec:
        info.append([c.header, "必填" if c.required else "选填", c.help])
    info.append([])
    info.append(["第2行为示例，导入前请删除或替换。日期格式 YYYY-MM-DD，月份格式 YYYY-MM。"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# ---- reading files ----

@dataclass
class Table:
    headers: list
    rows: list  # (row_number, [cell values])


def _check_headers(headers, required, max_rows, declared_rows=None):
    """Before any row is read: the required columns are there and the sheet does not declare more rows
    than a file may hold (a 1.5-million-row sheet is refused at once, not after reading it)."""
    missing = [h for h in (required or []) if h not in headers]
    if missing:
        raise CellError(f"缺少以下列：{'、'.join(missing)}，请使用下载的模板")
    if declared_rows is not None and declared_rows - 1 > max_rows:
        raise CellError(f"单个文件最多{max_rows}行（该文件约{declared_rows - 1}行），请拆分后导入")


def _bounded_rows(numbered, max_rows):
    """Non-blank rows, read one at a time, stopping as soon as there are more than max_rows."""
    rows = []
    for n, r in numbered:
        if any(v not in (None, "") and str(v).strip() for v in r):
            rows.append((n, list(r)))
            if len(rows) > max_rows:
                raise CellError(f"单个文件最多{max_rows}行，请拆分后导入")
    return rows


def read_table(data: bytes, file_name: str, *, required=None, max_rows: int = MAX_ROWS) -> Table:
    """Rows of the first sheet (xlsx) or of a CSV file (UTF-8 with or without BOM, or GB18030).
    The headers are checked against `required` column names before the rows are read, and reading
    stops at the first row beyond `max_rows`."""
    name = file_name.lower()
    if len(data) > MAX_FILE_BYTES:
        raise CellError(f"文件过大（上限{MAX_FILE_BYTES // (1024 * 1024)}MB），请拆分后导入")
    if name.endswith(".xlsx"):
        try:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            ws = wb.worksheets[0]
            it = ws.iter_rows(values_only=True)
            headers = [parse_text(h) for h in next(it, [])]
        except CellError:
            raise
        except Exception:
            raise CellError("无法读取该 Excel 文件，请使用模板另存为 .xlsx 格式") from None
        try:
            _check_headers(headers, required, max_rows, declared_rows=ws.max_row)
            rows = _bounded_rows(enumerate(it, start=2), max_rows)
        finally:
            wb.close()
        return Table(headers, rows)
    if name.endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise CellError("无法识别 CSV 文件的编码，请另存为 UTF-8")
        reader = csv.reader(io.StringIO(text))
        try:
            headers = [h.strip() for h in next(reader, [])]
            _check_headers(headers, required, max_rows)
            return Table(headers, _bounded_rows(enumerate(reader, start=2), max_rows))
        except csv.Error:
            raise CellError("CSV 文件格式不正确，请另存为 UTF-8 编码的 CSV") from None
    raise CellError("只支持 .xlsx 或 .csv 文件")


# ---- checking ----

@dataclass
class RowError:
    row: int
    column: str
    reason: str

    def as_dict(self):
        return {"row": self.row, "column": self.column, "reason": self.reason}


@dataclass
class CheckResult:
    records: list = field(default_factory=list)  # (row_number, dict)
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)


def parse_rows(kind: str, table: Table, *, on_progress=None) -> CheckResult:
    """Cell-level checks: every required column present, every cell parsed."""
    spec = SPECS[kind]
    result = CheckResult()
    positions = {}
    for c in spec:
        if c.header in table.headers:
            positions[c.key] = table.headers.index(c.header)
        elif c.required:
            result.errors.append(RowError(1, c.header, "缺少此列，请使用下载的模板"))
    if result.errors:
        return result
    if len(table.rows) > MAX_ROWS:
        result.errors.append(RowError(1, "", f"单个文件最多{MAX_ROWS}行，请拆分后导入"))
        return result
    for i, (number, cells) in enumerate(table.rows):
        record, ok = {}, True
        for c in spec:
            pos = positions.get(c.key)
            raw = cells[pos] if pos is not None and pos < len(cells) else None
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                if c.required:
                    result.errors.append(RowError(number, c.header, "不能为空"))
                    ok = False
                record[c.key] = None
                continue
            try:
                record[c.key] = c.parse(raw)
            except CellError as e:
                result.errors.append(RowError(number, c.header, str(e)))
                ok = False
        if ok and "id_number" in record:
            try:
                parsed = parse_resident_id(str(record["id_number"]))
            except IdNumberError as e:
                result.errors.append(RowError(number, ID_COLUMN.header, e.message))
                ok = False
            else:
                record["id_number"] = parsed.number
                record["id_hash"] = lookup_hash(parsed.number)
                record["parsed_id"] = parsed
                for w in parsed.warnings:
                    result.warnings.append(RowError(number, ID_COLUMN.header, w))
        if ok:
            result.records.append((number, record))
        if on_progress and i % 1000 == 999:
            on_progress(i + 1)
    return result


def resolve_jurisdiction(name, *, within: Organisation, cache: dict):
    """A jurisdiction by name inside `within`'s subtree (or `within` itself when blank)."""
    if not name:
        return within if within.kind in JURISDICTION_KINDS else within.jurisdiction()
    if name not in cache:
        cache[name] = Organisation.objects.filter(
            name=name, kind__in=list(JURISDICTION_KINDS), path__startswith=within.path).first()
        if cache[name] is None:  # a short name or alias of the jurisdiction tree (惠阳 -> 惠阳区)
            from gongjiang.policy.places import UnknownPlace, resolve

            try:
                full = resolve(name).rsplit("/", 1)[-1]
            except UnknownPlace:
                full = None
            if full and full != name:
                cache[name] = Organisation.objects.filter(
                    name=full, kind__in=list(JURISDICTION_KINDS), path__startswith=within.path).first()
    if cache[name] is None:
        raise CellError(f"“{name}”不是本辖区（{within.name}）内的行政区划")
    return cache[name]


# ---- checks against the registry, and the commit ----

def _people_by_hash(hashes, scope_people):
    out = {}
    hashes = list(hashes)
    for i in range(0, len(hashes), 5000):
        for pk, h in scope_people.filter(id_number_hash__in=hashes[i:i + 5000]).values_list("pk", "id_number_hash"):
            out[h] = pk
    return out


def _duplicate_check(result: CheckResult, key_fn, column: str):
    seen = {}
    kept = []
    for number, rec in result.records:
        key = key_fn(rec)
        if key in seen:
            result.errors.append(RowError(number, column, f"与第{seen[key]}行重复"))
        else:
            seen[key] = number
            kept.append((number, rec))
    result.records = kept


def check_against_registry(kind: str, result: CheckResult, *, jurisdiction: Organisation, scope_people) -> None:
    """Cross-row and registry checks; records gain the resolved ids (`person_id`, `jurisdiction_id`, ...)."""
    from .models import Person

    cache = {}

    def resolve(number, rec, key, column):
        try:
            rec[key] = resolve_jurisdiction(rec.get(key), within=jurisdiction, cache=cache)
            return True
        except CellError as e:
            result.errors.append(RowError(number, column, str(e)))
            return False

    if kind == "people":
        _duplicate_check(result, lambda r: r["id_hash"], ID_COLUMN.header)
        mine = _people_by_hash([r["id_hash"] for _, r in result.records], scope_people)
        elsewhere = set(Person.objects.filter(id_number_hash__in=[r["id_hash"] for _, r in result.records
                                                                  if r["id_hash"] not in mine])
                        .values_list("id_number_hash", flat=True))
        kept = []
        for number, rec in result.records:
            if rec["id_hash"] in elsewhere:
                result.errors.append(RowError(number, ID_COLUMN.header, "此人已由其他辖区登记，请联系该辖区更新"))
            elif resolve(number, rec, "jurisdiction", "所属辖区"):
                rec["person_id"] = mine.get(rec["id_hash"])
                kept.append((number, rec))
        result.records = kept
        return

    if kind == "designations":
        _check_designations(result, jurisdiction=jurisdiction)
        return

    people = _people_by_hash({r["id_hash"] for _, r in result.records}, scope_people)
    kept = []
    for number, rec in result.records:
        rec["person_id"] = people.get(rec["id_hash"])
        if rec["person_id"] is None:
            result.errors.append(RowError(number, ID_COLUMN.header, "本辖区人才库中没有此人，请先导入人员"))
        else:
            kept.append((number, rec))
    result.records = kept

    if kind == "employment":
        _duplicate_check(result, lambda r: (r["id_hash"], r["uscc"], r["start"]), "入职日期")
        orgs = {o.uscc: o for o in Organisation.objects.filter(uscc__in={r["uscc"] for _, r in result.records})}
        kept = []
        for number, rec in result.records:
            org = orgs.get(rec["uscc"])
            if org is not None and not org.path.startswith(jurisdiction.path):
                result.errors.append(RowError(number, "统一社会信用代码", "该单位不在本辖区，不能导入其工作经历"))
                continue
            if org is not None and org.name != rec["employer_name"]:
                result.warnings.append(RowError(number, "单位名称", f"与已登记的单位名称“{org.name}”不一致，按已登记名称导入"))
            if rec["end"] and rec["end"] < rec["start"]:
                result.errors.append(RowError(number, "离职日期", "离职日期早于入职日期"))
                continue
            if not rec.get("jurisdiction") and org is not None:
                rec["jurisdiction"] = org.jurisdiction().name
            if resolve(number, rec, "jurisdiction", "工作地辖区"):
                rec["employer"] = org
                kept.append((number, rec))
        result.records = kept
    elif kind == "certificates":
        _duplicate_check(result, lambda r: (r["id_hash"], r["occupation"], r["level"]), "等级")
    elif kind == "competitions":
        _duplicate_check(result, lambda r: (r["id_hash"], r["name"], r["held_on"]), "比赛日期")
    elif kind == "insurance":
        orgs = {o.uscc: o for o in Organisation.objects.filter(uscc__in={r["uscc"] for _, r in result.records if r["uscc"]})}
        kept = []
        for number, rec in result.records:
            rec["last_month"] = rec["last_month"] or rec["first_month"]
            if rec["last_month"] < rec["first_month"]:
                result.errors.append(RowError(number, "截止月份", "截止月份早于起始月份"))
                continue
            if rec["uscc"] and rec["uscc"] not in orgs:
                result.errors.append(RowError(number, "缴费单位统一社会信用代码", "平台中没有此单位，请先导入其工作经历"))
                continue
            rec["employer"] = orgs.get(rec["uscc"])
            if resolve(number, rec, "jurisdiction", "参保地"):
                kept.append((number, rec))
        result.records = kept
    elif kind == "attributes":
        _check_attributes(result, "person", lambda r: (r["id_hash"], r["attribute"], r["start"]))


def _check_attributes(result: CheckResult, holder: str, key_fn) -> None:
    """Each row names a vocabulary attribute of `holder` and fills what it needs (value, place, level)."""
    from . import attributes

    header = "属性" if holder == "person" else "认定类型"
    columns = {"value": "取值", "place": "地区", "level": "级别"}
    places = {}
    kept = []
    for number, rec in result.records:
        try:
            entry = attributes.find(rec["attribute"], holder)
        except attributes.UnknownAttribute as e:
            result.errors.append(RowError(number, header, str(e)))
            continue
        rec["attribute"] = entry.name
        rec["holds"] = True if rec["holds"] is None else rec["holds"]
        ok = True
        for field_name, reason in attributes.problems(entry, value=rec["value"], has_place=bool(rec.get("place")),
                                                      level=rec["level"]):
            result.errors.append(RowError(number, columns[field_name], reason))
            ok = False
        if ok and rec.get("place"):
            try:
                rec["place"] = place_organisation(rec["place"], places)
            except CellError as e:
                result.errors.append(RowError(number, "地区", str(e)))
                ok = False
        if ok and rec["start"] and rec["end"] and rec["end"] < rec["start"]:
            result.errors.append(RowError(number, "结束日期" if holder == "person" else "有效期至", "早于起始日期"))
            ok = False
        if ok:
            kept.append((number, rec))
    result.records = kept
    _duplicate_check(result, key_fn, header)


def place_organisation(name, cache: dict) -> Organisation:
    """The jurisdiction named `name` (a path, name or alias of the tree of all of China) anywhere in
    the country, e.g. a worker's 户籍 in another province."""
    from gongjiang.policy.places import UnknownPlace, resolve

    if name not in cache:
        try:
            path = resolve(name)
        except UnknownPlace:
            cache[name] = CellError(f"“{name}”不是已知的行政区划")
        else:
            org = None
            for part in path.split("/"):
                org = Organisation.objects.filter(parent=org, name=part, kind__in=list(JURISDICTION_KINDS)).first()
                if org is None:
                    break
            cache[name] = org or CellError(f"“{name}”尚未载入平台，请系统管理员载入全国行政区划")
    if isinstance(cache[name], CellError):
        raise cache[name]
    return cache[name]


def _check_designations(result: CheckResult, *, jurisdiction: Organisation) -> None:
    orgs = {o.uscc: o for o in Organisation.objects.filter(uscc__in={r["uscc"] for _, r in result.records})}
    kept = []
    for number, rec in result.records:
        org = orgs.get(rec["uscc"])
        if org is None:
            result.errors.append(RowError(number, "统一社会信用代码", "平台中没有此单位，请先导入其工作经历"))
            continue
        if not org.path.startswith(jurisdiction.path):
            result.errors.append(RowError(number, "统一社会信用代码", "该单位不在本辖区，不能导入其认定"))
            continue
        if rec["employer_name"] and org.name != rec["employer_name"]:
            result.warnings.append(RowError(number, "单位名称", f"与已登记的单位名称“{org.name}”不一致，按已登记名称导入"))
        rec["organisation"] = org
        kept.append((number, rec))
    result.records = kept
    _check_attributes(result, "employer", lambda r: (r["uscc"], r["attribute"], r["start"]))


def merge_months(records):
    """Merge insurance rows of one person and jurisdiction into contiguous periods."""
    groups = {}
    for _, rec in records:
        groups.setdefault((rec["person_id"], rec["jurisdiction"].pk), []).append(rec)
    periods = []
    for (person_id, jur_id), recs in groups.items():
        recs.sort(key=lambda r: r["first_month"])
        current = None
        for r in recs:
            if current and _month_index(r["first_month"]) <= _month_index(current["last_month"]) + 1:
                current["last_month"] = max(current["last_month"], r["last_month"])
                current["employer_id"] = current["employer_id"] or (r["employer"].pk if r["employer"] else None)
            else:
                current = {"person_id": person_id, "jurisdiction_id": jur_id, "first_month": r["first_month"],
                           "last_month": r["last_month"], "employer_id": r["employer"].pk if r["employer"] else None}
                periods.append(current)
    return periods


def _month_index(d):
    return d.year * 12 + d.month - 1


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


HOLDER_FIELDS = {"Apprenticeship": "master_id", "EmployerAttribute": "organisation_id"}


def upsert(model, rows, *, key, values, batch, counts: Counts):
    """Create or update `rows` (dicts of field attnames) matched on the natural key `key`."""
    person_field = HOLDER_FIELDS.get(model.__name__, "person_id")
    person_ids = {r[person_field] for r in rows}
    existing = {}
    ids = list(person_ids)
    for i in range(0, len(ids), 5000):
        for obj in model.objects.filter(**{f"{person_field}__in": ids[i:i + 5000]}):
            existing[tuple(getattr(obj, k) for k in key)] = obj
    new, changed = [], []
    for r in rows:
        obj = existing.get(tuple(r[k] for k in key))
        if obj is None:
            new.append(model(**r, source="imported", import_batch=batch))
        elif any(getattr(obj, v) != r[v] for v in values):
            for v in values:
                setattr(obj, v, r[v])
            obj.import_batch = batch
            changed.append(obj)
        else:
            counts.unchanged += 1
    model.objects.bulk_create(new, batch_size=2000)
    if changed:
        model.objects.bulk_update(changed, [*values, "import_batch"], batch_size=2000)
    counts.created += len(new)
    counts.updated += len(changed)


def apply_records(kind: str, records, *, batch, actor) -> Counts:
    """Write checked records. The caller holds the transaction."""
    from gongjiang.accounts.services import ensure_organisation

    from . import models as m
    from .crypto import encrypt

    counts = Counts()
    if kind == "people":
        existing = {p.pk: p for p in m.Person.objects.filter(pk__in=[r["person_id"] for _, r in records if r["person_id"]])}
        new, changed = [], []
        for _, r in records:
            phone = r["phone"] or ""
            fields = {"name": r["name"], "jurisdiction_id": r["jurisdiction"].pk,
                      "post_category": r["post_category"] or "worker",
                      "phone_hash": lookup_hash(phone) if phone else ""}
            p = existing.get(r["person_id"])
            if p is None:
                p = m.Person(**fields, source="imported", import_batch=batch)
                parsed = r["parsed_id"]
                p.id_number_encrypted, p.id_number_hash = encrypt(parsed.number), r["id_hash"]
                p.birth_date, p.gender, p.region_code = parsed.birth_date, parsed.gender, parsed.region_code
                p.phone_encrypted = encrypt(phone)
                p.set_masks(parsed.number, phone)
                new.append(p)
            elif any(getattr(p, k) != v for k, v in fields.items()):
                for k, v in fields.items():
                    setattr(p, k, v)
                p.phone_encrypted = encrypt(phone)
                p.phone_masked = mask_phone(phone)
                p.import_batch = batch
                changed.append(p)
            else:
                counts.unchanged += 1
        m.Person.objects.bulk_create(new, batch_size=2000)
        if changed:
            m.Person.objects.bulk_update(changed, [*fields, "phone_encrypted", "phone_masked", "import_batch"],
                                         batch_size=2000)
        counts.created, counts.updated = len(new), len(changed)
        return counts

    if kind == "employment":
        rows = []
        for _, r in records:
            employer = r["employer"]
            if employer is None:
                employer, _ = ensure_organisation(name=r["employer_name"], kind="enterprise", parent=r["jurisdiction"],
                                                  uscc=r["uscc"], region_code=r["jurisdiction"].region_code, actor=actor)
                r["employer"] = employer
                for _, other in records:
                    if other["uscc"] == r["uscc"] and other["employer"] is None:
                        other["employer"] = employer
            rows.append({"person_id": r["person_id"], "employer_id": employer.pk,
                         "jurisdiction_id": r["jurisdiction"].pk, "post": r["post"] or "",
                         "frontline": r["frontline"], "is_legal_representative": bool(r["is_legal_representative"]),
                         "start": r["start"], "end": r["end"]})
        upsert(m.Employment, rows, key=("person_id", "employer_id", "start"),
               values=("jurisdiction_id", "post", "frontline", "is_legal_representative", "end"), batch=batch, counts=counts)
    elif kind == "certificates":
        rows = [{"person_id": r["person_id"], "occupation": r["occupation"], "level": r["level"],
                 "number": r["number"] or "", "issuer": r["issuer"] or "", "issued_on": r["issued_on"]}
                for _, r in records]
        upsert(m.Certificate, rows, key=("person_id", "occupation", "level"),
               values=("number", "issuer", "issued_on"), batch=batch, counts=counts)
    elif kind == "competitions":
        rows = [{"person_id": r["person_id"], "name": r["name"], "occupation": r["occupation"] or "",
                 "level": r["level"], "klass": r["klass"] or 0, "rank": r["rank"], "held_on": r["held_on"]}
                for _, r in records]
        upsert(m.CompetitionResult, rows, key=("person_id", "name", "held_on"),
               values=("occupation", "level", "klass", "rank"), batch=batch, counts=counts)
    elif kind == "attributes":
        rows = [{"person_id": r["person_id"], "attribute": r["attribute"], "holds": r["holds"],
                 "value": r["value"] or "", "place_id": r["place"].pk if r["place"] else None, "level": r["level"],
                 "start": r["start"], "end": r["end"]} for _, r in records]
        upsert(m.PersonAttribute, rows, key=("person_id", "attribute", "start"),
               values=("holds", "value", "place_id", "level", "end"), batch=batch, counts=counts)
    elif kind == "designations":
        rows = [{"organisation_id": r["organisation"].pk, "attribute": r["attribute"], "holds": r["holds"],
                 "value": r["value"] or "", "level": r["level"], "start": r["start"], "end": r["end"]}
                for _, r in records]
        upsert(m.EmployerAttribute, rows, key=("organisation_id", "attribute", "start"),
               values=("holds", "value", "level", "end"), batch=batch, counts=counts)
    elif kind == "insurance":
        upsert(m.SocialInsurancePeriod, merge_months(records), key=("person_id", "jurisdiction_id", "first_month"),
               values=("last_month", "employer_id"), batch=batch, counts=counts)
    return counts

"""Columnar facts about people: the one input of the policy engine.

The engine evaluates every clause over N people at once with numpy, so facts are columns, not
objects. Batch screening passes a million people; explaining one person passes a batch of one
(or the same batch and a row index): the results are identical by construction.

CONTRACT (stable; `gongjiang.registry.facts` builds this from the database)
===========================================================================

Encodings used everywhere
-------------------------
- Dates are ``int32`` proleptic Gregorian ordinals (``datetime.date.toordinal()``).
  ``0`` means *unknown* for a date that must exist (birth, start, issued, date).
  For an **end** column ``0`` means *open* (still running / no end recorded).
- Months (social insurance) are ``int32`` month numbers ``year * 12 + (month - 1)``.
- Tri-state flags are ``int8``: ``1`` yes, ``0`` no, ``-1`` unknown.
- Indices into another table are ``int32``; ``-1`` means none/unknown.
- ``ref`` columns are ``int64`` primary keys of the registry rows the fact came from (``-1``: none);
  the explanation prints them so a reviewer can open the record.
- Coded strings (titles, programmes, record kinds, ...) are ``int32`` codes into a vocabulary kept
  by the Facts object (``facts.code("title", "全国技术能手")``); ``-1`` unknown. Generic kinds
  (record kinds, achievement kinds, organisation record kinds) use the English codes listed in
  ``RECORD_KINDS``, ``ACHIEVEMENT_KINDS``, ``ORG_RECORD_KINDS`` below; titles and programmes are the
  Chinese names the policy files use (each policy names the titles it needs).

Sources and verification (every event table and the org_records table)
-----------------------------------------------------------------------
- ``source`` ``int8``: ``SOURCE`` codes 0 unknown, 1 self-declared, 2 employer, 3 imported,
  4 department data (registry), 5 reviewer.
- ``verification`` ``int8``: 0 unverified, 1 verified, 2 rejected. **Rejected rows are ignored**
  by every clause; unverified rows count and their source is shown in the explanation.
- ``ref`` ``int64``: the registry row id.

Completeness ("unknown" for lists)
----------------------------------
An empty list is only evidence of absence if the list is known to be complete. The person table
has ``known_<table>`` (``int8``, 1 complete / 0 unknown) for each event table. A clause that looks
for a qualifying row passes when one exists, fails when none exists *and* the table is complete,
and otherwise gives ``needs_review``. An exclusion clause fails when a matching row exists, passes
when none exists and the table is complete, else ``needs_review``. ``Facts.from_records`` marks a
table complete for a person when the person's dict has the key (even ``[]``).

Tables and columns
------------------
``person`` (N rows, row i is person i):
    ref int64 (registry Person pk) · birth int32 date · gender int8 (0 unknown, 1 男, 2 女) ·
    post_category int8 (0 unknown, 1 工人岗位 worker, 2 管理/专业技术岗位 cadre; decides the
    statutory retirement age of women) · residence int32 (place index) ·
    src_birth / src_post_category / src_residence int8 (SOURCE codes; birth and gender share
    src_birth — 4 when derived from a verified ID number) · known_<table> int8 for each event table.
    ``facts.labels``: list of N display strings (case id or masked name).
``employment`` (spells): person · org (orgs index, -1 self-employed/none) · place (places index of
    the place of work) · start date · end date (0 open; else the last day worked) · frontline int8
    (一线技能岗位) · occupation int32 (vocab "occupation") · full_time int8 (全职; tri-state).
``insurance`` (one row per person and insured month): person · org · place · month.
``certificates``: person · level int8 (vocab.SkillLevel 0..7) · kind int8 (CERT_KINDS:
    1 职业资格证书, 2 职业技能等级证书, 3 职业农民职称证书, 4 专项职业能力证书, 0 unknown) ·
    occupation int32 · issued date.
``competitions`` (placements): person · level int8 (vocab.CompetitionLevel) · klass int8
    (vocab.CompetitionClass) · rank int16 (1 = first; 0 unknown) · date · occupation int32.
``titles`` (titles and honours held): person · title int32 (vocab "title") · level int8
    (CompetitionLevel scale of the awarding body, -1 unknown) · issuer int32 (places index of the
    awarding jurisdiction, -1 unknown) · start date · end date (0 open or not recorded; incumbency
    clauses then use start + term).
``achievements`` (innovations, patents, standards, awards): person · kind int32 (vocab
    "achievement", codes ACHIEVEMENT_KINDS) · level int8 (CompetitionLevel scale) · grade int8
    (1 一等奖, 2 二等奖, 3 三等奖, 0 none) · date.
``apprentices`` (one row per apprentice of a master): person (the master) · start · end ·
    level int8 (apprentice's highest SkillLevel, -1 unknown) · level_date date (when reached) ·
    backbone int8 (became 技能骨干) · competition int8 (apprentice placed in a competition) ·
    agreement int8 (带徒协议 signed).
``studios`` (技能大师工作室 / 高技能人才工作站): person · kind int8 (STUDIO_KINDS: 1 技能大师工作室,
    2 高技能人才工作站, 0 other) · level int8 (CompetitionLevel scale) · role int8 (1 领办人 leader,
    2 member) · start · end.
``programmes`` (talent-programme memberships): person · programme int32 (vocab "programme") ·
    level int8 (CompetitionLevel scale) · grade int8 (category A=1, B=2, ... ; 0 none) · start · end.
``records`` (credit and discipline): person · kind int32 (vocab "record", RECORD_KINDS) ·
    start date · end date (0 open: still in force / investigation not concluded).
``attestations`` (manual clauses judged by a reviewer): person · clause int32 (vocab "clause",
    key "<policy code>:<clause id>") · result int8 (STATUS: 0 fail, 1 needs_review, 2 pass) ·
    date · ``facts.attestation_reasons`` list of reason strings, one per row.
``attributes`` (person attributes: 国籍, 户籍, 工会会员, 非遗传承人…, declared in the vocabulary):
    person · attr int32 (vocab "attribute", the attribute's name) · holds int8 (1 the attribute
    holds, 0 recorded as not holding) · value int32 (vocab "attribute_value", -1 none) · place int32
    (places index for place-valued attributes such as 户籍, -1) · level int8 (CompetitionLevel
    scale, -1 unknown) · start · end (0 open). A person with any row of an attribute has that
    attribute recorded: no matching row then means "no", whatever ``known_attributes`` says.
``orgs`` (employers and other organisations; index = org id used by employment/insurance):
    ref int64 (accounts.Organisation pk) · sector int8 (SECTORS: 1 enterprise, 2 government organ,
    3 public institution, 4 social organisation, 5 individual/free-lance, 0 unknown) ·
    large int8 · place int32 · known_records int8 (1: the org's status records are complete, so
    no row means no record) · known_attributes int8 (1: the org's designations are complete).
    ``facts.org_names``: list of names.
``org_attributes`` (employer designations: 专精特新, 高新技术企业…): org · the columns of
    ``attributes`` without person · source · verification · ref.
``org_records`` (employer status): org · kind int32 (vocab "org_record", ORG_RECORD_KINDS) ·
    start · end (0 open) · source · verification · ref.
``places`` (the jurisdiction tree): parent int32 (-1 root) · ref int64 (Organisation pk).
    ``facts.place_paths``: list of "广东省/惠州市/惠阳区" strings. A policy's jurisdiction is a path;
    ``facts.within(path)`` is the boolean mask of places inside it (itself and descendants).

Loading: ``check()`` is the last step of loading
-------------------------------------------------
``check()`` validates the columns and then calls ``prepare()``, which computes, once per Facts
object, derived structures that depend only on the facts (never on a policy or a reference date):

- ``base[table]`` (int8[N]): the status of "no qualifying row" for each event table: ``FAIL``
  where the table is complete for the person, ``NEEDS_REVIEW`` where it is not;
- ``all_ok[table]``: True when no row of the table is rejected (the engine then skips the mask);
- ``all_known[table]``: True when the table is complete for every person;
- ``runs`` (``InsuranceRuns``): the per-month insurance rows compressed into runs of consecutive
  months with the same person, org, place and rejected flag, sorted by (person, first month);
- ``pidx[table]``, ``emp_org``, ``emp_place``: index columns as ``intp`` (numpy would convert the
  int32 columns on every gather and scatter);
- ``emp_by_org`` / ``emp_org_offsets``: employment rows grouped by organisation (CSR);
- ``spells`` (``SortedSpells``): the employment columns tenure reads, in (person, start) order;
- ``attribute_rows(code)``: the person attribute rows of one attribute (grouped once);
- ``cert_max`` (int8[N]): the highest certificate level of each person (rejected rows and
  unknown levels left out, -1 none) and ``cert_unknown`` (bool[N]): some certificate's level is
  unknown.

The columns themselves are left untouched (same rows, same order), so builders fill exactly the
columns listed above. Whoever changes the columns after ``check()`` must call ``prepare()`` again.
The engine (``gongjiang.policy.engine``) reads these structures; everything that depends on the
policy or the reference date is computed inside ``evaluate``.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml

FAIL, NEEDS_REVIEW, PASS = 0, 1, 2  # Kleene order: all_of = min, any_of = max, not = 2 - x
STATUS = {"fail": FAIL, "needs_review": NEEDS_REVIEW, "pass": PASS}
STATUS_NAMES = {v: k for k, v in STATUS.items()}

SOURCE = {"unknown": 0, "self": 1, "employer": 2, "imported": 3, "registry": 4, "reviewer": 5}
SOURCE_LABELS = {0: "来源不明", 1: "本人申报", 2: "单位填报", 3: "批量导入", 4: "部门数据", 5: "审核人认定"}
VERIFICATION = {"unverified": 0, "verified": 1, "rejected": 2}
VERIFICATION_LABELS = {0: "未核验", 1: "已核验", 2: "核验不通过"}
GENDERS = {"M": 1, "F": 2, "男": 1, "女": 2}
POST_CATEGORIES = {"worker": 1, "cadre": 2, "工人岗位": 1, "管理/专业技术岗位": 2}
SECTORS = {"unknown": 0, "enterprise": 1, "government": 2, "institution": 3, "social_org": 4,
           "individual": 5}
SECTOR_LABELS = {0: "未知", 1: "企业", 2: "政府机关", 3: "事业单位", 4: "社会组织", 5: "个体/自由职业"}
CERT_KINDS = {"unknown": 0, "qualification": 1, "skill_level": 2, "farmer_title": 3, "special": 4}
CERT_KIND_LABELS = {0: "证书", 1: "职业资格证书", 2: "职业技能等级证书", 3: "职业农民职称证书",
                    4: "专项职业能力证书"}
STUDIO_KINDS = {"other": 0, "master_studio": 1, "talent_station": 2}
STUDIO_KIND_LABELS = {0: "工作室", 1: "技能大师工作室", 2: "高技能人才工作站"}
STUDIO_ROLES = {"leader": 1, "member": 2}

# Generic kinds: the registry stores these codes; policies refer to them by code.
RECORD_KINDS = {
    "criminal_record": "刑事犯罪记录",
    "criminal_investigation": "被刑事立案侦查且案件处于调查阶段",
    "dishonest_debtor": "被纳入失信被执行人名单",
    "fraud": "申报资金、人才计划、科技项目或学术研究中弄虚作假",
    "misconduct": "思想政治、道德品行、职业操守不良记录或违背公序良俗",
    "ip_infringement": "侵犯知识产权",
    "ip_investigation": "涉嫌侵犯知识产权正在接受调查",
    "serious_violation": "严重违反法律法规或职业道德，造成恶劣影响",
    "administrative_penalty": "受到行政处罚",
    "criminal_penalty": "受到刑事处罚",
    "dismissal": "受到行政撤职处分",
    "party_probation": "受到留党察看以上党内处分",
    "violation": "违法违纪行为",
    "improper_speech": "在网络等发表不当言论",
    "safety_accident": "与本人有直接关系的生产安全、技术责任事故",
}
ACHIEVEMENT_KINDS = {
    "patent": "专利",
    "standard": "编制标准工艺或技能等级标准",
    "innovation": "技术创新革新成果",
    "operation_method": "先进操作法",
    "science_award": "科学技术发明或科学技术进步奖",
    "skill_achievement_award": "高技能人才技能成果奖",
}
ORG_RECORD_KINDS = {
    "dishonest_debtor": "被纳入失信被执行人名单",
    "under_investigation": "被有关部门立案调查，尚未有明确结论",
    "abnormal_operation": "被列入经营异常名录",
    "serious_dishonest": "被列入严重违法失信企业名单",
    "business_restricted": "被限制开展经营活动",
    "ordered_suspension": "被责令停产停业",
    "ordered_closure": "被责令关闭",
    "licence_revoked": "被吊销许可证或执照",
}
VOCABULARIES = ("title", "programme", "record", "achievement", "org_record", "occupation", "clause", "attribute",
                "attribute_value")

I32, I8, I16, I64 = np.int32, np.int8, np.int16, np.int64
COMMON = {"person": I32, "source": I8, "verification": I8, "ref": I64}
SCHEMA: dict[str, dict[str, type]] = {
    "person": {"ref": I64, "birth": I32, "gender": I8, "post_category": I8, "residence": I32,
               "src_birth": I8, "src_post_category": I8, "src_residence": I8},
    "employment": {**COMMON, "org": I32, "place": I32, "start": I32, "end": I32, "frontline": I8,
                   "occupation": I32, "full_time": I8},
    "insurance": {**COMMON, "org": I32, "place": I32, "month": I32},
    "certificates": {**COMMON, "level": I8, "kind": I8, "occupation": I32, "issued": I32},
    "competitions": {**COMMON, "level": I8, "klass": I8, "rank": I16, "date": I32, "occupation": I32},
    "titles": {**COMMON, "title": I32, "level": I8, "issuer": I32, "start": I32, "end": I32},
    "achievements": {**COMMON, "kind": I32, "level": I8, "grade": I8, "date": I32},
    "apprentices": {**COMMON, "start": I32, "end": I32, "level": I8, "level_date": I32,
                    "backbone": I8, "competition": I8, "agreement": I8},
    "studios": {**COMMON, "kind": I8, "level": I8, "role": I8, "start": I32, "end": I32},
    "programmes": {**COMMON, "programme": I32, "level": I8, "grade": I8, "start": I32, "end": I32},
    "records": {**COMMON, "kind": I32, "start": I32, "end": I32},
    "attestations": {**COMMON, "clause": I32, "result": I8, "date": I32},
    "attributes": {**COMMON, "attr": I32, "holds": I8, "value": I32, "place": I32, "level": I8, "start": I32,
                   "end": I32},
    "orgs": {"ref": I64, "sector": I8, "large": I8, "place": I32, "known_records": I8, "known_attributes": I8},
    "org_attributes": {"org": I32, "attr": I32, "holds": I8, "value": I32, "place": I32, "level": I8,
                       "start": I32, "end": I32, "source": I8, "verification": I8, "ref": I64},
    "org_records": {"org": I32, "kind": I32, "start": I32, "end": I32, "source": I8,
                    "verification": I8, "ref": I64},
    "places": {"parent": I32, "ref": I64},
}
EVENT_TABLES = ("employment", "insurance", "certificates", "competitions", "titles", "achievements",
                "apprentices", "studios", "programmes", "records", "attestations", "attributes")
for _t in EVENT_TABLES:
    SCHEMA["person"][f"known_{_t}"] = I8

JURISDICTIONS_FILE = Path(__file__).resolve().parent.parent / "accounts" / "data" / "jurisdictions.yaml"


def ordinal(value) -> int:
    """A date (or ISO string) as an ordinal; None -> 0."""
    if value is None or value == "":
        return 0
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    return value.toordinal()


def month_number(value) -> int:
    """'2024-03' / date(2024, 3, x) -> 2024 * 12 + 2."""
    if isinstance(value, str):
        y, m = value.split("-")[:2]
        return int(y) * 12 + int(m) - 1
    return value.year * 12 + value.month - 1


class Table:
    """Named numpy columns of equal length."""

    def __init__(self, name: str, columns: dict[str, np.ndarray]):
        self.name = name
        self.columns = columns

    def __getattr__(self, item):
        try:
            return self.__dict__["columns"][item]
        except KeyError:
            raise AttributeError(item) from None

    def __getitem__(self, item):
        return self.columns[item]

    def __len__(self):
        return len(next(iter(self.columns.values()))) if self.columns else 0

    @classmethod
    def empty(cls, name: str, n: int = 0) -> "Table":
        return cls(name, {c: np.zeros(n, dtype=t) for c, t in SCHEMA[name].items()})


class RefLabels(Sequence):
    """Display labels of a registry batch: each person's primary key as text, made when asked
    (an explanation reads one; making a million strings cost a screening chunk a second)."""

    def __init__(self, refs: np.ndarray):
        self.refs = refs

    def __len__(self):
        return len(self.refs)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [str(int(r)) for r in self.refs[i]]
        return str(int(self.refs[i]))


@dataclass
class Facts:
    """All tables for N people. Build with `Facts.from_records` (tests, cases) or from columns
    (`Facts(n=..., tables={...}, vocab={...}, ...)`, the registry's builder) and call `check()`."""

    n: int
    tables: dict[str, Table]
    vocab: dict[str, list[str]] = field(default_factory=dict)
    labels: list[str] = field(default_factory=list)
    org_names: list[str] = field(default_factory=list)
    place_paths: list[str] = field(default_factory=list)
    attestation_reasons: list[str] = field(default_factory=list)

    def __post_init__(self):
        for name in SCHEMA:
            self.tables.setdefault(name, Table.empty(name, self.n if name == "person" else 0))
        for v in VOCABULARIES:
            self.vocab.setdefault(v, [])
        self._index = {v: {s: i for i, s in enumerate(words)} for v, words in self.vocab.items()}
        self._place_index = {p: i for i, p in enumerate(self.place_paths)}
        if not self.labels:
            self.labels = [str(i) for i in range(self.n)]

    def __getattr__(self, item):
        tables = self.__dict__.get("tables", {})
        if item in tables:
            return tables[item]
        raise AttributeError(item)

    # --- vocabularies and places -------------------------------------------------------------
    def code(self, vocab: str, word: str) -> int:
        """The int code of a word, -1 when no fact uses it (so nothing matches)."""
        return self._index[vocab].get(word, -1)

    def codes(self, vocab: str, words) -> np.ndarray:
        return np.array([self.code(vocab, w) for w in words], dtype=I32)

    def word(self, vocab: str, code: int) -> str:
        return self.vocab[vocab][code] if 0 <= code < len(self.vocab[vocab]) else "未知"

    def place_index(self, path: str) -> int:
        return self._place_index.get(path, -1)

    def within(self, path: str) -> np.ndarray:
        """Boolean mask over places: inside the jurisdiction `path` (itself or a descendant)."""
        parent = self.places.parent
        target = self.place_index(path)
        mask = np.zeros(len(parent), dtype=bool)
        if target < 0:
            return mask
        cur = np.arange(len(parent), dtype=I32)
        while True:
            alive = cur >= 0
            if not alive.any():
                return mask
            mask |= alive & (cur == target)
            cur = np.where(alive, parent[np.maximum(cur, 0)], -1)

    def place_name(self, index: int) -> str:
        return self.place_paths[index].rsplit("/", 1)[-1] if 0 <= index < len(self.place_paths) else "未知地区"

    # --- checks ------------------------------------------------------------------------------
    def check(self) -> "Facts":
        """Raise ValueError when a table misses a column, has a wrong dtype or ragged lengths,
        or an index points outside its table."""
        for name, spec in SCHEMA.items():
            table = self.tables[name]
            lengths = set()
            for col, dtype in spec.items():
                if col not in table.columns:
                    raise ValueError(f"facts table {name} lacks column {col}")
                arr = table.columns[col]
                if arr.dtype != np.dtype(dtype):
                    raise ValueError(f"facts {name}.{col} has dtype {arr.dtype}, expected {np.dtype(dtype)}")
                lengths.add(len(arr))
            if len(lengths) > 1:
                raise ValueError(f"facts table {name} has columns of different lengths {sorted(lengths)}")
        if len(self.person) != self.n or len(self.labels) != self.n:
            raise ValueError("facts person table, labels and n disagree")
        for name in EVENT_TABLES:
            p = self.tables[name].person
            if len(p) and (p.min() < 0 or p.max() >= self.n):
                raise ValueError(f"facts {name}.person outside 0..{self.n - 1}")
        for name in ("employment", "insurance"):
            o = self.tables[name].org
            if len(o) and o.max() >= len(self.orgs):
                raise ValueError(f"facts {name}.org outside the orgs table")
        if len(self.places) != len(self.place_paths) or len(self.orgs) != len(self.org_names):
            raise ValueError("facts places/orgs and their names disagree")
        if len(self.attestation_reasons) != len(self.attestations):
            raise ValueError("facts attestation_reasons and attestations disagree")
        return self.prepare()

    # --- derived structures, computed once when loaded (see "Loading" above) -----------------
    def prepare(self) -> "Facts":
        """(Re)compute the policy-independent structures the engine reads; returns self."""
        person = self.tables["person"]
        self.base = {t: np.where(person[f"known_{t}"] == 1, FAIL, NEEDS_REVIEW).astype(I8) for t in EVENT_TABLES}
        self.all_ok = {t: not bool((self.tables[t].verification == 2).any()) for t in EVENT_TABLES}
        self.all_known = {t: bool((person[f"known_{t}"] == 1).all()) for t in EVENT_TABLES}
        self.runs = InsuranceRuns.of(self.tables["insurance"])
        # Index columns as intp (numpy converts int32 indices to intp on every gather/scatter).
        self.pidx = {t: self.tables[t].person.astype(np.intp) for t in EVENT_TABLES if t != "insurance"}
        e = self.tables["employment"]
        self.emp_org, self.emp_place = e.org.astype(np.intp), e.place.astype(np.intp)
        # Employment rows in (person, start) order (tenure clauses merge spells per person).
        if len(e) < 2 or bool(np.all((e.person[1:] > e.person[:-1]) | ((e.person[1:] == e.person[:-1])
                                                                        & (e.start[1:] >= e.start[:-1])))):
            self.emp_order = np.arange(len(e), dtype=np.intp)
        else:
            self.emp_order = np.lexsort((e.start, e.person)).astype(np.intp)
        self.spells = SortedSpells.of(e, self.emp_order, self.n)
        # Employment rows grouped by org (CSR): spells of a few organisations without a pass over all.
        self.emp_by_org = np.argsort(e.org, kind="stable").astype(np.intp)
        self.emp_org_offsets = np.searchsorted(e.org[self.emp_by_org], np.arange(len(self.orgs) + 1)).astype(np.intp)
        # Highest skill level per person over certificates not rejected (-1: none), and whether
        # some certificate's level is unknown.
        c = self.tables["certificates"]
        ok = c.verification != 2
        self.cert_max = np.full(self.n, -1, I8)
        known_level = ok & (c.level >= 0)
        np.maximum.at(self.cert_max, c.person[known_level], c.level[known_level])
        self.cert_unknown = np.zeros(self.n, bool)
        self.cert_unknown[c.person[ok & (c.level < 0)]] = True
        # Person attribute rows grouped by attribute: a clause reads only its attribute's rows.
        a = self.tables["attributes"]
        order = np.argsort(a.attr, kind="stable").astype(np.intp)
        codes, first = np.unique(a.attr[order], return_index=True)
        bounds = np.append(first, len(order))
        self._attribute_rows = {}
        for k, code in enumerate(codes.tolist()):
            rows = order[bounds[k]:bounds[k + 1]]
            cols = {col: arr[rows] for col, arr in a.columns.items()}
            cols["row"], cols["pidx"] = rows, a.person[rows].astype(np.intp)
            cols["place"] = cols["place"].astype(np.intp)
            self._attribute_rows[code] = Table("attributes", cols)
        self.__dict__["_prepared"] = True
        return self

    def attribute_rows(self, code: int) -> "Table":
        """The rows of `attributes` with attribute `code` (columns as in the table, plus `row`, their
        row numbers, and `pidx`, the person as intp); no rows when nobody has it."""
        if code not in self._attribute_rows:
            empty = Table.empty("attributes")
            empty.columns["row"] = empty.columns["pidx"] = np.zeros(0, np.intp)
            return empty
        return self._attribute_rows[code]

    def ensure_prepared(self) -> "Facts":
        """Facts built without `check()` are prepared on first use (outside any timing that
        assumes loaded facts; builders call `check()`)."""
        if not self.__dict__.get("_prepared"):
            self.prepare()
        return self

    # --- building from nested dicts ----------------------------------------------------------
    @classmethod
    def from_records(cls, people: list[dict], *, employers: dict | None = None,
                     places: list | None = None, policy: str = "", vocabulary=None) -> "Facts":
        """People as nested dicts (the YAML test cases' format; see docs/policy-schema.md) in,
        columns out. `employers` maps employer names to {sector, place, large, records}; `places`
        is a jurisdiction tree like accounts/data/jurisdictions.yaml (the default); `policy` is
        the code prefixed to attestation keys that lack one; `vocabulary` (loader.Vocabulary) rewrites
        title and programme aliases to their canonical names, as the registry does on input."""
        from .recordparse import RecordBuilder

        return RecordBuilder(people, employers=employers or {}, places=places, policy=policy,
                             vocabulary=vocabulary).build()


def load_place_tree() -> list:
    """All of China's places (gongjiang.core.places; shared and cached: do not modify)."""
    from gongjiang.core.places import china_tree

    return china_tree()


@dataclass
class SortedSpells:
    """The employment columns tenure clauses read, in (person, start) order (`Facts.emp_order`),
    with what does not depend on a policy or a date: the person of each row as intp, the first day
    counted (start, unknown -> day 1), the day after the end (open -> far future), whether a row is
    rejected (engine.k_tenure, kernels.tenure)."""

    row: np.ndarray  # intp: the row of `employment` (facts.emp_order)
    person: np.ndarray  # intp
    start: np.ndarray  # int32 (0 unknown)
    first: np.ndarray  # int64: max(start, 1)
    stop_open: np.ndarray  # int64: end + 1, or 2**31 when open
    place: np.ndarray  # intp
    full_time: np.ndarray  # int8
    occupation: np.ndarray  # int32
    ok: np.ndarray  # bool: not rejected

    @classmethod
    def of(cls, e: "Table", order: np.ndarray, n: int) -> "SortedSpells":
        person = e.person[order].astype(np.intp)
        start, end = e.start[order], e.end[order]
        return cls(order, person, start, np.maximum(start, 1).astype(np.int64),
                   np.where(end > 0, end.astype(np.int64) + 1, np.int64(2 ** 31)), e.place[order].astype(np.intp),
                   e.full_time[order], e.occupation[order], e.verification[order] != 2)


@dataclass
class InsuranceRuns:
    """Insured months as runs: rows of `insurance` with the same person, org, place and rejected
    flag and consecutive months, one row per run, sorted by (person, first). A month insured twice
    (two employers, or a duplicate row) appears in two runs; clauses count distinct months."""

    person: np.ndarray  # intp
    org: np.ndarray  # intp (-1 none)
    place: np.ndarray  # intp (-1 unknown)
    ok: np.ndarray  # bool: not rejected
    first: np.ndarray  # int32 month number
    last: np.ndarray  # int32 month number (inclusive)

    @classmethod
    def of(cls, t: "Table") -> "InsuranceRuns":
        n = len(t)
        if n == 0:
            z, zi = np.zeros(0, I32), np.zeros(0, np.intp)
            return cls(zi, zi, zi, np.zeros(0, bool), z, z)
        person, org, place, month = t.person, t.org, t.place, t.month
        rejected = t.verification == 2
        brk = np.empty(n, bool)
        brk[0] = True
        np.not_equal(person[1:], person[:-1], out=brk[1:])
        brk[1:] |= org[1:] != org[:-1]
        brk[1:] |= place[1:] != place[:-1]
        brk[1:] |= rejected[1:] != rejected[:-1]
        brk[1:] |= month[1:] != month[:-1] + 1
        starts = np.flatnonzero(brk)
        ends = np.append(starts[1:], n) - 1
        order = np.lexsort((month[starts], person[starts]))
        starts, ends = starts[order], ends[order]
        return cls(person[starts].astype(np.intp), org[starts].astype(np.intp), place[starts].astype(np.intp),
                   ~rejected[starts], month[starts].astype(I32), month[ends].astype(I32))

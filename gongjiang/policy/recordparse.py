"""Facts.from_records: nested per-person dicts (the YAML test cases' format) to columns.

A person dict, every key optional (a missing list means "not known", an empty one "none"):

    id: case label            id_number: 18-digit ID (gives birth and gender)
    birth: 1980-05-01         gender: M|F           post_category: worker|cadre
    residence: 惠阳区 (a place name or path "广东省/惠州市/惠阳区")
    employment:   [{employer, place, sector, start, end, frontline, occupation}]
    insurance:    [{employer, place, from: 2019-01, to: 2024-12}]
    certificates: [{level: 技师, kind: qualification, occupation, issued}]
    competitions: [{level: 省级, class: 一类, rank: 3, date, occupation}]
    titles:       [{title: 全国技术能手, level, issuer: 淄博市, start, end}]
    achievements: [{kind: patent, level, grade, date}]
    apprentices:  [{count: 2, level: 高级工, level_date, backbone, competition, agreement, start, end}]
    studios:      [{kind: master_studio, level: 市级, role: leader, start, end}]
    programmes:   [{programme: 省双千计划, level: 省级, grade: D, start, end}]
    records:      [{kind: criminal_record, start, end}]
    attestations: {clause_id: pass | fail | {result: pass, reason: ...}}
    attributes:   {nationality: 中国, hukou: 江门市, union_member: true, heritage_inheritor: {level: 省级,
                   start, end}} (true holds, false recorded as not holding; a string is the value,
                   a place for place-valued attributes) or [{attribute, value, holds, level, start, end}]

Employers (the `employers` mapping of a case file) may carry `attributes` the same way (专精特新…)
and `known_attributes: true` when their designations are complete.

Places are paths or unique names of the jurisdiction tree; an unknown place is an error.

Every row may carry source (self, employer, imported, registry, reviewer; default self),
verified (true/false) or verification (unverified/verified/rejected), and ref.
"""
from __future__ import annotations

import numpy as np

from gongjiang.core.idnumbers import parse_resident_id

from . import levels
from .facts import (CERT_KINDS, EVENT_TABLES, GENDERS, POST_CATEGORIES, SCHEMA, SECTORS, SOURCE,
                    STATUS, STUDIO_KINDS, STUDIO_ROLES, VERIFICATION, VOCABULARIES, Facts, Table,
                    load_place_tree, month_number, ordinal)


def _flag(value) -> int:
    if value is None:
        return -1
    if isinstance(value, bool):
        return int(value)
    raise ValueError(f"expected true/false, got {value!r}")


def _grade_letter(value) -> int:
    if value in (None, "", 0):
        return 0
    if isinstance(value, int):
        return value
    return ord(str(value).strip().upper()[0]) - ord("A") + 1


def _flat_places(tree):
    """(paths, parents, names, aliases) of a place tree: name/alias -> place indices."""
    paths, parents, names, aliases = [], [], {}, {}

    def visit(nodes, parent, prefix):
        for node in nodes:
            path = f"{prefix}/{node['name']}" if prefix else node["name"]
            idx = len(paths)
            paths.append(path)
            parents.append(parent)
            names.setdefault(node["name"], []).append(idx)
            for alias in node.get("aliases") or []:
                aliases.setdefault(alias, []).append(idx)
            visit(node.get("children") or [], idx, path)

    visit(tree, -1, "")
    return tuple(paths), tuple(parents), names, aliases


_CHINA: dict = {}


def _china_flat():
    tree = load_place_tree()
    if _CHINA.get("tree") is not tree:
        _CHINA.update(tree=tree, flat=_flat_places(tree))
    return _CHINA["flat"]


class RecordBuilder:
    def __init__(self, people, *, employers, places, policy, vocabulary=None):
        self.people = list(people)
        self.names = vocabulary  # loader.Vocabulary: title and programme aliases -> canonical names
        self.employers = employers
        self.policy = policy
        self.rows = {name: {c: [] for c in SCHEMA[name]} for name in SCHEMA}
        self.vocab = {v: [] for v in VOCABULARIES}
        self.vocab_index = {v: {} for v in VOCABULARIES}
        self.place_paths: list[str] = []
        self.place_index: dict[str, int] = {}
        self.place_aliases: dict[str, list[int]] = {}
        self.org_names: list[str] = []
        self.org_index: dict[str, int] = {}
        self.reasons: list[str] = []
        self._load_places(load_place_tree() if places is None else places)

    # --- interning -----------------------------------------------------------------------
    def _load_places(self, tree):
        paths, parents, names, aliases = _flat_places(tree) if tree is not load_place_tree() else _china_flat()
        self.place_paths = list(paths)
        self.place_index = {p: i for i, p in enumerate(paths)}
        self.place_names, self.place_aliases = names, aliases  # shared, read-only
        self.rows["places"]["parent"] = list(parents)
        self.rows["places"]["ref"] = [-1] * len(paths)

    def place(self, name) -> int:
        if name in (None, ""):
            return -1
        if name in self.place_index:
            return self.place_index[name]
        if "/" in name:  # a partial path: 淄博市/张店区
            last = name.rsplit("/", 1)[-1]
            matches = [i for i in self.place_names.get(last, []) + self.place_aliases.get(last, [])
                       if self.place_paths[i].endswith("/" + name)]
        else:
            matches = self.place_names.get(name) or self.place_aliases.get(name, [])
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise ValueError(f"place name {name!r} is ambiguous; write its path")
        raise ValueError(f"unknown place {name!r}: not in the jurisdiction tree")

    def place_or_none(self, name) -> int:
        """The place index of `name` when it names a place, else -1 (attribute values)."""
        try:
            return self.place(name)
        except ValueError:
            return -1

    def word(self, vocab, word) -> int:
        if word in (None, ""):
            return -1
        index = self.vocab_index[vocab]
        if word not in index:
            index[word] = len(self.vocab[vocab])
            self.vocab[vocab].append(word)
        return index[word]

    def org(self, name, *, sector=None, place=None) -> int:
        if name in (None, ""):
            return -1
        if name in self.org_index:
            return self.org_index[name]
        spec = dict(self.employers.get(name) or {})
        idx = len(self.org_names)
        self.org_names.append(name)
        self.org_index[name] = idx
        rows = self.rows["orgs"]
        rows["ref"].append(spec.get("ref", -1))
        rows["sector"].append(SECTORS[spec.get("sector", sector or "unknown")])
        rows["large"].append(int(bool(spec.get("large", False))))
        rows["place"].append(self.place(spec.get("place", place)))
        rows["known_records"].append(int("records" in spec))
        rows["known_attributes"].append(int(bool(spec.get("known_attributes", False))))
        for rec in self._attribute_rows(spec.get("attributes")):
            self._attribute(self.rows["org_attributes"], rec)
            r = self.rows["org_attributes"]
            r["org"].append(idx)
            self._common(r, rec, with_person=False)
        for rec in spec.get("records", []):
            r = self.rows["org_records"]
            r["org"].append(idx)
            r["kind"].append(self.word("org_record", rec["kind"]))
            r["start"].append(ordinal(rec.get("start")))
            r["end"].append(ordinal(rec.get("end")))
            self._common(r, rec, with_person=False)
        return idx

    @staticmethod
    def _common(r, row, *, with_person=True, person=None):
        if with_person:
            r["person"].append(person)
        r["source"].append(SOURCE[row.get("source", "self")])
        if "verification" in row:
            r["verification"].append(VERIFICATION[row["verification"]])
        else:
            r["verification"].append(1 if row.get("verified") else 0)
        r["ref"].append(row.get("ref", -1))

    # --- people --------------------------------------------------------------------------
    def build(self) -> Facts:
        labels = []
        for i, person in enumerate(self.people):
            labels.append(str(person.get("id", i)))
            self._person(i, person)
        tables = {}
        for name, spec in SCHEMA.items():
            tables[name] = Table(name, {c: np.asarray(self.rows[name][c], dtype=t) for c, t in spec.items()})
        return Facts(n=len(self.people), tables=tables, vocab=self.vocab, labels=labels,
                     org_names=self.org_names, place_paths=self.place_paths,
                     attestation_reasons=self.reasons).check()

    def _person(self, i, p):
        known = set(p)
        unknown_keys = known - {"id", "id_number", "birth", "gender", "post_category", "residence",
                                "note", *EVENT_TABLES}
        if unknown_keys:
            raise ValueError(f"person {p.get('id', i)}: unknown keys {sorted(unknown_keys)}")
        birth, gender, src_birth = 0, 0, 0
        if p.get("id_number"):
            rid = parse_resident_id(str(p["id_number"]))
            birth, gender, src_birth = rid.birth_date.toordinal(), GENDERS[rid.gender], SOURCE["registry"]
        if p.get("birth"):
            birth, src_birth = ordinal(p["birth"]), src_birth or SOURCE["self"]
        if p.get("gender"):
            gender = GENDERS[p["gender"]]
        r = self.rows["person"]
        r["ref"].append(-1)
        r["birth"].append(birth)
        r["gender"].append(gender)
        r["post_category"].append(POST_CATEGORIES[p["post_category"]] if p.get("post_category") else 0)
        r["residence"].append(self.place(p.get("residence")))
        r["src_birth"].append(src_birth)
        r["src_post_category"].append(SOURCE["self"] if p.get("post_category") else 0)
        r["src_residence"].append(SOURCE["self"] if p.get("residence") else 0)
        for table in EVENT_TABLES:
            r[f"known_{table}"].append(int(table in known))
            for row in self._rows_of(p, table):
                getattr(self, f"_row_{table}")(i, row)

    @staticmethod
    def _attribute_rows(value):
        """Attribute rows from the dict form {name: value} or the list form [{attribute, ...}]."""
        if not value:
            return []
        if isinstance(value, list):
            return value
        rows = []
        for name, v in value.items():
            if isinstance(v, bool):
                rows.append({"attribute": name, "holds": v})
            elif isinstance(v, dict):
                rows.append({"attribute": name, **v})
            else:
                rows.append({"attribute": name, "value": v})
        return rows

    def _attribute(self, r, row):
        unknown = set(row) - {"attribute", "holds", "value", "level", "start", "end", "source", "verified",
                              "verification", "ref"}
        if unknown:
            raise ValueError(f"attribute row has unknown keys {sorted(unknown)}")
        value = row.get("value")
        r["attr"].append(self.word("attribute", row["attribute"]))
        r["holds"].append(int(bool(row.get("holds", True))))
        r["value"].append(self.word("attribute_value", None if value is None else str(value)))
        r["place"].append(self.place_or_none(value) if isinstance(value, str) else -1)
        r["level"].append(levels.competition_level(row["level"]) if row.get("level") is not None else -1)
        r["start"].append(ordinal(row.get("start")))
        r["end"].append(ordinal(row.get("end")))

    def _rows_of(self, p, table):
        value = p.get(table)
        if value is None:
            return []
        if table == "attributes":
            return self._attribute_rows(value)
        if table == "attestations" and isinstance(value, dict):
            return [{"clause": k, **(v if isinstance(v, dict) else {"result": v})} for k, v in value.items()]
        return value

    def _row_employment(self, i, row):
        r = self.rows["employment"]
        place = row.get("place")
        org = self.org(row.get("employer"), sector=row.get("sector"), place=place)
        if place is None and org >= 0:
            place_idx = self.rows["orgs"]["place"][org]
        else:
            place_idx = self.place(place)
        r["org"].append(org)
        r["place"].append(place_idx)
        r["start"].append(ordinal(row.get("start")))
        r["end"].append(ordinal(row.get("end")))
        r["frontline"].append(_flag(row.get("frontline")))
        r["occupation"].append(self.word("occupation", row.get("occupation")))
        r["full_time"].append(_flag(row.get("full_time")))
        self._common(r, row, person=i)

    def _row_insurance(self, i, row):
        org = self.org(row.get("employer"), place=row.get("place"))
        place = self.place(row["place"]) if row.get("place") else (self.rows["orgs"]["place"][org] if org >= 0 else -1)
        first, last = month_number(str(row["from"])), month_number(str(row.get("to", row["from"])))
        for m in range(first, last + 1):
            r = self.rows["insurance"]
            r["org"].append(org)
            r["place"].append(place)
            r["month"].append(m)
            self._common(r, row, person=i)

    def _row_certificates(self, i, row):
        r = self.rows["certificates"]
        r["level"].append(levels.skill_level(row["level"]))
        r["kind"].append(CERT_KINDS[row.get("kind", "qualification")])
        r["occupation"].append(self.word("occupation", row.get("occupation")))
        r["issued"].append(ordinal(row.get("issued")))
        self._common(r, row, person=i)

    def _row_competitions(self, i, row):
        r = self.rows["competitions"]
        r["level"].append(levels.competition_level(row["level"]))
        r["klass"].append(levels.competition_class(row.get("class", 0)))
        r["rank"].append(int(row.get("rank") or 0))
        r["date"].append(ordinal(row.get("date")))
        r["occupation"].append(self.word("occupation", row.get("occupation")))
        self._common(r, row, person=i)

    def _row_titles(self, i, row):
        r = self.rows["titles"]
        r["title"].append(self.word("title", self.names.normalise("titles", row["title"]) if self.names
                                    else row["title"]))
        r["level"].append(levels.competition_level(row["level"]) if row.get("level") is not None else -1)
        r["issuer"].append(self.place(row.get("issuer")))
        r["start"].append(ordinal(row.get("start")))
        r["end"].append(ordinal(row.get("end")))
        self._common(r, row, person=i)

    def _row_achievements(self, i, row):
        r = self.rows["achievements"]
        r["kind"].append(self.word("achievement", row["kind"]))
        r["level"].append(levels.competition_level(row["level"]) if row.get("level") is not None else -1)
        r["grade"].append(levels.grade(row.get("grade", 0)))
        r["date"].append(ordinal(row.get("date")))
        self._common(r, row, person=i)

    def _row_apprentices(self, i, row):
        for _ in range(int(row.get("count", 1))):
            r = self.rows["apprentices"]
            r["start"].append(ordinal(row.get("start")))
            r["end"].append(ordinal(row.get("end")))
            r["level"].append(levels.skill_level(row["level"]) if row.get("level") is not None else -1)
            r["level_date"].append(ordinal(row.get("level_date")))
            r["backbone"].append(_flag(row.get("backbone")))
            r["competition"].append(_flag(row.get("competition")))
            r["agreement"].append(_flag(row.get("agreement")))
            self._common(r, row, person=i)

    def _row_studios(self, i, row):
        r = self.rows["studios"]
        r["kind"].append(STUDIO_KINDS[row.get("kind", "master_studio")])
        r["level"].append(levels.competition_level(row["level"]))
        r["role"].append(STUDIO_ROLES[row.get("role", "leader")])
        r["start"].append(ordinal(row.get("start")))
        r["end"].append(ordinal(row.get("end")))
        self._common(r, row, person=i)

    def _row_programmes(self, i, row):
        r = self.rows["programmes"]
        r["programme"].append(self.word("programme", self.names.normalise("programmes", row["programme"])
                                        if self.names else row["programme"]))
        r["level"].append(levels.competition_level(row["level"]) if row.get("level") is not None else -1)
        r["grade"].append(_grade_letter(row.get("grade")))
        r["start"].append(ordinal(row.get("start")))
        r["end"].append(ordinal(row.get("end")))
        self._common(r, row, person=i)

    def _row_records(self, i, row):
        r = self.rows["records"]
        r["kind"].append(self.word("record", row["kind"]))
        r["start"].append(ordinal(row.get("start")))
        r["end"].append(ordinal(row.get("end")))
        self._common(r, row, person=i)

    def _row_attributes(self, i, row):
        r = self.rows["attributes"]
        self._attribute(r, row)
        self._common(r, row, person=i)

    def _row_attestations(self, i, row):
        r = self.rows["attestations"]
        key = str(row["clause"])
        if ":" not in key and self.policy:
            key = f"{self.policy}:{key}"
        r["clause"].append(self.word("clause", key))
        r["result"].append(STATUS[row["result"]])
        r["date"].append(ordinal(row.get("date")))
        self.reasons.append(str(row.get("reason", "")))
        self._common(r, {"source": "reviewer", **row}, person=i)

"""Reading policy files: YAML text -> PolicyFile, with errors that name file, line and field.

    policies/huiyang-chief-technician.yaml:42: honours[0].quota.max must be a positive integer
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from .schema import AttributeEntry, LocalVocabulary, PolicyFile

POLICIES_DIR = Path(__file__).resolve().parent.parent.parent / "policies"
CASES_SUFFIX = ".cases.yaml"


@dataclass
class PolicyError(Exception):
    path: str
    line: int
    field: str
    message: str

    def __str__(self):
        where = f"{self.path}:{self.line}"
        return f"{where}: {self.field} {self.message}" if self.field else f"{where}: {self.message}"


class PolicyFileError(Exception):
    """All errors of one file."""

    def __init__(self, errors: list[PolicyError]):
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


def code_from_path(path: Path) -> str:
    return path.name.removesuffix(".yaml").removesuffix(".yml")


def policy_files(directory: Path = POLICIES_DIR) -> list[Path]:
    return sorted(p for p in directory.glob("*.yaml") if not p.name.endswith(CASES_SUFFIX)
                  and p.name != VOCABULARY_FILE)


# --- vocabulary: canonical title and programme names ---------------------------------------------
VOCABULARY_FILE = "vocabulary.yaml"
VOCABULARY_KINDS = ("titles", "programmes")


def name_key(name: str) -> str:
    """The comparison form of a title or programme name: no whitespace, full-width brackets."""
    text = "".join(str(name or "").split())
    return text.replace("(", "（").replace(")", "）").replace('"', "")


@dataclass
class Vocabulary:
    """Canonical names with their aliases, per kind ("titles", "programmes"), and the attributes
    an `attribute` clause can test (name or alias -> AttributeEntry)."""

    names: dict[str, list[str]]  # kind -> canonical names in file order
    index: dict[str, dict[str, str]]  # kind -> name_key(name or alias) -> canonical name
    attributes: dict[str, AttributeEntry] | None = None

    def attribute(self, name: str) -> AttributeEntry | None:
        return (self.attributes or {}).get(name_key(name))

    def with_local(self, local: LocalVocabulary) -> tuple["Vocabulary", list[tuple[tuple, str]]]:
        """This vocabulary plus a policy's own entries; (merged, [(location, error)])."""
        names = {k: list(v) for k, v in self.names.items()}
        index = {k: dict(v) for k, v in self.index.items()}
        attributes = dict(self.attributes or {})
        errors = []
        for kind in VOCABULARY_KINDS:
            for i, entry in enumerate(getattr(local, kind)):
                names[kind].append(entry.name)
                for word in (entry.name, *entry.aliases):
                    key = name_key(word)
                    if index[kind].get(key, entry.name) != entry.name:
                        errors.append((("vocabulary", kind, i), f"{word!r} already names {index[kind][key]!r}"))
                    index[kind][key] = entry.name
        for i, entry in enumerate(local.attributes):
            for word in (entry.name, entry.label, *entry.aliases):
                key = name_key(word)
                if key in attributes and attributes[key].name != entry.name:
                    errors.append((("vocabulary", "attributes", i), f"{word!r} already names attribute "
                                                                    f"{attributes[key].name!r}"))
                attributes[key] = entry
        return Vocabulary(names, index, attributes), errors

    def canonical(self, kind: str, name: str) -> str | None:
        """The canonical name of `name` (itself or an alias), or None when unknown."""
        return self.index[kind].get(name_key(name))

    def normalise(self, kind: str, name: str) -> str:
        """The canonical name when known, else the name as typed (trimmed)."""
        return self.canonical(kind, name) or str(name or "").strip()


def read_vocabulary(path: Path | str | None = None) -> Vocabulary:
    path = Path(path) if path else POLICIES_DIR / VOCABULARY_FILE
    shown = _shown(path)
    text = path.read_text(encoding="utf-8")
    node = _compose(text, shown)
    data = yaml.safe_load(text) or {}
    errors, names, index = [], {}, {}
    for kind in VOCABULARY_KINDS:
        names[kind], index[kind] = [], {}
        entries = data.get(kind) or []
        for i, entry in enumerate(entries):
            loc = (kind, i)
            if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry["name"].strip():
                errors.append(PolicyError(shown, line_of(node, loc), f"{kind}[{i}].name", "is required"))
                continue
            canonical = entry["name"].strip()
            names[kind].append(canonical)
            for j, word in enumerate([canonical, *(entry.get("aliases") or [])]):
                key = name_key(word)
                if key in index[kind] and index[kind][key] != canonical:
                    errors.append(PolicyError(shown, line_of(node, loc), f"{kind}[{i}].aliases",
                                              f"{word!r} already names {index[kind][key]!r}"))
                index[kind][key] = canonical
    attributes: dict[str, AttributeEntry] = {}
    for i, entry in enumerate(data.get("attributes") or []):
        try:
            attr = AttributeEntry.model_validate(entry)
        except ValidationError as e:
            first = e.errors()[0]
            errors.append(PolicyError(shown, line_of(node, ("attributes", i)),
                                      f"attributes[{i}].{_field(first['loc'])}", _message(first)))
            continue
        for word in dict.fromkeys(name_key(w) for w in (attr.name, attr.label, *attr.aliases)):
            if word in attributes:
                errors.append(PolicyError(shown, line_of(node, ("attributes", i)), f"attributes[{i}]",
                                          f"{word!r} is declared twice"))
            attributes[word] = attr
    if errors:
        raise PolicyFileError(errors)
    return Vocabulary(names, index, attributes)


_VOCABULARY: dict = {}


def vocabulary() -> Vocabulary:
    """The vocabulary of POLICIES_DIR, re-read when the file changes."""
    path = POLICIES_DIR / VOCABULARY_FILE
    stamp = path.stat().st_mtime_ns
    if _VOCABULARY.get("stamp") != stamp:
        _VOCABULARY.update(stamp=stamp, vocabulary=read_vocabulary(path))
    return _VOCABULARY["vocabulary"]


def _named(data, loc=()):
    """(location, kind, name) of every title / programme name in the raw clause tree of a policy."""
    if isinstance(data, dict):
        kind = data.get("kind")
        if kind == "title" and isinstance(data.get("titles"), list):
            for i, name in enumerate(data["titles"]):
                yield loc + ("titles", i), "titles", name
        elif kind == "incumbency" and isinstance(data.get("title"), str):
            yield loc + ("title",), "titles", data["title"]
        elif kind == "programme" and isinstance(data.get("programmes"), list):
            for i, ref in enumerate(data["programmes"]):
                if isinstance(ref, dict) and isinstance(ref.get("name"), str):
                    yield loc + ("programmes", i, "name"), "programmes", ref["name"]
        for key, value in data.items():
            if isinstance(value, (dict, list)):
                yield from _named(value, loc + (key,))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _named(value, loc + (i,))


def _set_at(data, loc, value):
    for item in loc[:-1]:
        data = data[item]
    data[loc[-1]] = value


def _attribute_clauses(data, loc=()):
    """(location, clause dict) of every `attribute` clause in the raw policy."""
    if isinstance(data, dict):
        if data.get("kind") == "attribute":
            yield loc, data
        for key, value in data.items():
            if isinstance(value, (dict, list)):
                yield from _attribute_clauses(value, loc + (key,))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _attribute_clauses(value, loc + (i,))


def _place_fields(data, loc=()):
    """(location, path) of every jurisdiction path the raw policy names."""
    if isinstance(data, dict):
        in_vocabulary = len(loc) >= 1 and loc[0] == "vocabulary"
        for key in ("within", "issuer"):
            named = data.get("kind") in ("title", "attribute") or in_vocabulary
            if named and isinstance(data.get(key), str):
                yield loc + (key,), data[key]
        for key, value in data.items():
            if isinstance(value, (dict, list)) and not (loc == () and key == "document"):
                yield from _place_fields(value, loc + (key,))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _place_fields(value, loc + (i,))


def check_places(data: dict, node, path: str) -> None:
    """Every place a policy names (its jurisdiction, `within`, `issuer`) must be in the
    jurisdiction tree: an unknown place is an error, never a new place."""
    from . import places

    found = []
    if isinstance(data.get("jurisdiction"), str):
        found.append((("jurisdiction",), data["jurisdiction"]))
    found.extend(_place_fields(data))
    errors = []
    for loc, value in found:
        try:
            canonical = places.resolve(value)
        except places.UnknownPlace as e:
            errors.append(PolicyError(path, line_of(node, loc), _field(loc), str(e)))
            continue
        _set_at(data, loc, canonical)
    if errors:
        raise PolicyFileError(errors)


def check_attributes(data: dict, node, path: str, vocab: Vocabulary) -> None:
    """Attribute clauses name a declared attribute (its `of` filled in), allowed values only."""
    errors = []
    for loc, clause in _attribute_clauses(data):
        name = clause.get("attribute")
        entry = vocab.attribute(name) if isinstance(name, str) else None
        if entry is None:
            errors.append(PolicyError(path, line_of(node, loc + ("attribute",)), _field(loc + ("attribute",)),
                                      f"names unknown attribute {name!r}; declare it under vocabulary.attributes "
                                      f"or in policies/{VOCABULARY_FILE}"))
            continue
        clause["attribute"] = entry.name
        if clause.setdefault("of", entry.of) != entry.of:
            errors.append(PolicyError(path, line_of(node, loc + ("of",)), _field(loc + ("of",)),
                                      f"must be {entry.of!r} for attribute {entry.name!r}"))
        values = clause.get("values") or []
        if values and entry.value_kind != "word":
            errors.append(PolicyError(path, line_of(node, loc + ("values",)), _field(loc + ("values",)),
                                      f"attribute {entry.name!r} has no word values"))
        elif entry.values:
            for j, value in enumerate(values):
                if value not in entry.values:
                    errors.append(PolicyError(path, line_of(node, loc + ("values", j)), _field(loc + ("values", j)),
                                              f"{value!r} is not a value of {entry.name!r} ({', '.join(entry.values)})"))
        if clause.get("within") is not None and entry.value_kind != "place":
            errors.append(PolicyError(path, line_of(node, loc + ("within",)), _field(loc + ("within",)),
                                      f"attribute {entry.name!r} is not place-valued"))
        if clause.get("min_level") is not None and not entry.levels:
            errors.append(PolicyError(path, line_of(node, loc + ("min_level",)), _field(loc + ("min_level",)),
                                      f"attribute {entry.name!r} has no levels"))
    if errors:
        raise PolicyFileError(errors)


def canonicalise_names(data: dict, node, path: str, vocab: Vocabulary) -> None:
    """Rewrite aliases in `data` to canonical names; unknown names are errors naming file:line:field."""
    errors = []
    for loc, kind, name in list(_named(data)):
        canonical = vocab.canonical(kind, name) if isinstance(name, str) else None
        if canonical is None:
            what = "title" if kind == "titles" else "programme"
            errors.append(PolicyError(path, line_of(node, loc), _field(loc),
                                      f"names unknown {what} {name!r}; add it (or an alias) to "
                                      f"policies/{VOCABULARY_FILE}"))
        elif canonical != name:
            _set_at(data, loc, canonical)
    if errors:
        raise PolicyFileError(errors)


def _compose(text: str, path: str):
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        raise PolicyFileError([PolicyError(path, (mark.line + 1) if mark else 1, "",
                                           f"YAML syntax error: {e.problem or e}")]) from None


def line_of(node, loc) -> int:
    """The 1-based line of the YAML node reached by following a pydantic error location.
    Location items that are not keys of the node (union tags) are skipped."""
    line = node.start_mark.line + 1 if node is not None else 1
    for item in loc:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == item:
                    node, line = value, key.start_mark.line + 1
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(item, int) and item < len(node.value):
            node = node.value[item]
            line = node.start_mark.line + 1
    return line


def _field(loc) -> str:
    out = ""
    for item in loc:
        if isinstance(item, int):
            out += f"[{item}]"
        elif item in _UNION_TAGS or "[" in str(item):
            continue
        else:
            out += ("." if out else "") + str(item)
    return out


def _message(err) -> str:
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind == "greater_than" and ctx.get("gt") == 0:
        return "must be a positive integer"
    if kind == "greater_than_equal" and ctx.get("ge") == 0:
        return "must not be negative"
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return "is not a known field"
    if kind == "int_type" or kind == "int_parsing":
        return "must be an integer"
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected', '')}"
    if kind == "union_tag_invalid":
        return f"has unknown kind {ctx.get('tag')!r}; expected one of {ctx.get('expected_tags')}"
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    return err["msg"][0].lower() + err["msg"][1:]


def _union_tags():
    from .schema import CLAUSE_KINDS

    return set(CLAUSE_KINDS) | {"int", "list[Period]", "function-after[_lv(), any]"}


_UNION_TAGS = _union_tags()


def parse_text(text: str, path: str, *, code: str | None = None, vocab: Vocabulary | None = None) -> PolicyFile:
    node = _compose(text, path)
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise PolicyFileError([PolicyError(path, 1, "", "a policy file must be a mapping")])
    if code is not None:
        data["code"] = code
    vocab = vocab or vocabulary()
    try:
        local = LocalVocabulary.model_validate(data.get("vocabulary") or {})
    except ValidationError:
        local = None  # reported with file:line by the validation of the whole file below
    if local is not None:
        vocab, clashes = vocab.with_local(local)
        if clashes:
            raise PolicyFileError([PolicyError(path, line_of(node, loc), _field(loc), msg) for loc, msg in clashes])
    check_places(data, node, path)
    canonicalise_names(data, node, path, vocab)
    check_attributes(data, node, path, vocab)
    try:
        return PolicyFile.model_validate(data)
    except ValidationError as e:
        errors = []
        for err in e.errors():
            loc = tuple(err["loc"])
            errors.append(PolicyError(path, line_of(node, loc), _field(loc), _message(err)))
        raise PolicyFileError(errors) from None


@dataclass
class LoadedFile:
    path: Path
    code: str
    text: str
    sha256: str
    policy: PolicyFile


def read_policy(path: Path | str) -> LoadedFile:
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    code = code_from_path(path)
    shown = _shown(path)
    policy = parse_text(text, shown, code=code)
    return LoadedFile(path, code, text, hashlib.sha256(text.encode("utf-8")).hexdigest(), policy)


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(POLICIES_DIR.parent))
    except ValueError:
        return str(path)

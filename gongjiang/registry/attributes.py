"""Person attributes and employer designations as the registry stores them: the attribute is a
name declared in policies/vocabulary.yaml (`attributes`, with `of: person` or `of: employer`), so
adding the next attribute is a vocabulary entry. One check, shared by the forms and the Excel
import, says in Chinese what a row lacks for its attribute (a value of the allowed words, a place,
a level)."""
from __future__ import annotations

from gongjiang.policy.loader import vocabulary


class UnknownAttribute(ValueError):
    """An attribute name that is not in the vocabulary for this kind of holder (Chinese message)."""


def entries(of: str) -> list:
    """The vocabulary's attributes of a person (`of="person"`) or an employer, in file order."""
    seen, out = set(), []
    for entry in (vocabulary().attributes or {}).values():
        if entry.of == of and entry.name not in seen:
            seen.add(entry.name)
            out.append(entry)
    return out


def choices(of: str) -> list[tuple[str, str]]:
    return [(e.name, e.label) for e in entries(of)]


def find(word: str, of: str):
    """The entry named `word` (its name, label or an alias) for a holder of kind `of`."""
    entry = vocabulary().attribute(str(word or "").strip())
    what = "人员属性" if of == "person" else "单位认定类型"
    if entry is None or entry.of != of:
        names = "、".join(e.label for e in entries(of))
        raise UnknownAttribute(f"“{word}”不是词表中的{what}（可填：{names}）")
    return entry


def label(name: str) -> str:
    entry = vocabulary().attribute(name)
    return entry.label if entry is not None else name


def problems(entry, *, value: str, has_place: bool, level) -> list[tuple[str, str]]:
    """(field, Chinese reason) for each thing a row of attribute `entry` lacks or must not have."""
    out = []
    value = (value or "").strip()
    if entry.value_kind == "word":
        if not value:
            allowed = f"（{'、'.join(entry.values)}）" if entry.values else ""
            out.append(("value", f"“{entry.label}”须填写取值{allowed}"))
        elif entry.values and value not in entry.values:
            out.append(("value", f"“{value}”不是“{entry.label}”的取值（可填：{'、'.join(entry.values)}）"))
    elif value:
        out.append(("value", f"“{entry.label}”不填取值"))
    if entry.value_kind == "place" and not has_place:
        out.append(("place", f"“{entry.label}”须填写地区"))
    elif entry.value_kind != "place" and has_place:
        out.append(("place", f"“{entry.label}”不填地区"))
    if entry.levels and level is None:
        out.append(("level", f"“{entry.label}”须填写级别"))
    elif not entry.levels and level is not None:
        out.append(("level", f"“{entry.label}”不分级别，级别须留空"))
    return out

"""The jurisdiction tree as policy files, case files and imports name it: paths such as
`广东省/惠州市/惠阳区`, or a unique name or alias (`惠阳区`, `惠阳`). An unknown place is an
error, never a new top-level place.

The tree is all of China (gongjiang.core.places: GB/T 2260 divisions plus development zones).
"""
from __future__ import annotations

from functools import lru_cache

from gongjiang.core.places import _stamp, china_tree


class UnknownPlace(ValueError):
    """A place name that is not in the jurisdiction tree (or names several places)."""


@lru_cache(maxsize=2)
def _index(stamp) -> tuple[dict[str, str], dict[str, list[str]], dict[str, list[str]]]:
    paths: dict[str, str] = {}
    names: dict[str, list[str]] = {}
    aliases: dict[str, list[str]] = {}

    def visit(nodes, prefix):
        for node in nodes:
            path = f"{prefix}/{node['name']}" if prefix else node["name"]
            paths[path] = path
            names.setdefault(node["name"], []).append(path)
            for word in node.get("aliases") or []:
                aliases.setdefault(word, []).append(path)
            visit(node.get("children") or [], path)

    visit(china_tree(), "")
    return paths, names, aliases


def _current():
    return _index(_stamp())


def resolve(name: str) -> str:
    """The full path of a place given as a path, a unique name or an alias."""
    text = str(name or "").strip()
    paths, names, aliases = _current()
    if text in paths:
        return text
    if "/" in text:
        head, _, last = text.rpartition("/")
        try:
            parent = resolve(head)
        except UnknownPlace:
            parent = None
        if parent is not None:
            inside = [p for p in names.get(last, []) + aliases.get(last, []) if p.rsplit("/", 1)[0] == parent]
            if len(inside) == 1:
                return inside[0]
        raise UnknownPlace(f"unknown place {text!r}: not in the jurisdiction tree")
    found = names.get(text, []) or aliases.get(text, [])
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        raise UnknownPlace(f"place name {text!r} is ambiguous ({', '.join(found[:4])}); write its path")
    raise UnknownPlace(f"unknown place {text!r}: not in the jurisdiction tree")


def is_known(name: str) -> bool:
    try:
        resolve(name)
    except UnknownPlace:
        return False
    return True

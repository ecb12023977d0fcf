""""What awaits me": each app registers a provider returning the items a user should act on.

A provider takes a user and returns a list of `Item`; the home page shows them all, most urgent first.
"""
import datetime as dt
from dataclasses import dataclass

_providers = []


@dataclass(frozen=True)
class Item:
    title: str
    url: str
    count: int = 1
    due: dt.date | None = None
    detail: str = ""


def provider(fn):
    _providers.append(fn)
    return fn


def items_for(user):
    items = []
    for fn in _providers:
        items.extend(fn(user) or [])
    return sorted(items, key=lambda i: (i.due is None, i.due or dt.date.max, i.title))

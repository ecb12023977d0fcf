"""Lists that filter, sort, paginate and export to Excel — the conveniences every list page has.

    table = Listing(request, qs, columns=[Column("姓名", "name"), ...], filters={"status": "status"},
                    search=["name", "serial"], default_sort="-updated_at")
    if table.wants_export: return table.export("申报列表")
    render(..., {"table": table})

`Column(label, sort_field, value=callable)`; the template renders `table.page` rows and
`table.sort_links` headers (see rounds/templates/rounds/_table_head.html).
"""
from dataclasses import dataclass
from typing import Callable
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.core.exceptions import ValidationError
from django.db.models import Q

from gongjiang.core.excel import xlsx_response
from gongjiang.core.params import id_or_none

PAGE_SIZE = 25
EXPORT_LIMIT = 20000


@dataclass
class Column:
    label: str
    field: str = ""          # ORM field to sort by ("" = not sortable)
    value: Callable | None = None  # row -> plain value for export (defaults to getattr(field))

    def cell(self, row):
        if self.value is not None:
            return self.value(row)
        obj = row
        for part in self.field.split("__"):
            obj = getattr(obj, part, "") if obj is not None else ""
        return obj


class Listing:
    def __init__(self, request, queryset, *, columns, filters=None, search=None, default_sort="-pk",
                 page_size=PAGE_SIZE):
        self.request, self.columns = request, columns
        self.params = request.GET
        qs = queryset
        self.active, self.invalid = {}, {}
        for param, field in (filters or {}).items():
            value = self.params.get(param, "").strip()
            if value:
                try:
                    if field.endswith("_id") and id_or_none(value) is None:
                        raise ValueError(f"not an id: {value[:40]!r}")
                    qs = qs.filter(**{field: value})
                except (ValueError, TypeError, ValidationError):
                    qs, self.invalid[param] = qs.none(), value  # a filter no row can match: an empty list
                self.active[param] = value
        self.q = self.params.get("q", "").strip()
        if self.q and search:
            cond = Q()
            for f in search:
                cond |= Q(**{f"{f}__icontains": self.q})
            qs = qs.filter(cond)
        sortable = {c.field for c in columns if c.field}
        sort = self.params.get("sort", "")
        self.sort = sort if sort.lstrip("-") in sortable else default_sort
        self.queryset = qs.order_by(self.sort, "pk")
        self.paginator = Paginator(self.queryset, page_size)
        self.page = self.paginator.get_page(self.params.get("page"))

    @property
    def wants_export(self) -> bool:
        return self.params.get("export") == "xlsx"

    def export(self, filename, title=None):
        rows = ([c.cell(r) for c in self.columns] for r in self.queryset[:EXPORT_LIMIT])
        return xlsx_response(filename, [c.label for c in self.columns], rows, title=title)

    def _url(self, **changes):
        params = {k: v for k, v in self.params.items() if k not in ("page", "export")}
        params.update({k: v for k, v in changes.items() if v is not None})
        return "?" + urlencode(params)

    @property
    def headers(self):
        out = []
        for c in self.columns:
            if not c.field:
                out.append({"label": c.label, "url": None, "mark": ""})
                continue
            current = self.sort.lstrip("-") == c.field
            desc = self.sort.startswith("-")
            nxt = ("" if desc else "-") + c.field if current else c.field
            out.append({"label": c.label, "url": self._url(sort=nxt), "mark": ("▼" if desc else "▲") if current else ""})
        return out

    @property
    def export_url(self):
        return self._url(export="xlsx")

    def page_url(self, n):
        return self._url(page=n)

    @property
    def prev_url(self):
        return self.page_url(self.page.previous_page_number()) if self.page.has_previous() else None

    @property
    def next_url(self):
        return self.page_url(self.page.next_page_number()) if self.page.has_next() else None

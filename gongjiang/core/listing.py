"""Paginated list pages: one page of a queryset and the query string to carry into the page links.

    page, query = paginate(request, qs, 50)
    render(..., {"page": page, "query": query})   # with {% include "web/_pagination.html" %}

A malformed or out-of-range ?page= gives the first or last page, never an error. A caller that
already knows how many rows the queryset has (from counts it shows anyway) passes `count` and
saves the paginator's COUNT(*).
"""
from django.core.paginator import Paginator


def paginate(request, queryset, per_page, count=None):
    paginator = Paginator(queryset, per_page)
    if count is not None:
        paginator.count = count  # a cached_property: set, it is not computed
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()

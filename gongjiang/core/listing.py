"""Paginated list pages: one page of a queryset and the query string to carry into the page links.

    page, query = paginate(request, qs, 50)
    render(..., {"page": page, "query": query})   # with {% include "web/_pagination.html" %}

A malformed or out-of-range ?page= gives the first or last page, never an error.
"""
from django.core.paginator import Paginator


def paginate(request, queryset, per_page):
    page = Paginator(queryset, per_page).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()

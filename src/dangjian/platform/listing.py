"""List pages: search, filter, sort, paginate and export — the same on every screen.

Views build a queryset from ``restrict()`` and hand it here with the allowed sort keys; the
page comes back with everything the shared ``platform/list.html`` pieces need.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.http import QueryDict
from django.utils.functional import cached_property

# Exact counts over a million rows cost more than the page itself; past this many rows the
# list says "10 000+" and pages on. Nobody pages to row 10 001 by hand — they search.
COUNT_CAP = 10_000


# From this offset on, a page's keys are found first and its rows fetched by key.
DEFERRED_JOIN_OFFSET = 1000


class CappedPaginator(Paginator):
    """A paginator whose count stops at ``COUNT_CAP`` + 1 rows (one cheap LIMITed query)."""

    @cached_property
    def count(self) -> int:
        # Without ORDER BY: the database stops after COUNT_CAP + 1 matching rows instead of
        # sorting every match first (a shop-name search matches tens of thousands).
        return self.object_list.order_by()[: COUNT_CAP + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > COUNT_CAP

    def page(self, number):
        """Deep pages (``OFFSET`` ≥ ``DEFERRED_JOIN_OFFSET``) skip rows by primary key only,
        then fetch the page's rows with their joins — the database steps over thousands of
        narrow index entries instead of thousands of joined rows."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if bottom < DEFERRED_JOIN_OFFSET:
            return super().page(number)
        top = min(bottom + self.per_page, self.count)
        keys = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        return self._get_page(self.object_list.filter(pk__in=keys), number, self)


@dataclass
class ListPage:
    page: object
    paginator: CappedPaginator
    query: str
    sort: str
    querystring: str  # current filters without page, for pagination links

    @property
    def rows(self):
        return self.page.object_list


def _is_unique(model, name: str) -> bool:
    try:
        return model._meta.get_field(name).unique
    except FieldDoesNotExist:  # a lookup across a relation ("unit__name")
        return False


def paginate(
    request, queryset, *, sort_fields: dict[str, str], default_sort: str, per_page: int = 25
) -> ListPage:
    """Sort by a whitelisted key (``-`` prefix for descending) and cut out the requested page.

    Counting stays cheap because callers hand over a filtered, un-annotated queryset.
    """
    sort = request.GET.get("sort", default_sort)
    key = sort.lstrip("-")
    if key not in sort_fields:
        sort, key = default_sort, default_sort.lstrip("-")
    order = sort_fields[key]
    descending = sort.startswith("-")
    ordering = [f"-{order}" if descending else order]
    if not _is_unique(queryset.model, order):  # ties need a stable order across pages
        ordering.append("-pk" if descending else "pk")
    queryset = queryset.order_by(*ordering)
    with contextlib.suppress(ValueError):
        per_page = max(10, min(200, int(request.GET.get("per_page", per_page))))
    paginator = CappedPaginator(queryset, per_page)
    page = paginator.get_page(request.GET.get("page"))
    params: QueryDict = request.GET.copy()
    params.pop("page", None)
    return ListPage(
        page=page,
        paginator=paginator,
        query=request.GET.get("q", "").strip(),
        sort=sort,
        querystring=params.urlencode(),
    )


def filtered_list(request, form, selector):
    """``(form, rows)``: ``selector(actor, query=<the search box q>, **filters)`` called with the
    bound filter form's non-empty values — nothing filtered when the form is invalid (its
    errors show on the page). List and export views share it, so both see the same rows."""
    params = {k: v for k, v in form.cleaned_data.items() if v} if form.is_valid() else {}
    return form, selector(request.user, query=request.GET.get("q", "").strip(), **params)

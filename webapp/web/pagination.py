"""Pagination over selects, built on Flask-SQLAlchemy's."""

from flask_sqlalchemy.pagination import Pagination, SelectPagination
from sqlalchemy import func, select
from sqlalchemy.orm import lazyload

from webapp.extensions import db

MAX_PAGE = 1_000_000
# Rows counted from the first of the page shown on, at most (several pages' worth).
COUNT_BEYOND = 1000


class CountingPagination(SelectPagination):
    """Counts only when the page cannot tell: a page with fewer rows than a whole one is the
    last, so the rows before it and its own are the total (a narrow search's usual answer).

    Otherwise it counts at most COUNT_BEYOND rows from the page's first on: a search most
    rows match (a name every generated buyer shares) would have the database read every
    one of them to say how many. When there are that many, `total` is the rows counted and
    `total_is_exact` is False: the page says "or more"."""

    total_is_exact = True

    def _query_count(self):
        shown = len(self.items)
        if shown < self.per_page and (shown or self.page == 1):
            return self._query_offset + shown
        most = self._query_offset + COUNT_BEYOND
        rows = (self._query_args["select"].options(lazyload("*")).order_by(None)
                .limit(most).subquery())
        counted = self._query_args["session"].scalar(select(func.count()).select_from(rows))
        self.total_is_exact = counted < most
        return counted


class RowPagination(CountingPagination):
    """Pages of whole rows, for selects of several columns such as (User, direct, ...)."""

    def _query_items(self):
        select = self._query_args["select"].limit(self.per_page).offset(self._query_offset)
        return list(self._query_args["session"].execute(select).all())


class WindowCountedPagination(RowPagination):
    """Rows that bring their total along: count(*) over () in the page's own statement. For a
    select whose every row is worked out before the first is shown anyway (a union of ids
    sorted by name), which a separate count would work out a second time."""

    def _query_items(self):
        select = (self._query_args["select"].add_columns(func.count().over())
                  .limit(self.per_page).offset(self._query_offset))
        rows = self._query_args["session"].execute(select).all()
        self._counted = rows[0][-1] if rows else None
        return [tuple(row)[:-1] for row in rows]

    def _query_count(self):
        return super()._query_count() if self._counted is None else self._counted


def paginate(select, page: int, per_page: int, rows: bool = False, total: int | None = None,
             total_with_rows: bool = False):
    """A page of `select`; out-of-range pages come back empty rather than 404.

    `total`, when the caller already knows how many rows `select` has, saves the count query;
    `total_with_rows` (for rows) counts them in the page's statement (WindowCountedPagination).
    """
    # A page beyond any real one is empty anyway; the bound keeps OFFSET within an integer.
    page = min(max(page, 1), MAX_PAGE)
    count = total is None
    kind = (WindowCountedPagination if total_with_rows else RowPagination if rows
            else CountingPagination)
    pagination = kind(select=select, session=db.session(), page=page, per_page=per_page,
                      error_out=False, count=count)
    if not count:
        pagination.total = total
    return pagination


class KnownPagination(Pagination):
    """A page whose items and total are known already (kept figures, for instance)."""

    def __init__(self, items: list, total: int, page: int, per_page: int):
        self._known = items, total
        super().__init__(page=page, per_page=per_page, max_per_page=None, error_out=False)

    def _query_items(self) -> list:
        return self._known[0]

    def _query_count(self) -> int:
        return self._known[1]

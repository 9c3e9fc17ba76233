"""Pages of a select: the total is counted only when the page itself cannot tell it."""

import pytest
from sqlalchemy import event, select

from tests import factories as f
from webapp.extensions import db
from webapp.models import RoleKind, Territory
from webapp.web.pagination import paginate


@pytest.fixture
def territories(ctx):
    for n in range(7):
        f.territory(name=f"Territory {n}")
    db.session.commit()
    return select(Territory).order_by(Territory.name)


@pytest.fixture
def statements(ctx):
    seen = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    yield seen
    event.remove(db.engine, "before_cursor_execute", record)


PAGES = [
    (1, 10, 7, 7, False),  # everything fits on the first page
    (2, 3, 3, 7, True),  # a full page: more may follow
    (3, 3, 1, 7, False),  # the last page, partly filled
    (3, 1, 1, 7, True),  # a full page of one
    (4, 3, 0, 7, True),  # beyond the last page: nothing shown tells nothing
]


def _check(found, statements, page, per_page, names, total, statements_issued):
    shown = [item.name if isinstance(item, Territory) else item[0].name
             for item in found.items]
    assert shown == [f"Territory {n}" for n in range((page - 1) * per_page, 7)][:names]
    assert found.total == total
    assert found.pages == -(-total // per_page)
    assert len(statements) == statements_issued


@pytest.mark.parametrize(("page", "per_page", "names", "total", "counted"), PAGES)
@pytest.mark.parametrize("rows", [False, True])
def test_the_total_is_right_and_counted_only_when_needed(territories, statements, page,
                                                         per_page, names, total, counted,
                                                         rows):
    found = paginate(territories, page, per_page, rows=rows)

    _check(found, statements, page, per_page, names, total, 2 if counted else 1)


@pytest.mark.parametrize(("page", "per_page", "names", "total", "counted"), PAGES)
def test_rows_can_bring_their_total_along(territories, statements, page, per_page, names,
                                          total, counted):
    with_id = territories.add_columns(Territory.id)

    found = paginate(with_id, page, per_page, total_with_rows=True)

    assert all(len(row) == 2 and row[1] == row[0].id for row in found.items)
    # Only a page beyond the last has no row to bring the total: it is counted apart.
    _check(found, statements, page, per_page, names, total, 1 if names else 2)


def test_an_empty_select_has_no_pages(ctx, statements):
    found = paginate(select(Territory).where(Territory.name == "nowhere"), 1, 10)

    assert (found.items, found.total, found.pages) == ([], 0, 0)
    assert len(statements) == 1


def test_a_total_past_the_counting_bound_is_counted_that_far_and_says_so(
        territories, statements, monkeypatch):
    monkeypatch.setattr("webapp.web.pagination.COUNT_BEYOND", 4)

    first = paginate(territories, 1, 2)
    assert (first.total, first.total_is_exact, first.pages, first.has_next) == (4, False, 2, True)
    statements.clear()
    later = paginate(territories, 2, 2)  # four counted from this page's first row on
    assert (later.total, later.total_is_exact, later.pages) == (6, False, 3)
    last_but_one = paginate(territories, 3, 2)  # fewer than four left: the exact total
    assert (last_but_one.total, last_but_one.total_is_exact, last_but_one.pages) == (7, True, 4)
    assert len(statements) == 4


def test_a_directory_past_the_counting_bound_says_or_more(app, ctx, login, monkeypatch):
    monkeypatch.setattr("webapp.web.pagination.COUNT_BEYOND", 3)
    app.config["USERS_PER_PAGE"] = 2
    for n in range(4):
        f.user(first_name="Person", last_name=str(n))
    admin = f.user(RoleKind.ADMINISTRATOR)
    db.session.commit()

    page = login(admin).get("/admin/users").text

    assert "Page 1 of 2+ · 3 or more in all" in page

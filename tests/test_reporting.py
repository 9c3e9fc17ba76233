"""Reporting: who sees which buyers, and the totals, tables and exports they get."""

import csv
import io
from html.parser import HTMLParser

import pytest
from sqlalchemy import insert, select

from tests import factories as f
from tests.reporting_world import TODAY, at, events, world_fixture  # noqa: F401
from webapp import access
from webapp.extensions import db
from webapp.models import ActivityEvent, EventKind, User
from webapp.services.activity import rebuild_activity_days
from webapp.services.reporting import (
    ReportFilters,
    Scope,
    all_buyer_lines,
    buyers_page,
    overview,
)
from webapp.services.reporting_activity import programme_ranking

SCOPES = {
    "sam": {"Ben", "Ivan"},  # Alice's (Ben by territory, Ivan suspended but hers)
    "tess": {"Dora"},  # Bob's by territory
    "rita": {"Ben", "Dora", "Nora", "Ivan"},  # reporting for all users
    "alice": {"Ben", "Ivan"},
    "carol": {"Dora", "Nora"},  # Dora directly, Nora through her company's territory
    "admin": {"Ben", "Dora", "Nora", "Ivan"},
    "ben": set(),
}


class TableReader(HTMLParser):
    """The cell texts of each body row of the table with the given id."""

    def __init__(self, table_id):
        super().__init__()
        self.table_id, self.inside, self.in_body = table_id, 0, False
        self.rows, self.cell = [], None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and dict(attrs).get("id") == self.table_id:
            self.inside = 1
        elif self.inside:
            if tag == "tbody":
                self.in_body = True
            elif tag == "tr" and self.in_body:
                self.rows.append([])
            elif tag == "td" and self.in_body:
                self.cell = []
            elif tag == "br" and self.cell is not None:
                self.cell.append("\n")

    def handle_endtag(self, tag):
        if tag == "td" and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split("\n")[0].split()))
            self.cell = None
        elif tag == "table" and self.inside:
            self.inside = 0

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def table_rows(html: str, table_id: str = "buyers-table") -> list[list[str]]:
    reader = TableReader(table_id)
    reader.feed(html)
    return reader.rows


def names_in(html: str) -> set[str]:
    return {row[0].split()[0] for row in table_rows(html)}


@pytest.mark.parametrize("viewer", sorted(SCOPES))
def test_each_viewer_reports_on_exactly_the_buyers_in_their_scope(world, viewer):
    people = world["people"]
    found = {u.first_name for u in db.session.scalars(
        access.reportable_users(people[viewer]))}
    assert found == SCOPES[viewer]


@pytest.mark.parametrize("viewer", ["sam", "tess", "rita", "alice", "admin"])
def test_buyers_table_lists_only_the_buyers_in_scope(world, login, viewer):
    response = login(world["people"][viewer]).get("/reporting/buyers")
    assert response.status_code == 200
    assert names_in(response.text) == SCOPES[viewer]


@pytest.mark.parametrize("viewer, visits, logins, views, active", [
    ("sam", 5, 3, 4, 1),  # Ben only (Ivan's visit is older than 30 days but in 90: +1)
    ("tess", 2, 1, 6, 1),  # Dora
    ("rita", 9, 4, 11, 4),  # everyone: Ben 5, Dora 2, Nora 1, Ivan 1
])
def test_overview_totals_count_the_scope_only(world, viewer, visits, logins, views, active):
    if viewer == "sam":
        visits, active = 6, 2  # Ivan's visit 40 days ago is inside the default 90 days
    result = overview(world["people"][viewer], ReportFilters.default())
    assert result.totals["visits"] == visits
    assert result.totals["logins"] == logins
    assert result.totals["programme_views"] == views
    assert result.active_buyers == active
    assert sum(bucket["visits"] for _, bucket in result.series) == visits


def test_overview_page_shows_totals_meetings_and_summary_emails(world, login):
    page = login(world["people"]["tess"]).get("/reporting").text
    assert 'id="tile-visits"' in page
    assert "Meetings held" in page
    result = overview(world["people"]["tess"], ReportFilters.default())
    assert (result.meetings_held, result.summaries_sent) == (1, 1)
    sam = overview(world["people"]["sam"], ReportFilters.default())
    assert (sam.meetings_held, sam.summaries_sent) == (0, 0)


def test_visits_per_buyer_compare_with_every_buyer(world):
    filters = ReportFilters.default()
    tess = overview(world["people"]["tess"], filters)
    months = filters.days / (365.25 / 12)
    assert tess.visits_per_buyer_month == pytest.approx(2 / 1 / months)
    assert tess.system_visits_per_buyer_month == pytest.approx(9 / 4 / months)


def test_activity_of_internal_users_is_never_counted(world):
    alice = world["people"]["alice"]
    db.session.execute(insert(ActivityEvent), [{"user_id": alice.id, "kind": "visit",
                                                "occurred_at": at(1)}])
    rebuild_activity_days()
    db.session.commit()
    result = overview(world["people"]["admin"], ReportFilters.default())
    assert result.totals["visits"] == 9
    assert "Alice" not in {u.first_name for u in db.session.scalars(
        access.reportable_users(world["people"]["admin"]))}


def test_a_buyer_outside_the_scope_has_no_page_and_no_export(world, login):
    people = world["people"]
    client = login(people["sam"])
    assert client.get(f"/reporting/users/{people['dora'].id}").status_code == 404
    assert client.get(f"/reporting/export.csv?buyer={people['dora'].id}").status_code == 404
    assert client.get(f"/reporting/users/{people['alice'].id}").status_code == 404  # internal
    page = client.get(f"/reporting/users/{people['ben'].id}")
    assert page.status_code == 200
    assert "The Fjord Murders" in page.text and "Played a screener" in page.text


def test_buyer_page_shows_totals_programmes_and_timeline(world, login):
    people = world["people"]
    page = login(people["tess"]).get(f"/reporting/users/{people['dora'].id}").text
    programmes = table_rows(page, "buyer-programmes")
    assert programmes == [["Kitchen Kings", "6", "0", "👍 Interested", programmes[0][4]]]
    assert page.count('<li class="kind-') == 10  # 1 login, 2 visits, 6 views, 1 mark
    assert "Interest marked in a meeting: interested" in page


def test_buyer_activity_csv_lists_the_timeline(world, login):
    people = world["people"]
    response = login(people["tess"]).get(f"/reporting/export.csv?buyer={people['dora'].id}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["When (UTC)", "Activity", "Programme", "List", "Meeting"]
    assert len(rows) == 11
    assert sum(1 for row in rows if row[1] == "Viewed a programme" and row[2] == "Kitchen Kings"
               ) == 6


def test_buyers_csv_equals_the_table(world, login):
    client = login(world["people"]["rita"])
    args = "sort=programme_views&dir=desc"
    table = table_rows(client.get(f"/reporting/buyers?{args}").text)
    response = client.get(f"/reporting/export.csv?{args}")
    assert response.headers["Content-Disposition"].startswith("attachment; filename=\"buyers-")
    rows = list(csv.reader(io.StringIO(response.text)))[1:]
    assert len(rows) == len(table) == 4
    for shown, exported in zip(table, rows, strict=True):
        name, email, company, territories, managers, *counts, last_seen = exported
        assert shown[0] == name
        assert shown[1:4] == [company or "—", territories.replace("; ", ", ") or "—",
                              managers.replace("; ", ", ") or "—"]
        assert shown[4:8] == counts
        assert shown[8] == (last_seen or "—")
    assert [row[0] for row in rows][:2] == ["Dora Weber", "Ben Carter"]  # 6 and 4 views


def test_buyers_table_shows_each_buyers_account_managers_once(world, login):
    rows = table_rows(login(world["people"]["admin"]).get("/reporting/buyers?sort=name").text)
    by_name = {row[0]: row for row in rows}
    assert by_name["Dora Weber"][3] == "Bob Tester, Carol Tester"
    assert by_name["Ben Carter"][3] == "Alice Tester"
    assert by_name["Nora Quinn"][2] == "North America"  # through her company


@pytest.mark.parametrize("sort, direction, expected", [
    ("name", "asc", ["Ben", "Ivan", "Nora", "Dora"]),  # by surname: Carter, Petrov, Quinn, Weber
    ("visits", "desc", ["Ben", "Dora", "Ivan", "Nora"]),
    ("programme_views", "desc", ["Dora", "Ben", "Nora", "Ivan"]),
    ("logins", "asc", ["Ivan", "Nora", "Dora", "Ben"]),
    ("last_seen", "desc", ["Ben", "Dora", "Nora", "Ivan"]),
    ("nonsense", "sideways", ["Ben", "Dora", "Ivan", "Nora"]),  # the default: most visits
])
def test_buyers_table_sorts(world, login, sort, direction, expected):
    page = login(world["people"]["rita"]).get(f"/reporting/buyers?sort={sort}&dir={direction}")
    assert page.status_code == 200
    assert [row[0].split()[0] for row in table_rows(page.text)] == expected


def test_buyers_table_search_finds_by_name_email_or_company(world, login):
    client = login(world["people"]["rita"])
    assert names_in(client.get("/reporting/buyers?q=dora").text) == {"Dora"}
    assert names_in(client.get("/reporting/buyers?q=northlight").text) == {"Ben", "Ivan"}
    assert "No buyer matches" in client.get("/reporting/buyers?q=zzz").text


def test_htmx_request_gets_the_report_alone(world, login):
    response = login(world["people"]["rita"]).get("/reporting/buyers?q=ben",
                                                  headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="report"')
    assert "HX-Request" in response.headers["Vary"]


def test_programmes_rank_the_scope_only(world, login):
    page = login(world["people"]["sam"]).get("/reporting/programmes").text
    rows = table_rows(page, "programmes-table")
    assert [row[1] for row in rows] == ["The Fjord Murders"]  # Nora's view is not Sam's
    assert rows[0][3:] == ["4", "2", "0"]
    page = login(world["people"]["rita"]).get("/reporting/programmes?sort=interested").text
    rows = table_rows(page, "programmes-table")
    assert [row[1] for row in rows] == ["Kitchen Kings", "The Fjord Murders"]
    assert rows[0][3:] == ["6", "0", "1"] and rows[1][3:] == ["5", "2", "0"]
    assert "<svg" in page and "Top programmes by interested" in page


def test_reporting_needs_the_permission(world, login):
    assert login(world["people"]["ben"]).get("/reporting").status_code == 403
    assert TODAY  # the world is dated from today


def crowd(world, count: int = 15) -> list[User]:
    """More buyers than internal users, in North America (Carol's), one visit and one view
    each: "every buyer" is then narrowed as "none of the others"."""
    maple = world["people"]["nora"].company
    buyers = [f.buyer(first_name=f"Crowd{n}", company=maple) for n in range(count)]
    for buyer in buyers:
        events(buyer, EventKind.VISIT, 1, days_ago=5)
        events(buyer, EventKind.PROGRAMME_VIEW, 1, days_ago=5, programme_id=world["fjord"].id)
    return buyers


def members(scope: Scope) -> set[int]:
    return set(db.session.scalars(select(User.id).where(scope.contains(User.id))))


@pytest.mark.parametrize("viewer", ["admin", "carol", "sam"])
def test_a_scope_holds_exactly_its_buyers_whichever_list_narrows_it(world, viewer):
    crowd(world)
    filters = ReportFilters.default()
    scope = Scope.of(world["people"][viewer], filters)
    if viewer == "admin":
        assert len(scope.ids) > len(scope.outside)  # narrowed by the few others
    expected = set(db.session.scalars(access.reportable_users(world["people"][viewer])
                                      .with_only_columns(User.id)))
    assert set(scope.ids) == expected
    assert members(scope) == expected


def test_a_user_added_after_the_scope_was_worked_out_is_not_in_it(world):
    crowd(world)
    scope = Scope.of(world["people"]["admin"], ReportFilters.default())
    late = f.buyer(first_name="Late")
    db.session.commit()
    assert late.id not in members(scope)
    assert members(scope) == set(scope.ids)


def test_reports_on_nearly_every_user_count_every_buyer_once(world):
    crowd(world)
    filters = ReportFilters.default()
    result = overview(world["people"]["admin"], filters)
    assert (result.buyers, result.active_buyers) == (19, 19)
    assert result.totals["visits"] == 9 + 15
    assert result.totals["programme_views"] == 11 + 15
    assert result.system_visits_per_buyer_month == result.visits_per_buyer_month
    carol = overview(world["people"]["carol"], filters)  # Dora, Nora and the crowd
    months = filters.days / (365.25 / 12)
    assert carol.visits_per_buyer_month == pytest.approx((2 + 1 + 15) / 17 / months)
    assert carol.system_visits_per_buyer_month == pytest.approx(24 / 19 / months)
    ranking = programme_ranking(world["people"]["admin"], filters)
    fjord = next(row for row in ranking if row.programme.id == world["fjord"].id)
    assert fjord.views == 4 + 1 + 15


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(world, login):
    dora = world["people"]["dora"]
    dora.first_name = "=HYPERLINK(\"http://evil.example\")"
    db.session.commit()
    response = login(world["people"]["rita"]).get("/reporting/export.csv?sort=name")
    names = [row[0] for row in csv.reader(io.StringIO(response.text))]
    assert "'=HYPERLINK(\"http://evil.example\") Weber" in names
    assert not any(name.startswith(("=", "+", "-", "@")) for name in names)


@pytest.mark.parametrize("sort", ["name", "company", "visits"])
def test_a_page_of_the_buyers_table_counts_as_the_whole_table_does(world, sort):
    """A page sorted by name or company reads its buyers' counts one by one; the whole
    table (the CSV) adds every buyer's up at once: the same figures either way."""
    crowd(world, count=4)
    filters = ReportFilters.default()
    admin = world["people"]["admin"]
    page = buyers_page(admin, filters, sort, False, 1, 50).items
    assert sum(row.visits for row in page) > 0
    assert any(row.territories for row in page) and any(row.account_managers for row in page)
    assert page == list(all_buyer_lines(admin, filters, sort, False))

"""Reporting filters and pages: each narrows every view, and bad input never gives a 500."""

import csv
import io

import pytest

from tests.reporting_world import TODAY, days, long_ago, world_fixture  # noqa: F401
from tests.test_reporting import table_rows


@pytest.fixture
def app_config():
    return {"USERS_PER_PAGE": 2}


def test_buyers_table_pages(world, login):
    client = login(world["people"]["rita"])
    first = client.get("/reporting/buyers?sort=name&dir=asc").text
    second = client.get("/reporting/buyers?sort=name&dir=asc&page=2").text
    assert [r[0] for r in table_rows(first)] == ["Ben Carter", "Ivan Petrov"]
    assert [r[0] for r in table_rows(second)] == ["Nora Quinn", "Dora Weber"]
    assert "Page 1 of 2 · 4 in all" in first
    assert table_rows(client.get("/reporting/buyers?page=9").text) == []
    assert client.get("/reporting/buyers?page=abc").status_code == 200


def test_csv_holds_every_page(world, login):
    response = login(world["people"]["rita"]).get("/reporting/export.csv?sort=name&dir=asc")
    lines = response.text.strip().splitlines()
    assert len(lines) == 5 and lines[1].startswith("Ben Carter,")


@pytest.mark.parametrize("filters, expected", [
    (lambda w: {"am": w["people"]["bob"].id}, {"Dora"}),
    (lambda w: {"am": w["people"]["carol"].id}, {"Dora", "Nora"}),
    (lambda w: {"territory": w["territories"]["uk"].id}, {"Ben", "Ivan"}),
    (lambda w: {"territory": w["territories"]["na"].id}, {"Nora"}),  # through her company
    (lambda w: {"region": w["regions"]["americas"].id}, {"Nora"}),  # her company's region
    (lambda w: {"region": w["regions"]["emea"].id}, {"Ben", "Dora"}),
    (lambda w: {"company": "alpen"}, {"Dora"}),
])
def test_filters_narrow_the_buyers(world, login, filters, expected):
    page = login(world["people"]["rita"]).get("/reporting/buyers", query_string=filters(world))
    assert page.status_code == 200
    assert {name.split()[0] for name in (r[0] for r in table_rows(page.text))} == expected


def test_filters_never_widen_the_scope(world, login):
    client = login(world["people"]["sam"])
    page = client.get("/reporting/buyers", query_string={
        "territory": world["territories"]["dach"].id})
    assert table_rows(page.text) == []
    # Bob is not one of Sam's AMs: not a choice, so a clear message rather than his buyers.
    page = client.get("/reporting/buyers", query_string={"am": world["people"]["bob"].id})
    assert page.status_code == 422 and "Not a valid choice" in page.text
    assert "Dora" not in page.text


def test_date_range_counts_only_activity_inside_it(world, login):
    client = login(world["people"]["rita"])
    export = client.get("/reporting/export.csv", query_string={**days(2), "sort": "name"})
    visits = {row[0]: row[6] for row in csv.reader(io.StringIO(export.text))}
    assert visits == {"Buyer": "Visits", "Ben Carter": "5", "Ivan Petrov": "0",
                      "Nora Quinn": "0", "Dora Weber": "0"}  # every buyer in scope has a row
    old = client.get("/reporting/buyers", query_string={
        "start": long_ago().isoformat(), "end": long_ago().isoformat(), "sort": "visits"})
    assert table_rows(old.text)[0][:1] == ["Ben Carter"] and table_rows(old.text)[0][5] == "1"
    assert "1 of 2 · 4 in all" in old.text


def test_weekly_chart_for_long_periods(world, login):
    client = login(world["people"]["rita"])
    page = client.get("/reporting", query_string=days(400)).text  # a long period
    assert "w/c " in page
    daily = client.get("/reporting", query_string={**days(30), "interval": "day"}).text
    assert "w/c " not in daily and "<svg" in daily
    assert "w/c " not in client.get("/reporting", query_string=days(31)).text
    assert "w/c " in client.get("/reporting").text  # the default 90 days: 13 weeks, not 90 days


@pytest.mark.parametrize("query, message", [
    ({"start": "yesterday"}, "Not a valid date value"),
    ({"start": "2026-02-30"}, "Not a valid date value"),
    ({"start": "2026-05-01", "end": "2026-04-01"}, "The end date must be on or after"),
    ({"start": "2001-01-01", "end": "2020-01-01"}, "at most 3 years"),
    ({"start": "0001-01-01"}, "Choose a date between 2000 and 2099"),
    ({"end": "9999-12-31"}, "Choose a date between 2000 and 2099"),
    ({"am": "abc"}, "Account Manager"),
    ({"territory": "999999"}, "Not a valid choice"),
    ({"interval": "hourly"}, "Not a valid choice"),
    ({"company": "x" * 300}, "Field cannot be longer than 200 characters"),
])
@pytest.mark.parametrize("path", ["/reporting", "/reporting/buyers", "/reporting/programmes"])
def test_bad_filters_get_a_clear_message_and_422(world, login, query, message, path):
    response = login(world["people"]["rita"]).get(path, query_string=query)
    assert response.status_code == 422
    assert "Check the filters" in response.text and message in response.text


def test_bad_filters_on_the_buyer_page_and_the_export(world, login):
    people = world["people"]
    client = login(people["rita"])
    page = client.get(f"/reporting/users/{people['ben'].id}?start=nope")
    assert page.status_code == 422 and "Check the filters" in page.text
    export = client.get("/reporting/export.csv?end=nope")
    assert export.status_code == 422 and "Not a valid date value" in export.text
    assert client.get("/reporting/export.csv?buyer=abc").status_code == 404
    assert client.get("/reporting/export.csv?buyer=99999999999999999999").status_code == 404


def test_a_missing_end_or_start_takes_a_sensible_default(world, login):
    client = login(world["people"]["rita"])
    page = client.get("/reporting/buyers", query_string={"start": TODAY.isoformat()})
    assert page.status_code == 200 and "(1 day, UTC)" in page.text
    page = client.get("/reporting/buyers", query_string={"end": TODAY.isoformat()})
    assert page.status_code == 200 and "(90 days, UTC)" in page.text

"""Reporting's presenting funnel: each title from shown in a meeting to interested, in a
summary sent, a summary link clicked and its screener played, over the viewer's scope and
per Account Manager. The events are made by the product's own paths: present mode's "shown"
change, a thumbs up, the summary sent, a tracked link followed."""

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest

from tests import catalogue_factories as cf
from tests.reporting_world import TODAY, events, world_fixture  # noqa: F401
from webapp.extensions import db
from webapp.models import (
    EmailSource,
    EventKind,
    ListItem,
    ListKind,
    Meeting,
    MeetingStatus,
    ProgrammeList,
)
from webapp.services import activity
from webapp.services.meeting_changes import Change, apply_change
from webapp.services.meeting_summary import send_summary
from webapp.services.reporting import ReportFilters
from webapp.services.reporting_funnel import funnel

STEPS = ("shown", "interested", "in_summary", "clicked", "played")


@pytest.fixture
def presented(world):
    """Bob presents Fjord and Kitchen to Ben (Alice's) and Dora (Bob's and Carol's), Ben and
    Dora like Fjord, the summary goes to both, Ben clicks Fjord's link (and played its
    screener twice in the world already); Dora clicks a shared list's link, which is no
    summary click."""
    p = world["people"]
    fjord, kitchen = world["fjord"], world["kitchen"]
    meeting = Meeting(title="Market day", host=p["bob"], status=MeetingStatus.SCHEDULED,
                      starts_at=datetime.now(UTC) - timedelta(hours=2),
                      attendees=[p["ben"], p["dora"]])
    meeting.programme_list = ProgrammeList(name="Market day", kind=ListKind.MEETING,
                                           owner=p["bob"])
    meeting.programme_list.items.extend([ListItem(programme=fjord, position=1),
                                         ListItem(programme=kitchen, position=2)])
    db.session.add(meeting)
    db.session.commit()
    first, second = meeting.programme_list.items
    for key, kind, item, value in [("shown-fjord-1", "shown", first, "30"),
                                   ("shown-fjord-1", "shown", first, "30"),  # delivered twice
                                   ("shown-kitchen", "shown", second, "12"),
                                   ("like-fjord-01", "interest", first, "up")]:
        status, _ = apply_change(meeting, p["bob"], Change(key=key, kind=kind,
                                                           item_id=item.id, value=value))
        assert status == 200
    send_summary(meeting, p["bob"])
    db.session.commit()
    link = activity.tracked_link(p["ben"], f"/catalogue/{fjord.id}",
                                 source=EmailSource.MEETING_SUMMARY, meeting_id=meeting.id,
                                 programme_id=fjord.id)
    assert activity.follow_link(urlsplit(link).path.rsplit("/", 1)[1], None)
    events(p["dora"], EventKind.EMAIL_CLICK, 1, days_ago=0,
           source=EmailSource.LIST_SHARE, programme_id=kitchen.id)
    return world


def counts(rows) -> dict[str, tuple]:
    """Each row's counts by its label (an AM by first name)."""
    return {row.label.removesuffix(" Tester"): tuple(row.counts[step] for step in STEPS)
            for row in rows}


def last_days(n: int = 30) -> ReportFilters:
    return ReportFilters(start=TODAY - timedelta(days=n - 1), end=TODAY)


def test_each_title_is_followed_from_shown_to_played_over_every_buyer(presented):
    report = funnel(presented["people"]["admin"], last_days())
    # Dora's thumbs up for Kitchen came from the world (three days ago); the list-share
    # click is not a summary click.
    assert counts(report["titles"]) == {"The Fjord Murders": (2, 2, 2, 1, 1),
                                        "Kitchen Kings": (2, 1, 2, 0, 0)}
    assert [row.label for row in report["titles"]] == ["The Fjord Murders", "Kitchen Kings"]
    assert {row.label: row.seconds for row in report["titles"]} == {
        "The Fjord Murders": 30, "Kitchen Kings": 12}
    assert report["totals"] == {"shown": 4, "interested": 3, "in_summary": 4, "clicked": 1,
                                "played": 1}


def test_a_sales_coordinator_sees_only_their_account_managers_buyers(presented):
    people = presented["people"]
    sam = funnel(people["sam"], last_days())  # Alice's SC: Ben only
    assert counts(sam["titles"]) == {"The Fjord Murders": (1, 1, 1, 1, 1),
                                     "Kitchen Kings": (1, 0, 1, 0, 0)}
    assert counts(sam["managers"]) == {"Alice": (2, 1, 2, 1, 1)}
    tess = funnel(people["tess"], last_days())  # DACH: Bob's by territory, Dora only
    assert counts(tess["titles"]) == {"The Fjord Murders": (1, 1, 1, 0, 0),
                                      "Kitchen Kings": (1, 1, 1, 0, 0)}
    assert counts(tess["managers"]) == {"Bob": (2, 2, 2, 0, 0)}


def test_each_account_manager_counts_their_own_buyers_pairs(presented):
    report = funnel(presented["people"]["admin"], last_days())
    managers = counts(report["managers"])
    assert managers["Alice"] == (2, 1, 2, 1, 1)  # Ben
    assert managers["Bob"] == managers["Carol"] == (2, 2, 2, 0, 0)  # Dora (Nora: nothing)


def test_the_am_filter_narrows_the_titles_and_the_managers(presented):
    people = presented["people"]
    filters = ReportFilters(start=TODAY - timedelta(days=29), end=TODAY,
                            account_manager_id=people["alice"].id)
    report = funnel(people["admin"], filters)
    assert counts(report["titles"])["The Fjord Murders"] == (1, 1, 1, 1, 1)
    assert list(counts(report["managers"])) == ["Alice"]


def test_the_period_leaves_earlier_events_out(presented):
    yesterday = TODAY - timedelta(days=1)
    report = funnel(presented["people"]["admin"], ReportFilters(start=yesterday - timedelta(5),
                                                                end=yesterday))
    # Only the world's thumbs up (three days ago) and plays (yesterday) remain; no title
    # reached a meeting step but Kitchen's thumbs up.
    assert counts(report["titles"]) == {"Kitchen Kings": (0, 1, 0, 0, 0)}


def test_the_funnel_page_shows_the_scope_only(presented, client, login):
    people = presented["people"]
    login(people["sam"])
    response = client.get("/reporting/funnel")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'id="funnel-programme-{presented["fjord"].id}"' in page
    assert f'id="funnel-am-{people["alice"].id}"' in page
    assert f'id="funnel-am-{people["bob"].id}"' not in page
    assert "email opens are never counted" in page
    login(people["ben"])
    assert client.get("/reporting/funnel").status_code == 403


def test_plays_of_titles_never_in_a_meeting_are_left_out(presented):
    people = presented["people"]
    elsewhere = cf.programme("Wild Atlantic")
    events(people["ben"], EventKind.SCREENER_PLAY, 2, days_ago=0, programme_id=elsewhere.id)
    report = funnel(people["sam"], last_days())
    assert "Wild Atlantic" not in counts(report["titles"])
    assert counts(report["managers"]) == {"Alice": (2, 1, 2, 1, 1)}

"""A small distributor with known activity, shaped like the demo's named accounts.

Alice covers UK & Ireland, Bob DACH, Carol North America. Sam is linked to Alice, Tess holds
DACH (Bob's by territory), Rita is linked to Carol and may report on all users.
Ben (UK, no direct AM) is Alice's; Dora (DACH, direct AM Carol) is Bob's and Carol's;
Nora (company in North America) is Carol's; Ivan (UK) is suspended but still Alice's.
"""

from datetime import UTC, date, datetime, timedelta

import pytest

from tests import catalogue_factories as cf
from tests import factories as f
from tests.conftest import kept
from webapp.extensions import db
from webapp.models import EventKind, Meeting, MeetingStatus, MeetingSummarySend
from webapp.permissions import Permission
from webapp.services import activity

TODAY = datetime.now(UTC).date()


def at(days_ago: int, hour: int = 10) -> datetime:
    day = TODAY - timedelta(days=days_ago)
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def events(user, kind, count, days_ago=1, **refs):
    for n in range(count):
        activity.record(user, kind, at=at(days_ago, hour=8 + n % 12), **refs)
    db.session.commit()


@pytest.fixture(name="world")
def world_fixture(ctx, database_url):
    """The reporting world (see _build), made once per worker and database."""
    return kept("reporting world", database_url, _build)


def _build() -> dict:
    uk, dach, na = f.territory("UK & Ireland"), f.territory("DACH"), f.territory("North America")
    emea, americas = f.region("EMEA"), f.region("Americas")
    northlight = f.company("Northlight Media", territories=[uk])
    alpenblick = f.company("Alpenblick Fernsehen", territories=[dach])
    maple = f.company("Maple Leaf Networks", territories=[na])
    maple.region = americas
    alice = f.account_manager(first_name="Alice", territories=[uk])
    bob = f.account_manager(first_name="Bob", territories=[dach])
    carol = f.account_manager(first_name="Carol", territories=[na])
    reporting_all = f.custom_role(permissions=[Permission.VIEW_REPORTING,
                                               Permission.VIEW_REPORTING_ALL])
    people = {
        "alice": alice, "bob": bob, "carol": carol,
        "sam": f.sales_coordinator(alice, first_name="Sam"),
        "tess": f.sales_coordinator(first_name="Tess", territories=[dach]),
        "rita": f.sales_coordinator(carol, first_name="Rita", roles=[reporting_all]),
        "admin": f.admin(),
        "ben": f.buyer(first_name="Ben", last_name="Carter", company=northlight,
                       territories=[uk], region=emea),
        "dora": f.buyer(first_name="Dora", last_name="Weber", company=alpenblick,
                        territories=[dach], region=emea, account_manager=carol),
        "nora": f.buyer(first_name="Nora", last_name="Quinn", company=maple),
        "ivan": f.buyer(first_name="Ivan", last_name="Petrov", company=northlight,
                        territories=[uk], is_suspended=True),
    }
    fjord = cf.programme("The Fjord Murders", screener_url="https://screeners.example.com/f")
    kitchen = cf.programme("Kitchen Kings")
    p = people
    # Ben: busy; Dora: some; Nora: a little; Ivan: once, long ago; Alice (internal): ignored.
    events(p["ben"], EventKind.LOGIN, 3)
    events(p["ben"], EventKind.VISIT, 5)
    events(p["ben"], EventKind.PROGRAMME_VIEW, 4, programme_id=fjord.id)
    events(p["ben"], EventKind.SCREENER_PLAY, 2, programme_id=fjord.id)
    events(p["ben"], EventKind.VISIT, 1, days_ago=200)  # outside the default 90 days
    events(p["dora"], EventKind.LOGIN, 1, days_ago=3)
    events(p["dora"], EventKind.VISIT, 2, days_ago=3)
    events(p["dora"], EventKind.PROGRAMME_VIEW, 6, days_ago=3, programme_id=kitchen.id)
    events(p["dora"], EventKind.INTEREST_MARKED, 1, days_ago=3, programme_id=kitchen.id,
           interest=1)
    events(p["nora"], EventKind.VISIT, 1, days_ago=10)
    events(p["nora"], EventKind.PROGRAMME_VIEW, 1, days_ago=10, programme_id=fjord.id)
    events(p["ivan"], EventKind.VISIT, 1, days_ago=40)
    events(p["alice"], EventKind.VISIT, 7)
    meeting = Meeting(title="Alpenblick at MIPCOM", host=bob, starts_at=at(3),
                      started_at=at(3), status=MeetingStatus.SCHEDULED, attendees=[p["dora"]])
    db.session.add(meeting)
    db.session.flush()
    db.session.add(MeetingSummarySend(meeting=meeting, sent_by=bob, sent_at=at(2),
                                      recipients="dora@example.com"))
    db.session.commit()
    return {"people": people, "fjord": fjord, "kitchen": kitchen, "meeting": meeting,
            "territories": {"uk": uk, "dach": dach, "na": na},
            "regions": {"emea": emea, "americas": americas}}


def days(n: int) -> dict:
    """Filter arguments for the last n days."""
    return {"start": (TODAY - timedelta(days=n - 1)).isoformat(), "end": TODAY.isoformat()}


def long_ago() -> date:
    return TODAY - timedelta(days=200)

"""Demo buyer activity: six months of visits, programme views, screener plays, list views and
email clicks, busier around the TV markets, plus what the demo's held meetings imply
(attendances, interest marks, clicks in their summary emails).

Seeded, so every load gives the same pattern (relative to the day it is loaded).
"""

import math
import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import selectinload

from webapp import access
from webapp.extensions import db
from webapp.models import (
    ActivityEvent,
    EmailSource,
    EventKind,
    LinkEventKind,
    ListItem,
    ListShare,
    Meeting,
    MeetingSummarySend,
    Programme,
    ShareLinkEvent,
    User,
)
from webapp.services.activity import rebuild_activity_days

DAYS = 183
# Market weeks, as days before the load: buyers are busiest around them.
MARKETS = [12, 75, 160]
# Named buyers the README mentions get a steady, busy history.
KEEN = {"ben@demo.test": 3.0, "dora@demo.test": 2.2}


def _market_boost(days_ago: int) -> float:
    return 1 + sum(2.5 * math.exp(-((days_ago - m) / 5) ** 2) for m in MARKETS)


def _visit_moments(rng, now: datetime, visits: int) -> list[datetime]:
    """Visit starts: weekdays and office hours mostly, more of them near the markets."""
    weights = []
    for days_ago in range(DAYS):
        day = now - timedelta(days=days_ago)
        weights.append(_market_boost(days_ago) * (0.25 if day.weekday() >= 5 else 1.0))
    days = rng.choices(range(DAYS), weights=weights, k=visits)
    moments = []
    for days_ago in days:
        start = (now - timedelta(days=days_ago)).replace(hour=0, minute=0, second=0,
                                                          microsecond=0)
        moment = start + timedelta(hours=rng.triangular(6, 19, 10), minutes=rng.random() * 60)
        moments.append(min(moment, now - timedelta(minutes=rng.randint(5, 600))))
    return sorted(moments)


def _events(kind, user_id, at, **refs) -> dict:
    return {"user_id": user_id, "kind": kind.value, "occurred_at": at, "programme_id": None,
            "list_id": None, "meeting_id": None, "source": None, "interest": None,
            "seconds": None, **refs}


def _browsing(rng, buyer_id, programmes, weights, shares, now, level) -> list[dict]:
    rows = []
    visits = max(0, round(rng.gauss(26, 9) * level))
    taste = rng.sample(range(len(programmes)), k=min(25, len(programmes)))
    for at in _visit_moments(rng, now, visits):
        if rng.random() < 0.45:
            rows.append(_events(EventKind.LOGIN, buyer_id, at))
        rows.append(_events(EventKind.VISIT, buyer_id, at))
        moment = at
        for _ in range(rng.choice([0, 1, 1, 2, 2, 3, 4, 6])):
            moment += timedelta(seconds=rng.randint(20, 400))
            if rng.random() < 0.55:
                index = rng.choice(taste)
            else:
                index = rng.choices(range(len(programmes)), weights=weights)[0]
            programme = programmes[index]
            rows.append(_events(EventKind.PROGRAMME_VIEW, buyer_id, moment,
                                programme_id=programme.id))
            if programme.screener_url and rng.random() < 0.3:
                moment += timedelta(seconds=rng.randint(30, 120))
                rows.append(_events(EventKind.SCREENER_PLAY, buyer_id, moment,
                                    programme_id=programme.id))
        for share in shares:
            if share.shared_at.replace(tzinfo=UTC) < at and rng.random() < 0.15:
                rows.append(_events(EventKind.LIST_VIEW, buyer_id, at + timedelta(seconds=30),
                                    list_id=share.list_id))
    return [row for row in rows if row["occurred_at"] < now]


def _share_clicks(rng, shares, now) -> list[dict]:
    """Clicks in list-share emails, soon after each share."""
    rows = []
    for share in shares:
        shared_at = share.shared_at.replace(tzinfo=UTC)
        if share.buyer_id is not None and rng.random() < 0.7:
            at = min(shared_at + timedelta(hours=rng.uniform(0.5, 30)), now)
            rows.append(_events(EventKind.EMAIL_CLICK, share.buyer_id, at,
                                source=EmailSource.LIST_SHARE.value, list_id=share.list_id))
            rows.append(_events(EventKind.LIST_VIEW, share.buyer_id, at, list_id=share.list_id))
    return rows


def _link_events(rng, shares, now) -> list[dict]:
    """Views and plays through the personal links to people without an account: a few
    openings each, within the view cap, while the link worked."""
    rows = []
    for share in shares:
        if share.buyer_id is not None or share.token_digest is None:
            continue
        start = share.shared_at.replace(tzinfo=UTC)
        until = min(now, share.expires_at.replace(tzinfo=UTC),
                    share.revoked_at.replace(tzinfo=UTC) if share.revoked_at else now)
        views = min(rng.randint(1, 4), share.max_views or 4)
        for _ in range(views):
            at = start + (until - start) * rng.random()
            rows.append({"share_id": share.id, "kind": LinkEventKind.LIST_VIEW.value,
                         "programme_id": None, "occurred_at": at})
            if rng.random() < 0.6:
                item = rng.choice(share.list.items)
                rows.append({"share_id": share.id, "kind": LinkEventKind.SCREENER_PLAY.value,
                             "programme_id": item.programme_id,
                             "occurred_at": at + timedelta(minutes=rng.uniform(1, 20))})
    return rows


def _presented(meeting, attendees, started) -> list[dict]:
    """Present mode in a held meeting: every card shown for a while, then (for each summary
    sent) every programme in the summary, a click or two leading on to a screener played.
    Drawn from a source of the meeting's own, so the other generators draw as before."""
    rng = random.Random(meeting.id)
    rows = []
    items = db.session.scalars(select(ListItem).where(ListItem.list_id == meeting.list_id)
                               .order_by(ListItem.position, ListItem.id)).all() \
        if meeting.list_id else []
    moment = started
    for item in items:
        seconds = rng.randint(20, 240)
        moment += timedelta(seconds=seconds)
        rows.extend(_events(EventKind.PROGRAMME_SHOWN, buyer.id, moment, meeting_id=meeting.id,
                            programme_id=item.programme_id, seconds=seconds)
                    for buyer in attendees)
    for send in db.session.scalars(select(MeetingSummarySend).where(
            MeetingSummarySend.meeting_id == meeting.id)):
        sent_at = send.sent_at.replace(tzinfo=UTC)
        for buyer in attendees:
            rows.extend(_events(EventKind.SUMMARY_INCLUDED, buyer.id, sent_at,
                                meeting_id=meeting.id, programme_id=item.programme_id)
                        for item in items)
            for item in items:
                if item.include_screener and rng.random() < 0.5:
                    at = sent_at + timedelta(hours=rng.uniform(2, 48))
                    rows.append(_events(EventKind.EMAIL_CLICK, buyer.id, at,
                                        source=EmailSource.MEETING_SUMMARY.value,
                                        meeting_id=meeting.id, programme_id=item.programme_id))
                    rows.append(_events(EventKind.SCREENER_PLAY, buyer.id,
                                        at + timedelta(seconds=5), programme_id=item.programme_id))
    return rows


def _meeting_events(rng, now) -> list[dict]:
    """What the held meetings imply: each buyer attendee attended, and gave the marks."""
    rows = []
    buyer_ids = set(db.session.scalars(access.reportable_buyers().with_only_columns(User.id)))
    meetings = db.session.scalars(
        select(Meeting).where(Meeting.started_at.is_not(None))
        .options(selectinload(Meeting.attendees))).all()
    for meeting in meetings:
        started = meeting.started_at.replace(tzinfo=UTC)
        attendees = [a for a in meeting.attendees if a.id in buyer_ids]
        items = db.session.scalars(select(ListItem).where(
            ListItem.list_id == meeting.list_id, ListItem.interest.is_not(None))).all() \
            if meeting.list_id else []
        rows.extend(_presented(meeting, attendees, started))
        for buyer in attendees:
            rows.append(_events(EventKind.MEETING_ATTENDED, buyer.id, started,
                                meeting_id=meeting.id))
            for minute, item in enumerate(items, start=2):
                rows.append(_events(EventKind.INTEREST_MARKED, buyer.id,
                                    started + timedelta(minutes=minute), meeting_id=meeting.id,
                                    programme_id=item.programme_id, interest=item.interest))
        for send in db.session.scalars(select(MeetingSummarySend).where(
                MeetingSummarySend.meeting_id == meeting.id)):
            for buyer in attendees:
                if rng.random() < 0.6:
                    at = send.sent_at.replace(tzinfo=UTC) + timedelta(hours=rng.uniform(1, 40))
                    liked = [i.programme_id for i in items if i.interest and i.interest > 0]
                    rows.append(_events(EventKind.EMAIL_CLICK, buyer.id, min(at, now),
                                        source=EmailSource.MEETING_SUMMARY.value,
                                        meeting_id=meeting.id,
                                        programme_id=rng.choice(liked) if liked else None))
    return [row for row in rows if row["occurred_at"] <= now]


def load_demo_activity(rng, now: datetime | None = None) -> int:
    """Generate the demo's activity events and their daily rollup; returns how many events."""
    now = now or datetime.now(UTC)
    programmes = db.session.scalars(select(Programme).order_by(Programme.id)).all()
    buyers = db.session.scalars(access.reportable_buyers()).all()
    if not programmes or not buyers:
        return 0
    # A few titles are everyone's favourites; most are looked at now and then.
    weights = [1 / (rank + 1) ** 0.9 for rank in range(len(programmes))]
    rng.shuffle(weights)
    shares = db.session.scalars(select(ListShare)).all()
    for share in shares:
        if share.shared_at.replace(tzinfo=UTC) > now - timedelta(days=1):
            # Lists shared while loading: date them a few weeks back, as a real team's are.
            moved = now - timedelta(days=rng.uniform(5, 60))
            if share.expires_at is not None:  # the link lasts as long as it was given
                share.expires_at = share.expires_at.replace(tzinfo=UTC) + (
                    moved - share.shared_at.replace(tzinfo=UTC))
            share.shared_at = moved
    rows = []
    for buyer in buyers:
        level = KEEN.get(buyer.email) or rng.choice([0, 0.2, 0.5, 0.8, 1, 1, 1.3, 1.8, 2.5])
        own_shares = [s for s in shares if s.buyer_id == buyer.id]
        rows.extend(_browsing(rng, buyer.id, programmes, weights, own_shares, now, level))
    rows.extend(_share_clicks(rng, shares, now))
    rows.extend(_meeting_events(rng, now))
    rows.sort(key=lambda row: row["occurred_at"])
    if rows:
        db.session.execute(insert(ActivityEvent), rows)
    if link_rows := _link_events(rng, shares, now):
        db.session.execute(insert(ShareLinkEvent), link_rows)
    rebuild_activity_days()
    return len(rows)

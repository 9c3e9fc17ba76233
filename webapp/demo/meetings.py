"""Demo meetings: held ones at the last market (with marks, notes and a summary sent) and in
the office (Alice's and Bob's still without a summary: a follow-up overdue), today's for the
in-meeting view, and upcoming ones, for each Account Manager."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from webapp import access
from webapp.extensions import db
from webapp.models import (
    InvitationState,
    ListItem,
    ListKind,
    Meeting,
    MeetingInvitation,
    MeetingStatus,
    MeetingSummarySend,
    Programme,
    ProgrammeList,
    User,
)
from webapp.services.catalogue import is_video_file

# (days from today, local hour, market, zone, held)
SLOTS = [
    (-40, 10, "MIPCOM 2026", "Europe/Paris", True),
    (-39, 15, "MIPCOM 2026", "Europe/Paris", True),
    (-12, 11, "London office", "Europe/London", True),
    (0, 9, "Client visit", "Europe/London", False),
    (0, 14, "Client visit", "Europe/London", False),
    (6, 10, "ATF 2026", "Asia/Singapore", False),
    (55, 16, "NATPE Global", "America/New_York", False),
]
# The slots (by index) of Alice's meetings Ben attends: one held at MIPCOM, one upcoming.
BENS_SLOTS = (0, 5)
# Whose office meeting still waits for its summary: a follow-up overdue on their home pages.
FOLLOW_UP_OVERDUE = {"Alice", "Bob"}
ITEM_NOTES = ["Loved the first episode.", "Wants the German dub.", "Slot: Sunday 20:15.",
              "Send the format bible.", "", ""]
MEETING_NOTES = ("Good meeting. They are rebuilding their autumn schedule and want "
                 "returning drama; budget decisions in January.")


def _user(login: str) -> User:
    return db.session.scalar(select(User).where(User.email == f"{login}@demo.test"))


def _with_a_playable_screener(programme_list, programmes, host, today: bool) -> None:
    """Today's meetings open with a programme whose screener plays in present mode (one of
    the demo's sample videos), unless the list has one already."""
    playable = [p for p in programmes if is_video_file(p.screener_url)]
    if not today or not playable or any(
            is_video_file(item.programme.screener_url) for item in programme_list.items):
        return
    programme_list.items.insert(0, ListItem(programme=playable[host.id % len(playable)],
                                            position=0))


def _meeting(rng, host, creator, buyers, programmes, slot, today) -> Meeting:
    days, hour, market, zone, held = slot
    local = datetime.combine(today + timedelta(days=days), time(hour), tzinfo=ZoneInfo(zone))
    company = buyers[0].company.name if buyers[0].company else buyers[0].full_name
    meeting = Meeting(title=f"{company} × {host.first_name}", host=host, created_by=creator,
                      status=MeetingStatus.SCHEDULED, starts_at=local.astimezone(UTC),
                      timezone=zone, duration_minutes=rng.choice([30, 45, 60]), market=market,
                      stand="R7.C12" if market.startswith("MIP") else "",
                      room=f"Meeting room {rng.randint(1, 6)}",
                      pre_meeting_notes="Check their current slots and last season's buys.",
                      attendees=buyers)
    programme_list = ProgrammeList(name=meeting.title, kind=ListKind.MEETING, owner=host)
    for position, programme in enumerate(rng.sample(programmes, rng.randint(4, 7)), start=1):
        item = ListItem(programme=programme, position=position, note=rng.choice(ITEM_NOTES))
        if held:
            item.interest = rng.choice([1, 1, -1, None])
            item.include_screener = item.interest == 1 and bool(programme.screener_url)
        programme_list.items.append(item)
    _with_a_playable_screener(programme_list, programmes, host, days == 0)
    meeting.programme_list = programme_list
    if held:
        meeting.started_at = meeting.starts_at
        meeting.meeting_notes = MEETING_NOTES
    if held and not (days > -30 and host.first_name in FOLLOW_UP_OVERDUE):
        # The SC who set a meeting up sends its summary for the host.
        db.session.add(MeetingSummarySend(
            meeting=meeting, sent_by=creator, acting_for=host if creator is not host else None,
            sent_at=meeting.starts_at + timedelta(hours=3),
            recipients="\n".join(b.email for b in buyers)))
    invited_at = min(meeting.starts_at - timedelta(days=14), datetime.now(UTC))
    team = [host] if creator is host else [host, creator]
    for person in [*team, *buyers]:
        db.session.add(MeetingInvitation(meeting=meeting, person=person,
                                         state=InvitationState.INVITED, sequence=0,
                                         first_sent_at=invited_at, last_sent_at=invited_at))
    db.session.add(meeting)
    return meeting


def load_demo_meetings(rng) -> int:
    """Create the demo meetings; returns how many were made."""
    programmes = db.session.scalars(select(Programme).order_by(Programme.id)).all()
    if not programmes:
        return 0
    today = datetime.now(UTC).date()
    tess, sam, ben = _user("tess"), _user("sam"), _user("ben")
    count = 0
    for host in db.session.scalars(access.account_managers()).all():
        buyers = db.session.scalars(access.buyers_of(host)).all()
        if not buyers:
            continue
        for n, slot in enumerate(SLOTS):
            chosen = rng.sample(buyers, min(len(buyers), rng.randint(1, 3)))
            if host.first_name == "Alice" and n in BENS_SLOTS and ben not in chosen:
                chosen[0] = ben  # so that Ben's home page has meetings, past and upcoming
            creator = tess if host.first_name == "Bob" and n % 2 else (
                sam if host.first_name == "Alice" and n % 2 else host)
            _meeting(rng, host, creator, chosen, programmes, slot, today)
            count += 1
    return count

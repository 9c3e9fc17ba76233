"""The in-meeting view: the host's day, the host only, and changes applied exactly once."""

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from tests import factories as f
from tests.catalogue_factories import programme
from webapp.extensions import db
from webapp.models import (
    ActivityEvent,
    AppliedChange,
    EventKind,
    ListItem,
    ListKind,
    Meeting,
    MeetingStatus,
    MeetingSummarySend,
    OutboxMessage,
    ProgrammeList,
)
from webapp.services.meeting_index import default_day, meeting_days

pytestmark = pytest.mark.usefixtures("ctx")


@pytest.fixture
def people():
    dach = f.territory("DACH")
    bob = f.account_manager(first_name="Bob", territories=[dach])
    return {"bob": bob, "carol": f.account_manager(first_name="Carol"),
            "tess": f.sales_coordinator(first_name="Tess", territories=[dach]),
            "dora": f.buyer(first_name="Dora", territories=[dach]),
            "hans": f.buyer(first_name="Hans", territories=[dach]), "admin": f.admin()}


def make_meeting(people, starts_at, title="Alpenblick × Bob", zone="Europe/Berlin", **fields):
    meeting = Meeting(title=title, host=people["bob"], created_by=people["tess"],
                      status=MeetingStatus.SCHEDULED, starts_at=starts_at, timezone=zone,
                      attendees=[people["dora"], people["hans"]], **fields)
    meeting.programme_list = ProgrammeList(name=title, kind=ListKind.MEETING, owner=people["bob"])
    meeting.programme_list.items.append(ListItem(
        programme=programme(f"Wild Atlantic {title}", screener_url="https://screeners.example/w"),
        position=1, note="Before the meeting."))
    db.session.add(meeting)
    db.session.commit()
    return meeting


@pytest.fixture
def meeting(people):
    return make_meeting(people, datetime.now(UTC) + timedelta(hours=1))


def change(client, meeting, key, kind, **fields):
    return client.post(f"/ipad/meetings/{meeting.id}/changes",
                       data={"key": key, "kind": kind, **fields})


def events(kind):
    return db.session.scalar(select(func.count()).select_from(ActivityEvent).where(
        ActivityEvent.kind == kind))


def test_the_day_picker_offers_only_days_with_meetings_defaulting_to_the_next(
        client, login, people):
    in_two_days = datetime.now(UTC).replace(hour=10, minute=0) + timedelta(days=2)
    make_meeting(people, in_two_days, title="Soon")
    make_meeting(people, in_two_days + timedelta(days=5), title="Later")
    make_meeting(people, in_two_days - timedelta(days=30), title="Past")
    cancelled = make_meeting(people, in_two_days + timedelta(days=9), title="Called off")
    cancelled.status = MeetingStatus.CANCELLED
    db.session.commit()
    login(people["bob"])
    page = client.get("/ipad/").get_data(as_text=True)
    assert "Soon" in page and "Later" not in page
    assert page.count('class="day-chip') == 3  # past, soon, later; not the cancelled one
    later = (in_two_days + timedelta(days=5)).date().isoformat()
    assert "Later" in client.get(f"/ipad/?day={later}").get_data(as_text=True)
    assert "Soon" in client.get("/ipad/?day=not-a-date").get_data(as_text=True)
    for other in ("carol", "tess", "admin"):  # Tess set these meetings up; still not hers
        login(people[other])
        assert "You host no meetings yet" in client.get("/ipad/").get_data(as_text=True)


def test_a_meeting_is_shown_on_its_own_local_day(client, login, people):
    # 23:30 in Los Angeles is the next day in UTC: the meeting belongs to its local day.
    local_day = date.today() + timedelta(days=3)
    starts = datetime(local_day.year, local_day.month, local_day.day, 23, 30,
                      tzinfo=ZoneInfo("America/Los_Angeles"))
    assert starts.astimezone(UTC).date() != local_day
    make_meeting(people, starts.astimezone(UTC), title="Late call", zone="America/Los_Angeles")
    login(people["bob"])
    page = client.get(f"/ipad/?day={local_day.isoformat()}").get_data(as_text=True)
    assert "Late call" in page and "23:30" in page


@pytest.mark.parametrize("viewer", ["tess", "carol", "admin", "dora"])
def test_only_the_host_may_open_or_change_the_meeting(client, login, people, meeting, viewer):
    login(people[viewer])
    assert client.get(f"/ipad/meetings/{meeting.id}").status_code == 404
    assert change(client, meeting, "k" * 16, "start").status_code == 404
    assert db.session.get(Meeting, meeting.id).started_at is None


def test_opening_the_page_changes_nothing_and_the_start_is_recorded_once(
        client, login, people, meeting):
    login(people["bob"])
    assert client.get(f"/ipad/meetings/{meeting.id}").status_code == 200
    db.session.refresh(meeting)
    assert meeting.started_at is None
    assert change(client, meeting, "start-1-abcdef", "start").status_code == 200
    db.session.refresh(meeting)
    first = meeting.started_at
    assert change(client, meeting, "start-2-abcdef", "start").status_code == 200
    db.session.refresh(meeting)
    assert meeting.started_at == first
    assert events(EventKind.MEETING_ATTENDED) == 2  # Dora and Hans, once each


def test_a_replayed_change_is_applied_once_and_answered_the_same(client, login, people, meeting):
    login(people["bob"])
    item = meeting.programme_list.items[0]
    first = change(client, meeting, "tap-000001", "interest", item_id=item.id, value="up")
    again = change(client, meeting, "tap-000001", "interest", item_id=item.id, value="up")
    assert first.status_code == again.status_code == 200
    assert first.get_json() == again.get_json() == {"interest": "up", "key": "tap-000001"}
    assert events(EventKind.INTEREST_MARKED) == 2  # one per attendee, not per delivery
    db.session.refresh(item)
    assert item.interest == 1
    assert len(first.get_data()) < 2048


def test_a_note_sent_again_under_its_key_is_answered_as_first_and_applied_once(
        client, login, people, meeting):
    login(people["bob"])
    item = meeting.programme_list.items[0]
    first = change(client, meeting, "note-lost-answer", "note", item_id=item.id,
                   value="Wants the dub", version=1)
    again = change(client, meeting, "note-lost-answer", "note", item_id=item.id,
                   value="Wants the dub", version=1)
    assert first.status_code == again.status_code == 200
    assert first.get_json() == again.get_json() == {
        "version": 2, "text": "Wants the dub", "key": "note-lost-answer"}
    db.session.refresh(item)
    assert (item.note, item.note_version) == ("Wants the dub", 2)


@pytest.mark.parametrize("other", [
    {"value": "Wants the dub and the subtitles"},  # typed on after the first was sent
    {"version": "2"},
    {"item_id": "other"},
    {"kind": "meeting_notes"},
])
def test_a_key_sent_again_with_other_content_is_refused_and_changes_nothing(
        client, login, people, meeting, other):
    login(people["bob"])
    item = meeting.programme_list.items[0]
    extra = ListItem(programme=programme("Kitchen Kings"), position=2)
    meeting.programme_list.items.append(extra)
    db.session.commit()
    sent = {"item_id": item.id, "value": "Wants the dub", "version": 1}
    assert change(client, meeting, "note-reused-1", "note", **sent).status_code == 200
    fields = {**sent, **other}
    if fields["item_id"] == "other":
        fields["item_id"] = extra.id
    kind = fields.pop("kind", "note")
    reused = change(client, meeting, "note-reused-1", kind, **fields)
    assert reused.status_code == 422
    assert reused.get_json()["reason"] == "key_reused"
    assert reused.get_json()["key"] == "note-reused-1"
    db.session.expire_all()
    assert (item.note, item.note_version) == ("Wants the dub", 2)
    assert (extra.note, extra.note_version) == ("", 1)
    assert db.session.get(Meeting, meeting.id).meeting_notes_version == 1
    kept = db.session.get(AppliedChange, "note-reused-1")
    assert kept.status == 200 and "Wants the dub" in kept.answer
    # The first content, sent again, is still answered as it was the first time.
    assert change(client, meeting, "note-reused-1", "note", **sent).get_json()["version"] == 2


def test_a_key_is_one_meetings_change_not_anothers(client, login, people, meeting):
    other = make_meeting(people, datetime.now(UTC) + timedelta(hours=2), title="Other")
    login(people["bob"])
    assert change(client, meeting, "start-shared-1", "start").status_code == 200
    reused = change(client, other, "start-shared-1", "start")
    assert reused.status_code == 422 and reused.get_json()["reason"] == "key_reused"
    assert db.session.get(Meeting, other.id).started_at is None


def test_a_change_kept_before_digests_were_recorded_is_still_replayed(
        client, login, people, meeting):
    db.session.add(AppliedChange(key="old-change-1", meeting_id=meeting.id, status=200,
                                 answer='{"started": true}'))
    db.session.commit()
    login(people["bob"])
    replay = change(client, meeting, "old-change-1", "start")
    assert replay.status_code == 200
    assert replay.get_json() == {"started": True, "key": "old-change-1"}


def test_screener_toggle_and_interest_cleared(client, login, people, meeting):
    login(people["bob"])
    item = meeting.programme_list.items[0]
    change(client, meeting, "tap-000002", "screener", item_id=item.id, value="on")
    change(client, meeting, "tap-000003", "interest", item_id=item.id, value="down")
    change(client, meeting, "tap-000004", "interest", item_id=item.id, value="none")
    db.session.refresh(item)
    assert item.include_screener is True and item.interest is None


def test_a_note_is_one_record_shared_with_the_website(client, login, people, meeting):
    login(people["bob"])
    item = meeting.programme_list.items[0]
    saved = change(client, meeting, "note-000001", "note", item_id=item.id,
                   value="Loved it", version=item.note_version)
    assert saved.status_code == 200
    assert saved.get_json() == {"version": 2, "text": "Loved it", "key": "note-000001"}
    assert "Loved it" in client.get(f"/meetings/{meeting.id}").get_data(as_text=True)


def test_a_note_changed_on_the_website_meanwhile_is_a_conflict_with_both_texts(
        client, login, people, meeting):
    item = meeting.programme_list.items[0]
    login(people["tess"])
    client.post(f"/lists/{meeting.list_id}/items/{item.id}/note",
                data={"note": "Tess: send the dub", "version": 1})
    login(people["bob"])
    stale = change(client, meeting, "note-000002", "note", item_id=item.id,
                   value="Bob: loved it", version=1)
    assert stale.status_code == 409
    assert stale.get_json()["text"] == "Tess: send the dub"
    assert stale.get_json()["version"] == 2
    db.session.refresh(item)
    assert item.note == "Tess: send the dub"
    both = change(client, meeting, "note-000003", "note", item_id=item.id,
                  value="Tess: send the dub\n\nBob: loved it", version=2)
    assert both.status_code == 200


def test_meeting_notes_conflict_like_item_notes(client, login, people, meeting):
    login(people["bob"])
    assert change(client, meeting, "mn-0000001", "meeting_notes", value="One",
                  version=1).status_code == 200
    stale = change(client, meeting, "mn-0000002", "meeting_notes", value="Two", version=1)
    assert stale.status_code == 409 and stale.get_json()["text"] == "One"


def test_a_programme_added_from_the_catalogue_is_added_once(client, login, people, meeting):
    extra = programme("Kitchen Kings")
    login(people["bob"])
    assert change(client, meeting, "add-0000001", "add_item", item_id=extra.id).status_code == 200
    change(client, meeting, "add-0000001", "add_item", item_id=extra.id)
    db.session.expire_all()
    assert [i.programme.title for i in meeting.programme_list.items][-1] == "Kitchen Kings"
    assert len(meeting.programme_list.items) == 2
    results = client.get(f"/ipad/meetings/{meeting.id}/catalogue?q=kitchen").get_data(
        as_text=True)
    assert "On the list" in results
    assert "Kitchen Kings" in client.get(f"/ipad/meetings/{meeting.id}/items").get_data(
        as_text=True)


def test_send_from_the_ipad_goes_once_and_is_recorded_like_the_website(
        client, login, people, meeting):
    login(people["bob"])
    answer = change(client, meeting, "send-000001", "send_summary", value="before_start")
    assert answer.get_json()["sent_to"] == 2 and answer.get_json()["key"] == "send-000001"
    # The day is named when the send's day is not the meeting's (near midnight, say).
    assert re.match(r"Sent to 2 buyers (on .+ )?at \d\d:\d\d .+ by Bob ", answer.get_json()["note"])
    change(client, meeting, "send-000001", "send_summary", value="before_start")
    sends = db.session.scalars(select(MeetingSummarySend)).all()
    assert len(sends) == 1 and sends[0].sent_by == people["bob"]
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.kind == "meeting_summary")) == 2
    summary = client.get(f"/ipad/meetings/{meeting.id}/summary")
    assert "Wild Atlantic" in summary.get_data(as_text=True)
    assert "sandbox" in summary.headers["Content-Security-Policy"]


def test_a_cancelled_meeting_takes_no_changes(client, login, people, meeting):
    meeting.status = MeetingStatus.CANCELLED
    db.session.commit()
    login(people["bob"])
    response = change(client, meeting, "late-000001", "start")
    assert response.status_code == 422 and "cancelled" in response.get_json()["error"]


@pytest.mark.parametrize("fields", [
    {"key": "short", "kind": "start"},
    {"key": "k" * 65, "kind": "start"},
    {"key": "k" * 16, "kind": "delete_everything"},
    {"key": "k" * 16, "kind": "note", "item_id": "abc"},
    {"key": "k" * 16, "kind": "note", "item_id": "1", "version": "<script>"},
])
def test_malformed_changes_are_refused_with_a_reason(client, login, people, meeting, fields):
    login(people["bob"])
    response = client.post(f"/ipad/meetings/{meeting.id}/changes", data=fields)
    assert response.status_code == 400 and response.get_json()["error"]
    assert db.session.scalar(select(func.count()).select_from(AppliedChange)) == 0


def test_an_unknown_item_is_a_clear_error_not_a_crash(client, login, people, meeting):
    login(people["bob"])
    response = change(client, meeting, "gone-000001", "note", item_id=999999, value="x")
    assert response.status_code == 422
    assert "no longer on the meeting" in response.get_json()["error"]


def test_today_is_the_default_day_when_it_has_meetings(client, login, people):
    now = datetime.now(UTC)
    make_meeting(people, now, title="Right now", zone="UTC")
    make_meeting(people, now + timedelta(days=1), title="Tomorrow's", zone="UTC")
    login(people["bob"])
    page = client.get("/ipad/").get_data(as_text=True)
    assert "Right now" in page and "Tomorrow's" not in page
    assert "Today, " in page


def test_today_is_the_date_where_the_hosts_meetings_are(people):
    auckland = ZoneInfo("Pacific/Auckland")
    day = datetime.now(UTC).date() + timedelta(days=10)
    for local_day in (day - timedelta(days=1), day):
        make_meeting(people, datetime.combine(local_day, time(9), tzinfo=auckland)
                     .astimezone(UTC), title=f"On {local_day}", zone="Pacific/Auckland")
    # 01:00 in Auckland on `day` is still the day before in UTC.
    now = datetime.combine(day, time(1), tzinfo=auckland).astimezone(UTC)
    days, today = meeting_days(people["bob"], now)
    assert days == [day - timedelta(days=1), day]
    assert today == day and default_day(days, today) == day


def test_every_change_made_here_shows_on_the_website_at_the_next_load(
        client, login, people, meeting):
    login(people["bob"])
    item = meeting.programme_list.items[0]
    extra = programme("Kitchen Kings")
    website = f"/meetings/{meeting.id}"
    assert "Screener in summary" not in client.get(website).get_data(as_text=True)
    for key, kind, fields in [
            ("web-000001", "interest", {"item_id": item.id, "value": "up"}),
            ("web-000002", "screener", {"item_id": item.id, "value": "on"}),
            ("web-000003", "note", {"item_id": item.id, "value": "Wants the dub", "version": 1}),
            ("web-000004", "meeting_notes", {"value": "Call back in May", "version": 1}),
            ("web-000005", "add_item", {"item_id": extra.id})]:
        assert change(client, meeting, key, kind, **fields).status_code == 200
    page = client.get(website).get_data(as_text=True)
    for shown in ("Interested", "Screener in summary", "Wants the dub", "Call back in May",
                  "Kitchen Kings"):
        assert shown in page, shown


def test_the_summary_tab_shows_who_gets_it_and_its_subject(client, login, people, meeting):
    login(people["bob"])
    page = client.get(f"/ipad/meetings/{meeting.id}").get_data(as_text=True)
    assert f"&lt;{people['dora'].email}&gt;" in page and f"&lt;{people['hans'].email}&gt;" in page
    assert "Our meeting: Alpenblick × Bob" in page
    assert 'id="send-summary"' in page


def _png_size(data: bytes) -> str:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return f"{int.from_bytes(data[16:20], 'big')}x{int.from_bytes(data[20:24], 'big')}"


def test_the_view_is_installable_full_screen_from_the_home_screen(client, login, people, meeting):
    login(people["bob"])
    for url in ("/ipad/", f"/ipad/meetings/{meeting.id}"):
        page = client.get(url).get_data(as_text=True)
        assert 'rel="manifest" href="/static/ipad/manifest.webmanifest"' in page
        assert 'rel="apple-touch-icon" href="/static/ipad/icon-180.png"' in page
        assert '<meta name="apple-mobile-web-app-capable" content="yes">' in page
        assert 'data-service-worker="/ipad/sw.js"' in page
    with client.get("/static/ipad/manifest.webmanifest") as response:
        manifest = response.get_json(force=True)
    assert manifest["display"] in ("standalone", "fullscreen")
    assert manifest["start_url"].startswith(manifest["scope"]) and manifest["scope"] == "/ipad/"
    assert manifest["name"] and manifest["short_name"]
    sizes = set()
    for icon in manifest["icons"]:
        with client.get(icon["src"]) as response:
            assert response.status_code == 200 and _png_size(response.get_data()) == icon["sizes"]
        sizes.add(icon["sizes"])
    assert {"192x192", "512x512"} <= sizes
    with client.get("/static/ipad/icon-180.png") as response:
        assert _png_size(response.get_data()) == "180x180"
    with client.get("/ipad/sw.js") as worker:  # served from /ipad/ so its scope is the view
        assert worker.status_code == 200
        assert "javascript" in worker.mimetype


def test_the_outbox_rules_load_before_the_view_and_are_kept_for_offline(
        client, login, people, meeting):
    login(people["bob"])
    page = client.get(f"/ipad/meetings/{meeting.id}").get_data(as_text=True)
    outbox, view = "/static/build/ipad/outbox.js", "/static/build/ipad/ipad.js"
    assert page.index(f'src="{outbox}"') < page.index(f'src="{view}"')
    with client.get("/ipad/sw.js") as worker:
        kept = worker.get_data(as_text=True)
    assert f'"{outbox}"' in kept and f'"{view}"' in kept
    for script in (outbox, view):  # the minified files `make setup` builds
        with client.get(script) as response:
            assert response.status_code == 200 and "Outbox" in response.get_data(as_text=True)


def test_the_stylesheet_has_no_hover_only_controls_and_reads_at_arms_length(client):
    with client.get("/static/build/ipad/ipad.css") as response:  # minified, as served
        css = response.get_data(as_text=True)
    assert ":hover" not in css  # a finger has no hover
    assert "font-size:18px" in css.split("}")[0]  # the root size every rem follows
    assert "--touch: 48px" in css


# --- Present mode ---------------------------------------------------------------------------


def test_present_mode_shows_the_cards_and_never_renders_internal_notes(
        client, login, people, meeting):
    meeting.pre_meeting_notes = "Internal: they overpaid last year"
    meeting.meeting_notes = "Notes for the summary, typed in the meeting"
    item = meeting.programme_list.items[0]
    item.note = "Internal: push the dub price"
    item.programme.synopsis = "A year on the wild western edge of Europe."
    item.programme.year, item.programme.runtime_minutes = 2024, 50
    db.session.commit()
    login(people["bob"])
    response = client.get(f"/ipad/meetings/{meeting.id}/present")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'id="meeting-item-{item.id}"' in page
    assert "A year on the wild western edge of Europe." in page and "50 min" in page
    assert 'data-kind="interest"' in page and 'data-kind="screener"' in page
    for internal in ("they overpaid", "push the dub price", "Notes for the summary"):
        assert internal not in page
    assert "<textarea" not in page
    # Not a video file: the screener opens in a new tab.
    assert 'target="_blank"' in page and "<video" not in page


def test_a_screener_that_is_a_video_file_plays_inline(client, login, people, meeting):
    item = meeting.programme_list.items[0]
    item.programme.screener_url = "/media/demo/screeners/sample-1.mp4"
    db.session.commit()
    login(people["bob"])
    page = client.get(f"/ipad/meetings/{meeting.id}/present").get_data(as_text=True)
    assert '<video class="screener-video" controls playsinline preload="none"' in page
    assert 'src="/media/demo/screeners/sample-1.mp4"' in page


@pytest.mark.parametrize("viewer", ["tess", "carol", "dora"])
def test_only_the_host_may_present(client, login, people, meeting, viewer):
    login(people[viewer])
    assert client.get(f"/ipad/meetings/{meeting.id}/present").status_code == 404


def shown_events():
    return db.session.execute(select(ActivityEvent.user_id, ActivityEvent.programme_id,
                                     ActivityEvent.meeting_id, ActivityEvent.seconds)
                              .where(ActivityEvent.kind == EventKind.PROGRAMME_SHOWN)
                              .order_by(ActivityEvent.user_id)).all()


def test_a_shown_change_is_recorded_once_per_buyer_whatever_its_deliveries(
        client, login, people, meeting):
    login(people["bob"])
    item = meeting.programme_list.items[0]
    first = change(client, meeting, "shown-000001", "shown", item_id=item.id, value="42")
    again = change(client, meeting, "shown-000001", "shown", item_id=item.id, value="42")
    assert first.status_code == again.status_code == 200
    assert first.get_json() == again.get_json() == {"shown": 42, "key": "shown-000001"}
    assert shown_events() == [(people["dora"].id, item.programme_id, meeting.id, 42),
                              (people["hans"].id, item.programme_id, meeting.id, 42)]
    reused = change(client, meeting, "shown-000001", "shown", item_id=item.id, value="43")
    assert reused.status_code == 422 and reused.get_json()["reason"] == "key_reused"
    # Shown again later: another change, another key, counted again.
    assert change(client, meeting, "shown-000002", "shown", item_id=item.id,
                  value="7").status_code == 200
    assert len(shown_events()) == 4


@pytest.mark.parametrize("value", ["", "0", "-3", "ten", "1.5"])
def test_a_shown_change_needs_whole_seconds(client, login, people, meeting, value):
    login(people["bob"])
    item = meeting.programme_list.items[0]
    response = change(client, meeting, f"shown-bad-{value}-x", "shown", item_id=item.id,
                      value=value)
    assert response.status_code == 422 and "Seconds shown" in response.get_json()["error"]
    assert shown_events() == []


# --- Adding seasons and episodes from the catalogue tab ------------------------------------


def test_the_catalogue_tab_adds_a_season_or_an_episode(client, login, people, meeting):
    from tests.catalogue_factories import episode, season

    show = programme("Kitchen Kings", screener_url="https://screeners.example/k")
    first, second = season(show, 1), season(show, 2)
    finale = episode(second, 10, title="The Final")
    login(people["bob"])
    results = client.get(f"/ipad/meetings/{meeting.id}/catalogue?q=Kitchen").get_data(
        as_text=True)
    assert f'data-part="season:{first.id}"' in results
    assert f'data-part="episode:{finale.id}"' in results
    assert change(client, meeting, "add-season-1", "add_item", item_id=show.id,
                  value=f"season:{first.id}").status_code == 200
    assert change(client, meeting, "add-episode-1", "add_item", item_id=show.id,
                  value=f"episode:{finale.id}").status_code == 200
    db.session.expire_all()
    added = db.session.get(Meeting, meeting.id).programme_list.items[1:]
    assert [(i.programme_id, i.season_id, i.episode_id) for i in added] == [
        (show.id, first.id, None), (show.id, second.id, finale.id)]
    assert [i.label for i in added] == ["Kitchen Kings · Season 1",
                                        "Kitchen Kings · Season 2 · Ep. 10: The Final"]
    results = client.get(f"/ipad/meetings/{meeting.id}/catalogue?q=Kitchen").get_data(
        as_text=True)
    assert f'data-part="season:{first.id}"' not in results  # on the list now
    assert f'data-part="season:{second.id}"' in results


@pytest.mark.parametrize("part", ["season:999999", "episode:abc", "film:1", "season:"])
def test_adding_a_missing_or_foreign_part_is_refused(client, login, people, meeting, part):
    from tests.catalogue_factories import season

    show, other = programme("Kitchen Kings"), programme("Orbit Station Nine")
    foreign = season(other, 1)
    login(people["bob"])
    for value in (part, f"season:{foreign.id}"):
        response = change(client, meeting, f"add-bad-{value}-key"[:60], "add_item",
                          item_id=show.id, value=value)
        assert response.status_code == 422, value
    db.session.expire_all()
    assert len(db.session.get(Meeting, meeting.id).programme_list.items) == 1


def test_a_screener_on_this_site_is_played_through_the_counted_redirect(client, login, people):
    show = programme("Wild Atlantic", screener_url="/media/demo/screeners/sample-2.mp4")
    login(people["dora"])
    response = client.get(f"/catalogue/screeners/programme/{show.id}")
    assert response.status_code == 302
    assert response.headers["Location"] == "/media/demo/screeners/sample-2.mp4"
    assert events(EventKind.SCREENER_PLAY) == 1

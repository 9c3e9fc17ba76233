"""The outbox sends a backlog in batches: an answer lost in the middle of a batch costs one
more request for that change alone, and nothing is applied twice."""

import json

from playwright.sync_api import Page, Route, expect
from sqlalchemy import func, select

from e2e.test_ipad import first_items, item_row, open_first_meeting
from webapp.extensions import db
from webapp.models import ActivityEvent, AppliedChange, EventKind, Meeting


def test_a_backlog_syncs_in_a_batch_and_an_answer_dropped_mid_batch_is_sent_again(
        ipad_page: Page, live_app):
    page = ipad_page
    meeting = open_first_meeting(page, live_app)
    first, second, third = first_items(page, 3)
    batches = []

    def drop_the_middle_answer(route: Route) -> None:
        sent = [c["key"] for c in route.request.post_data_json["changes"]]
        batches.append(sent)
        response = route.fetch()  # the CMS applies the whole batch
        reply = response.json()
        if len(batches) == 1:  # the answer to the middle change never arrives
            reply["answers"] = [a for a in reply["answers"] if a["key"] != sent[len(sent) // 2]]
        route.fulfill(response=response, body=json.dumps(reply))

    page.route("**/ipad/changes", drop_the_middle_answer)
    page.context.set_offline(True)
    page.locator(f"#meeting-item-{first} .mark.up").click()
    page.locator(f"#note-{first}").fill("Wants the dub")
    page.locator(f"#meeting-item-{second} .mark.down").click()
    page.locator(f"#note-{second}").fill("Too long for the slot")
    page.locator(f"#meeting-item-{third} .mark.up").click()
    page.get_by_role("tab", name="Notes").click()  # in portrait, the notes have a tab
    page.locator("#meeting-notes").fill("Send the Nordic rights sheet")
    page.locator("#meeting-notes").blur()
    expect(page.locator("#sync-status")).to_have_text("Offline: 6 changes waiting")

    page.context.set_offline(False)
    expect(page.locator("#sync-status")).to_have_text("All changes saved")
    assert len(batches) == 2 and len(batches[0]) == 6
    assert batches[1] == [batches[0][3]], "only the change whose answer was lost goes again"
    assert item_row(live_app, first).interest == 1
    assert item_row(live_app, second).note == "Too long for the slot"
    assert item_row(live_app, third).interest == 1
    with live_app.app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AppliedChange).where(
            AppliedChange.key.in_(batches[0]))) == 6
        marks = db.session.scalar(select(func.count()).select_from(ActivityEvent).where(
            ActivityEvent.kind == EventKind.INTEREST_MARKED,
            ActivityEvent.meeting_id == meeting.id))
        attendees = len(db.session.get(Meeting, meeting.id).attendees)
    assert attendees and marks == 3 * attendees, "each mark recorded once, its batch sent twice"
    page.reload()
    expect(page.locator(f"#note-{second}")).to_have_value("Too long for the slot")
    expect(page.locator("#sync-status")).to_have_text("All changes saved")

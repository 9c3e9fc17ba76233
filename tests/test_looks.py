"""How pages read: counts in words, one status on a meeting, the same actions on every form."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from tests import factories as f
from tests.catalogue_factories import programme
from webapp.extensions import db
from webapp.models import ListItem, ListKind, Meeting, MeetingStatus, ProgrammeList
from webapp.web.formatting import plural

pytestmark = pytest.mark.usefixtures("ctx")


def text(response):
    return response.get_data(as_text=True)


@pytest.fixture
def host():
    return f.account_manager(first_name="Bob")


def meeting_with(host, attendees, **fields):
    meeting = Meeting(title="Alpenblick × Bob", host=host, created_by=host,
                      status=MeetingStatus.SCHEDULED, timezone="Europe/Berlin",
                      starts_at=datetime.now(UTC) + timedelta(days=3), attendees=attendees,
                      **fields)
    db.session.add(meeting)
    db.session.commit()
    return meeting


@pytest.mark.parametrize("count, expected", [
    (0, "0 buyers"), (1, "1 buyer"), (2, "2 buyers"), (1204, "1,204 buyers")])
def test_plural_puts_the_count_beside_the_right_form_of_the_word(count, expected):
    assert plural(count, "buyer") == expected


def test_plural_takes_an_irregular_plural():
    assert plural(3, "company", "companies") == "3 companies"
    assert plural(1, "company", "companies") == "1 company"


def test_a_meeting_with_one_buyer_says_one_buyer(client, login, host):
    meeting = meeting_with(host, [f.buyer(first_name="Dora")])
    login(host)
    page = text(client.get(f"/meetings/{meeting.id}"))
    assert "1 buyer will be sent the cancellation" in page
    assert "1 buyers" not in page


def test_a_meeting_with_two_buyers_says_two_buyers(client, login, host):
    meeting = meeting_with(host, [f.buyer(first_name="Dora"), f.buyer(first_name="Hans")])
    login(host)
    assert "2 buyers will be sent the cancellation" in text(client.get(f"/meetings/{meeting.id}"))


def test_a_meeting_already_held_shows_one_status(client, login, host):
    meeting = meeting_with(host, [f.buyer()], started_at=datetime.now(UTC) - timedelta(hours=1))
    login(host)
    page = text(client.get(f"/meetings/{meeting.id}"))
    assert page.count('class="badge badge-') == 1
    assert '<span class="badge badge-held">Held</span>' in page
    assert "Scheduled" not in page


def test_a_meeting_not_yet_held_shows_its_status(client, login, host):
    meeting = meeting_with(host, [f.buyer()])
    login(host)
    page = text(client.get(f"/meetings/{meeting.id}"))
    assert page.count('class="badge badge-') == 1
    assert '<span class="badge badge-scheduled">Scheduled</span>' in page


FORM_ACTIONS = re.compile(r'<div class="form-actions">(.*?)</div>', re.S)
CONTROL = re.compile(r"<(button|a)\b([^>]*)>(.*?)</\1>", re.S)


def form_actions(page):
    """Each form's row of actions as (tag, attributes, label) in the order shown."""
    return [[(tag, attrs, label.strip()) for tag, attrs, label in CONTROL.findall(block)]
            for block in FORM_ACTIONS.findall(page)]


def form_pages(admin, account_manager):
    territory = f.territory("Nordics")
    own = ProgrammeList(name="Market prep", kind=ListKind.MY, owner=account_manager)
    db.session.add(own)
    db.session.commit()
    return [
        (admin, "/admin/users/new"), (admin, f"/admin/users/{admin.id}/edit"),
        (admin, "/admin/roles/new"), (admin, "/admin/territories"),
        (admin, f"/admin/territories/{territory.id}/edit"), (admin, "/admin/catalogue/new"),
        (admin, "/password"), (account_manager, "/lists"), (account_manager, f"/lists/{own.id}"),
        (account_manager, f"/lists/{own.id}/share"), (account_manager, "/meetings/new"),
    ]


def test_every_form_puts_its_primary_action_first_and_cancel_last(client, login, host):
    for user, url in form_pages(f.admin(), host):
        login(user)
        response = client.get(url)
        assert response.status_code == 200, url
        rows = form_actions(text(response))
        assert rows, f"{url} has no form-actions row"
        for row in rows:
            first_tag, first_attrs, _label = row[0]
            assert first_tag == "button" and 'type="submit"' in first_attrs, url
            assert "secondary" not in first_attrs and "outline" not in first_attrs, url
            tag, attrs, label = row[-1]
            assert (tag, label) == ("a", "Cancel"), f"{url}: {row[-1]}"
            classes = re.search(r'class="([^"]*)"', attrs).group(1).split()
            assert {"secondary", "outline"} <= set(classes), url


def test_new_list_and_rename_open_from_buttons_not_accordions(client, login, host):
    own = ProgrammeList(name="Market prep", kind=ListKind.MY, owner=host)
    db.session.add(own)
    db.session.commit()
    login(host)
    index, show = text(client.get("/lists")), text(client.get(f"/lists/{own.id}"))
    assert '<summary class="disclosure-button add">New list</summary>' in index
    assert '<summary class="disclosure-button small">Rename</summary>' in show
    assert index.count('class="panel form-toggle"') == 1
    assert show.count('class="panel form-toggle"') == 1


def button_classes(page, label):
    match = re.search(rf'<button type="submit" class="([^"]*)">{re.escape(label)}</button>', page)
    assert match, f"no {label!r} button"
    return match.group(1).split()


def test_destructive_actions_are_small_red_outline_buttons_after_the_others(client, login, host):
    meeting = meeting_with(host, [f.buyer()])
    own = ProgrammeList(name="Market prep", kind=ListKind.MY, owner=host)
    db.session.add(own)
    db.session.commit()
    admin = f.admin()
    pages = [(host, f"/meetings/{meeting.id}", "Cancel meeting", "Edit"),
             (host, f"/lists/{own.id}", "Delete list", "Share"),
             (admin, f"/admin/users/{host.id}", "Suspend", "Edit")]
    for user, url, destructive, other in pages:
        login(user)
        page = text(client.get(url))
        assert {"outline", "danger", "small"} <= set(button_classes(page, destructive)), url
        assert page.index(f">{other}</a>") < page.index(f">{destructive}</button>"), url


def test_removing_a_list_item_is_a_red_text_button_apart_from_edit(client, login, host):
    own = ProgrammeList(name="Market prep", kind=ListKind.MY, owner=host)
    own.items.append(ListItem(programme=programme("Wild Atlantic"), position=1))
    db.session.add(own)
    db.session.commit()
    login(host)
    page = text(client.get(f"/lists/{own.id}"))
    assert re.search(r'<button type="submit" class="outline danger small" '
                     r'aria-label="Remove Wild Atlantic">Remove</button>', page)

"""Numbers no database integer holds, negative ones and text where a number belongs: every
form and query string answers them with a 400 or a form error, never a 500."""

import pytest
from sqlalchemy import func, select

from tests import fuzzing
from tests import test_authorization_matrix as matrix
from webapp.extensions import db
from webapp.models import ListItem, Meeting, ProgrammeList
from webapp.web.forms import DATABASE_INT_MAX, whole_number

world = matrix.world
app_config = fuzzing.fuzz_app_config  # no throttling: every number gets its answer

FOUR_HUNDRED_DIGITS = "9" * 400
WRONG_NUMBERS = [FOUR_HUNDRED_DIGITS, "-" + FOUR_HUNDRED_DIGITS, str(2**31), str(2**63), "-1",
                 "12abc", "1e400", "1_000", "٣", "9" * 5000]

# (endpoint, method, point of view, the integer inputs it reads)
MEETING_NUMBERS = ["host", "duration", "source_list", "attendees", "allow_clash"]
REPORT_FILTERS = ["am", "territory", "region", "page"]
NUMBER_INPUTS = [
    ("lists.create", "POST", "sales_coordinator", ["buyer"]),
    ("lists.add_item", "POST", "sales_coordinator", ["programme_id", "season_id", "episode_id"]),
    ("lists.note", "POST", "sales_coordinator", ["version"]),
    ("lists.share", "POST", "sales_coordinator", ["buyers", "days", "max_views"]),
    ("meetings.new", "POST", "sales_coordinator", MEETING_NUMBERS),
    ("meetings.edit", "POST", "sales_coordinator", MEETING_NUMBERS),
    ("meetings.notes", "POST", "sales_coordinator", ["version"]),
    ("meetings.copy_list", "POST", "sales_coordinator", ["source_list"]),
    ("approvals.approve", "POST", "sales_coordinator",
     ["company_id", "account_manager", "territories", "region"]),
    ("admin.new_user", "POST", "administrator",
     ["roles", "territories", "region", "company", "account_manager"]),
    ("admin.edit_user", "POST", "administrator",
     ["roles", "territories", "region", "company", "account_manager"]),
    ("admin.add_sales_coordinator", "POST", "administrator", ["sales_coordinator_id"]),
    ("admin.places", "POST", "administrator", ["region", "territories"]),
    ("admin.new_programme", "POST", "administrator",
     ["year", "episode_count", "runtime_minutes", "genres"]),
    ("admin.edit_programme", "POST", "administrator",
     ["year", "episode_count", "runtime_minutes", "genres"]),
    ("admin.new_season", "POST", "administrator", ["number", "year"]),
    ("admin.edit_season", "POST", "administrator", ["number", "year"]),
    ("admin.new_episode", "POST", "administrator", ["number", "runtime_minutes"]),
    ("admin.edit_episode", "POST", "administrator", ["number", "runtime_minutes"]),
    ("registration.register_buyer", "POST", "anonymous",
     ["territory", "region", "account_manager"]),
    ("ipad.change", "POST", "account_manager", ["item_id", "version"]),
    ("admin.users", "GET", "administrator", ["page", "am", "role", "territory"]),
    ("admin.user", "GET", "administrator", ["buyers_page"]),
    ("admin.places", "GET", "administrator", ["page"]),
    ("admin.outbox", "GET", "administrator", ["page"]),
    ("admin.catalogue", "GET", "administrator", ["page", "genre"]),
    ("approvals.index", "GET", "sales_coordinator", ["page"]),
    ("lists.index", "GET", "sales_coordinator", ["page"]),
    ("lists.catalogue_search", "GET", "sales_coordinator", ["page", "genre"]),
    ("catalogue.index", "GET", "sales_coordinator", ["page", "genre"]),
    ("main.home", "GET", "account_manager", ["buyers_page"]),
    ("main.profile", "GET", "account_manager", ["buyers_page"]),
    ("meetings.index", "GET", "sales_coordinator", ["page", "host"]),
    ("meetings.buyer_picker", "GET", "sales_coordinator", ["host", "attendees", "add", "remove"]),
    ("reporting.index", "GET", "sales_coordinator", REPORT_FILTERS),
    ("reporting.buyers", "GET", "sales_coordinator", REPORT_FILTERS),
    ("reporting.programmes", "GET", "sales_coordinator", REPORT_FILTERS),
    ("reporting.user", "GET", "sales_coordinator", REPORT_FILTERS),
    ("reporting.export", "GET", "sales_coordinator", [*REPORT_FILTERS, "buyer"]),
]
KIND = {"admin.places": "companies"}


@pytest.mark.parametrize("endpoint, method, view, fields", NUMBER_INPUTS,
                         ids=[f"{endpoint}-{method}" for endpoint, method, *_ in NUMBER_INPUTS])
def test_a_wrong_number_in_any_form_or_query_string_is_refused_not_a_500(
        app, client, login, world, endpoint, method, view, fields):
    url = matrix.url_of(app, world, endpoint, KIND.get(endpoint))
    if view != "anonymous":
        login(world["users"][view])
    answers = {}
    for field in fields:
        for number in WRONG_NUMBERS:
            if method == "GET":
                response = client.get(url, query_string={field: number})
            else:
                response = client.post(url, data={field: number})
            answers[field, number[:12]] = response.status_code
            assert "Traceback" not in response.get_data(as_text=True)
    # A form answers with its errors (or 400 for one no person fills in); a query string's
    # wrong number is ignored, named on the page, or (a row asked for by id) not found.
    allowed = {400, 422} if method == "POST" else {200, 400, 404, 422}
    assert {key: status for key, status in answers.items() if status not in allowed} == {}


def _items(list_id) -> int:
    return db.session.scalar(select(func.count()).select_from(ListItem)
                             .where(ListItem.list_id == list_id))


@pytest.mark.parametrize("field", ["programme_id", "season_id", "episode_id"])
@pytest.mark.parametrize("number", [FOUR_HUNDRED_DIGITS, "-5", str(DATABASE_INT_MAX + 1), "ten"])
def test_adding_a_catalogue_item_by_an_id_no_row_can_have_is_a_400(
        client, login, world, field, number):
    args = world["args"]
    login(world["users"]["sales_coordinator"])
    data = {"programme_id": args["programme_id"], "season_id": args["season_id"],
            "episode_id": args["episode_id"], field: number}
    before = _items(args["list_id"])
    assert client.post(f"/lists/{args['list_id']}/items", data=data).status_code == 400
    assert _items(args["list_id"]) == before


@pytest.mark.parametrize("number", [FOUR_HUNDRED_DIGITS, "-1", "one"])
def test_a_note_sent_with_a_wrong_version_is_a_form_error_and_changes_nothing(
        client, login, world, number):
    args = world["args"]
    login(world["users"]["sales_coordinator"])
    response = client.post(f"/lists/{args['list_id']}/items/{args['item_id']}/note",
                           data={"note": "Ask about the rights", "version": number},
                           headers={"HX-Request": "true"})
    assert response.status_code == 422
    assert "the note&#39;s version is not a valid one" in response.get_data(as_text=True)
    assert db.session.get(ListItem, args["item_id"]).note in (None, "")


@pytest.mark.parametrize("field, number, message", [
    ("host", FOUR_HUNDRED_DIGITS, "Choose from the list."),
    ("host", "-3", "Choose from the list."),
    ("duration", FOUR_HUNDRED_DIGITS, "A meeting lasts between 5 minutes and 12 hours."),
    ("duration", "-30", "A meeting lasts between 5 minutes and 12 hours."),
    ("duration", "half an hour", "A meeting lasts between 5 minutes and 12 hours."),
    ("source_list", FOUR_HUNDRED_DIGITS, "Choose from the list."),
    ("source_list", "my list", "Choose from the list."),
])
def test_a_meeting_with_a_wrong_number_gets_a_message_on_the_form(
        client, login, world, field, number, message):
    login(world["users"]["sales_coordinator"])
    data = {"host": world["users"]["account_manager"].id, "title": "Screenings × Alice",
            "day": "2030-10-13", "start": "14:30", "timezone": "Europe/Paris",
            "duration": "45", "attendees": [world["args"]["buyer_id"]],
            "source_list": world["args"]["list_id"], "action": "draft", field: number}
    meetings = db.session.scalar(select(func.count()).select_from(Meeting))
    response = client.post("/meetings/new", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Meeting)) == meetings
    assert db.session.scalar(select(func.count()).select_from(ProgrammeList)
                             .where(ProgrammeList.name == "Screenings × Alice")) == 0


@pytest.mark.parametrize("text, number", [("42", 42), (" +7 ", 7), ("-0", 0),
                                          ("0002147483647", DATABASE_INT_MAX)])
def test_a_whole_number_is_read_from_ascii_digits(text, number):
    assert whole_number(text) == number


@pytest.mark.parametrize("text", ["", "+", "1_000", "٣", "1.0", "1e3", "0x10", str(2**31),
                                  str(-(2**31) - 1), FOUR_HUNDRED_DIGITS, "9" * 5000])
def test_anything_else_is_not_a_whole_number(text):
    with pytest.raises(ValueError):
        whole_number(text)

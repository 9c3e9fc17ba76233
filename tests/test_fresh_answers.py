"""Every page is made from the database as it is when asked: no answer or report figure is
kept between requests, so a change is on the very next page whatever happened in between."""

import pytest

from tests.conftest import TEST_REDIS_URL
from tests.reporting_world import world_fixture  # noqa: F401
from webapp.extensions import db
from webapp.models import ListKind, ProgrammeList


def _sams_reports(client) -> dict[str, str]:
    return {path: client.get(path).text
            for path in ("/reporting", "/reporting/buyers", "/reporting/programmes")}


def test_removing_a_coordinators_link_takes_that_managers_buyers_off_the_next_report(
        world, app, login):
    people = world["people"]
    sam, alice, admin = people["sam"], people["alice"], people["admin"]
    sam_client = login(sam)
    admin_client = app.test_client()
    with admin_client.session_transaction() as session:
        session["_user_id"] = admin.get_id()
    reports = _sams_reports(sam_client)
    assert "Ben Carter" in reports["/reporting/buyers"]
    assert "The Fjord Murders" in reports["/reporting/programmes"]

    admin_client.post(f"/admin/users/{alice.id}/sales-coordinators/{sam.id}/remove")
    reports = _sams_reports(sam_client)
    assert "Ben Carter" not in reports["/reporting/buyers"]
    assert "The Fjord Murders" not in reports["/reporting/programmes"]
    assert 'id="tile-visits"' in reports["/reporting"]

    admin_client.post(f"/admin/users/{alice.id}/sales-coordinators",
                      data={"sales_coordinator_id": sam.id})
    assert "Ben Carter" in _sams_reports(sam_client)["/reporting/buyers"]


@pytest.mark.parametrize("app_config", [{"REDIS_URL": TEST_REDIS_URL,
                                         "RATELIMIT_STORAGE_URI": TEST_REDIS_URL}])
def test_a_renamed_list_keeps_its_new_name_after_redis_is_restored_from_a_snapshot(
        world, app, login, redis_client):
    alice = world["people"]["alice"]
    programme_list = ProgrammeList(name="Before the market", kind=ListKind.MY, owner=alice)
    db.session.add(programme_list)
    db.session.commit()
    client = login(alice)
    for _ in range(2):  # the first answer also stamps the session
        assert "Before the market" in client.get(f"/lists/{programme_list.id}").text
    snapshot = {key: redis_client.dump(key) for key in redis_client.keys()}

    other_tab = app.test_client()  # the same user renames it elsewhere
    with other_tab.session_transaction() as session:
        session["_user_id"] = alice.get_id()
    other_tab.post(f"/lists/{programme_list.id}/rename", data={"name": "After the market"})
    for key, value in snapshot.items():  # Redis restarted from the snapshot taken above
        redis_client.restore(key, 0, value, replace=True)

    page = client.get(f"/lists/{programme_list.id}").text
    assert "After the market" in page and "Before the market" not in page

"""Every route x method x point of view -> the status it must answer.

A route that is not in MATRIX fails test_every_route_is_in_the_matrix: adding a route means
deciding here who may use it. POSTs are sent without a body (CSRF is tested elsewhere), so an
allowed POST answers with its validation status or its redirect.
"""

import pytest

from tests import factories as f
from webapp.extensions import db
from webapp.permissions import Permission
from webapp.services.mail import queue_email
from webapp.services.registrations import register

VIEWS = ["anonymous", "suspended", "buyer", "sales_coordinator", "account_manager",
         "administrator"]
LOGIN = "login"  # a redirect to the login page
KINDS = ["territories", "regions", "companies"]


def anyone(status):
    return dict.fromkeys(VIEWS, status)


def signed_in(status):
    return {**dict.fromkeys(VIEWS, status), "anonymous": LOGIN, "suspended": LOGIN}


def administrators(status):
    """Only roles holding the route's permission (here: administrators) get `status`."""
    return {**signed_in(403), "administrator": status}


def approvers(status):
    """Roles holding "approve registrations" (SCs, AMs, administrators) get `status`."""
    return {**signed_in(403), "sales_coordinator": status, "account_manager": status,
            "administrator": status}


def visitors(status):
    """Public pages that send signed-in users on to their start page."""
    return {**signed_in(302), "anonymous": status, "suspended": status}


MATRIX = {
    ("auth.login", "GET"): visitors(200),
    ("auth.login", "POST"): visitors(422),
    ("registration.register_buyer", "GET"): visitors(200),
    ("registration.register_buyer", "POST"): visitors(422),
    ("registration.thanks", "GET"): anyone(200),
    ("approvals.index", "GET"): approvers(200),
    ("approvals.review", "GET"): approvers(200),
    ("approvals.companies", "GET"): approvers(200),
    ("approvals.approve", "POST"): approvers(422),  # no company chosen
    ("approvals.reject", "POST"): approvers(422),  # no reason given
    ("auth.logout", "GET"): signed_in(200),
    ("auth.logout", "POST"): signed_in(303),
    ("main.home", "GET"): signed_in(200),
    ("main.profile", "GET"): signed_in(200),
    ("admin.users", "GET"): administrators(200),
    ("admin.new_user", "GET"): administrators(200),
    ("admin.new_user", "POST"): administrators(422),
    ("admin.user", "GET"): administrators(200),
    ("admin.edit_user", "GET"): administrators(200),
    ("admin.edit_user", "POST"): administrators(303),  # no fields sent: saved unchanged
    ("admin.suspend_user", "POST"): administrators(303),
    ("admin.unsuspend_user", "POST"): administrators(303),
    ("admin.sales_coordinator_candidates", "GET"): administrators(200),
    ("admin.add_sales_coordinator", "POST"): administrators(400),
    ("admin.remove_sales_coordinator", "POST"): administrators(303),
    ("admin.roles", "GET"): administrators(200),
    ("admin.new_role", "GET"): administrators(200),
    ("admin.new_role", "POST"): administrators(422),
    ("admin.edit_role", "GET"): administrators(200),
    ("admin.edit_role", "POST"): administrators(303),
    ("admin.delete_role", "POST"): administrators(303),
    ("admin.places", "GET"): administrators(200),
    ("admin.places", "POST"): administrators(422),
    ("admin.edit_place", "GET"): administrators(200),
    ("admin.edit_place", "POST"): administrators(303),
    ("admin.delete_place", "POST"): administrators(303),
    ("admin.outbox", "GET"): administrators(200),
    ("admin.outbox_message", "GET"): administrators(200),
    ("admin.outbox_message_html", "GET"): administrators(200),
    ("admin.retry_outbox_message", "POST"): administrators(303),
}

IGNORED_ENDPOINTS = {"static"}


def test_every_route_is_in_the_matrix(app):
    routes = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules() if rule.endpoint not in IGNORED_ENDPOINTS
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert sorted(routes - MATRIX.keys()) == [], "routes missing from the authorization matrix"
    assert sorted(MATRIX.keys() - routes) == [], "matrix rows for routes that no longer exist"


def _outbox_message_id(person) -> int:
    message = queue_email(person.email, "account_exists", "Your account", person=person,
                          login_url="https://cms.example.com/login")
    db.session.commit()
    return message.id


def _applicant_id(territory) -> int:
    registration = register(first_name="Nina", last_name="Holm", email="nina@example.com",
                            password="a long enough password", company_name="Brightwave",
                            job_title="Buyer", phone="", territory=territory)
    db.session.commit()
    return registration.user_id


@pytest.fixture
def world(ctx):
    """One of everything a route can point at, and a user for each point of view."""
    territory = f.territory("UK & Ireland")
    account_manager = f.account_manager(first_name="Alice", territories=[territory])
    coordinator = f.sales_coordinator(account_manager, first_name="Sam")
    return {
        "users": {
            "suspended": f.admin(first_name="Suspended", is_suspended=True),
            "buyer": f.buyer(first_name="Ben", territories=[territory]),
            "sales_coordinator": coordinator,
            "account_manager": account_manager,
            "administrator": f.admin(),
        },
        "args": {
            "user_id": account_manager.id,
            "sc_id": coordinator.id,
            "role_id": f.custom_role(permissions=[Permission.VIEW_REPORTING]).id,
            "message_id": _outbox_message_id(account_manager),
            "applicant_id": _applicant_id(territory),
        },
        "items": {
            "territories": f.territory("Nordics").id,
            "regions": f.region("EMEA").id,
            "companies": f.company("Unused Company").id,
        },
    }


def _cases():
    for (endpoint, method), expected in MATRIX.items():
        for view, status in expected.items():
            kinds = KINDS if endpoint in {"admin.places", "admin.edit_place",
                                          "admin.delete_place"} else [None]
            for kind in kinds:
                suffix = f"-{kind}" if kind else ""
                yield pytest.param(endpoint, method, view, kind, status,
                                   id=f"{endpoint}-{method}-{view}{suffix}")


@pytest.mark.parametrize("endpoint, method, view, kind, expected", list(_cases()))
def test_route_answers_each_point_of_view_as_the_matrix_says(
        app, client, login, world, endpoint, method, view, kind, expected):
    from flask import url_for

    args = dict(world["args"])
    if kind:
        args.update(kind_name=kind, item_id=world["items"][kind])
    rule = next(r for r in app.url_map.iter_rules(endpoint))
    url = url_for(endpoint, **{k: v for k, v in args.items() if k in rule.arguments})
    url = url.replace("http://cms.test", "")
    if view != "anonymous":
        login(world["users"][view])
    response = client.open(url, method=method)
    if expected == LOGIN:
        assert response.status_code == 302, response.status_code
        assert response.headers["Location"].startswith("/login")
    else:
        assert response.status_code == expected

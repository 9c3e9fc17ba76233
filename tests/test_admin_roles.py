"""Admin > Roles: permissions live in code, roles and their grants in the database."""

from html import escape

import pytest

from tests import factories as f
from webapp.extensions import db
from webapp.models import Role
from webapp.permissions import Permission

pytestmark = pytest.mark.usefixtures("ctx")


@pytest.fixture
def admin_client(login):
    return login(f.admin())


def text(response):
    return response.get_data(as_text=True)


def test_roles_page_lists_built_in_roles_with_holders_and_permission_descriptions(
        admin_client):
    f.sales_coordinator()
    f.sales_coordinator()
    body = text(admin_client.get("/admin/roles"))
    for name in ("Administrator", "Account Manager", "Sales Coordinator", "Buyer"):
        assert name in body
    assert f'title="{Permission.APPROVE_REGISTRATIONS.description}"' in body
    row = body.split("Sales Coordinator</strong>")[1].split("</tr>")[0]
    assert "<td>2</td>" in row


def test_every_permission_is_offered_with_its_description(admin_client):
    body = text(admin_client.get("/admin/roles/new"))
    for permission in Permission:
        assert escape(permission.label) in body
        assert escape(permission.description) in body


def test_administrator_creates_a_role_with_chosen_permissions(admin_client):
    response = admin_client.post("/admin/roles/new", data={
        "name": "Reporting (all users)", "description": "Sees everyone",
        "permissions": [Permission.VIEW_REPORTING.value, Permission.VIEW_REPORTING_ALL.value]})
    assert response.status_code == 303
    role = db.session.scalar(db.select(Role).where(Role.name == "Reporting (all users)"))
    assert role.permissions == {Permission.VIEW_REPORTING, Permission.VIEW_REPORTING_ALL}


def test_changing_a_roles_permissions_changes_what_its_holders_may_do(admin_client, login):
    sc_role = f.role(f.RoleKind.SALES_COORDINATOR)
    sam = f.sales_coordinator()
    assert not sam.can(Permission.MANAGE_USERS)
    admin_client.post(f"/admin/roles/{sc_role.id}", data={
        "name": sc_role.name, "permissions": [Permission.MANAGE_USERS.value]})
    db.session.expire_all()
    assert sam.can(Permission.MANAGE_USERS)
    assert not sam.can(Permission.APPROVE_REGISTRATIONS)


def test_role_names_are_unique_case_insensitively(admin_client):
    response = admin_client.post("/admin/roles/new", data={"name": "buyer"})
    assert response.status_code == 422
    assert "A role called “buyer” already exists." in text(response)


def test_unknown_permission_is_refused(admin_client):
    response = admin_client.post("/admin/roles/new", data={"name": "X", "permissions": ["root"]})
    assert response.status_code == 422
    assert "is not a valid choice" in text(response)


def test_administrator_role_always_holds_every_permission(admin_client):
    admin_role = f.role(f.RoleKind.ADMINISTRATOR)
    admin_client.post(f"/admin/roles/{admin_role.id}", data={"name": "Administrator"})
    db.session.expire_all()
    assert admin_role.permissions == set(Permission)


def test_custom_role_can_be_deleted_but_built_in_roles_cannot(admin_client):
    custom = f.custom_role(name="Temp")
    assert admin_client.post(f"/admin/roles/{custom.id}/delete").status_code == 303
    assert db.session.scalar(db.select(Role.id).where(Role.id == custom.id)) is None
    buyer_role = f.role(f.RoleKind.BUYER)
    response = admin_client.post(f"/admin/roles/{buyer_role.id}/delete", follow_redirects=True)
    assert "Built-in roles cannot be deleted." in text(response)
    assert db.session.get(Role, buyer_role.id) is not None

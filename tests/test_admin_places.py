"""Admin > Territories, Regions and Companies."""

import pytest

from tests import factories as f
from webapp.extensions import db
from webapp.models import Company, Region, Territory

pytestmark = pytest.mark.usefixtures("ctx")


@pytest.fixture
def admin_client(login):
    return login(f.admin())


def text(response):
    return response.get_data(as_text=True)


@pytest.mark.parametrize("kind, model", [("territories", Territory), ("regions", Region),
                                         ("companies", Company)])
def test_create_rename_and_delete(admin_client, kind, model):
    response = admin_client.post(f"/admin/{kind}", data={"name": "  Nordics   Plus "})
    assert response.status_code == 303
    item = db.session.scalar(db.select(model))
    assert item.name == "Nordics Plus"
    assert "Nordics Plus" in text(admin_client.get(f"/admin/{kind}"))
    response = admin_client.post(f"/admin/{kind}/{item.id}/edit", data={"name": "Nordics"})
    assert response.status_code == 303
    db.session.refresh(item)
    assert item.name == "Nordics"
    assert admin_client.post(f"/admin/{kind}/{item.id}/delete").status_code == 303
    assert db.session.scalar(db.select(model)) is None


@pytest.mark.parametrize("kind, factory", [("territories", f.territory), ("regions", f.region),
                                           ("companies", f.company)])
def test_names_are_unique_case_insensitively(admin_client, kind, factory):
    existing = factory("DACH")
    other = factory("Nordics")
    response = admin_client.post(f"/admin/{kind}", data={"name": "dach"})
    assert response.status_code == 422
    assert "called “dach” already exists" in text(response)
    response = admin_client.post(f"/admin/{kind}/{other.id}/edit", data={"name": "Dach "})
    assert response.status_code == 422
    db.session.refresh(other)
    assert other.name == "Nordics" and existing.name == "DACH"


def test_a_name_is_required(admin_client):
    response = admin_client.post("/admin/territories", data={"name": "   "})
    assert response.status_code == 422
    assert "This field is required." in text(response)


def test_company_with_users_cannot_be_deleted(admin_client):
    northlight = f.company("Northlight Media")
    f.buyer(company=northlight)
    response = admin_client.post(f"/admin/companies/{northlight.id}/delete",
                                 follow_redirects=True)
    assert "still has 1 user" in text(response)
    assert db.session.get(Company, northlight.id) is not None


def test_deleting_a_territory_removes_it_from_people_and_companies(admin_client):
    dach = f.territory("DACH")
    bob = f.account_manager(territories=[dach])
    company = f.company(territories=[dach])
    assert admin_client.post(f"/admin/territories/{dach.id}/delete").status_code == 303
    db.session.expire_all()
    assert bob.territories == [] and company.territories == []


def test_company_takes_a_region_and_territories(admin_client):
    emea, dach = f.region("EMEA"), f.territory("DACH")
    response = admin_client.post("/admin/companies", data={
        "name": "Alpenblick", "region": emea.id, "territories": [dach.id]})
    assert response.status_code == 303
    company = db.session.scalar(db.select(Company))
    assert company.region == emea and company.territories == [dach]
    body = text(admin_client.get(f"/admin/companies/{company.id}/edit"))
    assert "Used by 0 users" in body


def test_companies_are_searchable(admin_client):
    f.company("Northlight Media")
    f.company("Fjord Vision")
    body = text(admin_client.get("/admin/companies?q=fjord", headers={"HX-Request": "true"}))
    assert "Fjord Vision" in body and "Northlight Media" not in body
    assert body.lstrip().startswith('<div id="place-results"')


def test_unknown_item_is_404(admin_client):
    assert admin_client.get("/admin/regions/999/edit").status_code == 404
    assert admin_client.get("/admin/planets").status_code == 404

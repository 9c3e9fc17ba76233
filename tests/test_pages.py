"""Site-wide behaviour: navigation by permission, error pages and response headers."""

import pytest

from tests import factories as f
from tests.conftest import make_app
from webapp.extensions import db

pytestmark = pytest.mark.usefixtures("ctx")


def text(response):
    return response.get_data(as_text=True)


def test_navigation_shows_admin_sections_only_to_those_allowed(login):
    admin_page = text(login(f.admin()).get("/"))
    for label in ("Users", "Roles", "Territories", "Regions", "Companies"):
        assert f">{label}</a>" in admin_page
    buyer_page = text(login(f.buyer()).get("/"))
    assert "Admin</summary>" not in buyer_page and ">Users</a>" not in buyer_page


def test_navigation_follows_role_permissions_not_role_names(login):
    from webapp.permissions import Permission

    territory_keeper = f.custom_role(name="Territory keeper",
                                     permissions=[Permission.MANAGE_TERRITORIES])
    client = login(f.user(roles=[territory_keeper]))
    page = text(client.get("/"))
    assert ">Territories</a>" in page and ">Users</a>" not in page
    assert client.get("/admin/territories").status_code == 200
    assert client.get("/admin/users").status_code == 403


def test_not_found_page_matches_the_site(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    body = text(response)
    assert "Not found" in body and "site-header" in body and "pico.min.css" in body


def test_forbidden_page_matches_the_site(login):
    response = login(f.buyer()).get("/admin/users")
    assert response.status_code == 403
    assert "Not allowed" in text(response) and "site-header" in text(response)


def test_method_not_allowed_keeps_the_allow_header(login):
    response = login(f.admin()).get(f"/admin/users/{f.buyer().id}/suspend")
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]


def test_server_error_page_matches_the_site_and_hides_the_error(database_url):
    app = make_app(database_url, TESTING=False, PROPAGATE_EXCEPTIONS=False)

    @app.route("/explode")
    def explode():
        raise RuntimeError("secret internals")

    response = app.test_client().get("/explode")
    assert response.status_code == 500
    body = text(response)
    assert "Something went wrong" in body and "secret internals" not in body
    assert "site-header" in body
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("path", ["/login", "/no-such-page"])
def test_security_headers_on_pages_and_errors(client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    for directive in ("script-src 'self'", "object-src 'none'", "base-uri 'none'",
                      "frame-ancestors 'none'"):
        assert directive in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "HX-Request" in response.headers["Vary"]


def test_authenticated_pages_and_fragments_are_not_cached(login):
    client = login(f.admin())
    assert client.get("/admin/users").headers["Cache-Control"] == "no-store"
    fragment = client.get("/admin/users?q=x", headers={"HX-Request": "true"})
    assert fragment.headers["Cache-Control"] == "no-store"
    assert "Content-Security-Policy" in fragment.headers


def test_pages_carry_no_inline_script(login):
    body = text(login(f.admin()).get("/admin/users"))
    assert "<script>" not in body
    assert "hx-on" not in body
    assert 'name="htmx-config"' in body and '"allowEval": false' in body


def test_secret_key_is_generated_once_in_the_instance_folder(tmp_path, monkeypatch):
    from flask import Flask

    from webapp.config import load_config

    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = Flask(__name__, instance_path=str(tmp_path))
    load_config(first)
    second = Flask(__name__, instance_path=str(tmp_path))
    load_config(second)
    assert len(first.config["SECRET_KEY"]) >= 32
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    third = Flask(__name__, instance_path=str(tmp_path))
    load_config(third)
    assert third.config["SECRET_KEY"] == "from-the-environment"


def test_a_nul_character_in_any_input_is_a_bad_request_not_an_error(login):
    client = login(f.admin())
    assert client.get("/admin/users?q=%00").status_code == 400
    assert client.post("/admin/territories", data={"name": "a\x00b"}).status_code == 400


def test_uploads_beyond_the_size_limit_get_a_413_page(app, login):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = login(f.admin()).post("/admin/territories", data={"name": "x" * 4096})
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)

"""Text answers are compressed for clients that accept it, without losing any header."""

import gzip

import brotli
import pytest

from tests import factories as f


@pytest.fixture
def administrator(ctx):
    for number in range(30):  # enough rows for the directory to pass the minimum size
        f.buyer(first_name=f"Buyer{number}")
    return f.admin()


def test_pages_are_sent_gzipped_to_clients_that_accept_gzip(client, login, administrator):
    login(administrator)

    response = client.get("/admin/users", headers={"Accept-Encoding": "gzip"})

    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    page = gzip.decompress(response.get_data()).decode()
    assert "<h1" in page and "Buyer29" in page
    assert int(response.headers["Content-Length"]) == len(response.get_data())


def test_brotli_is_preferred_when_the_client_accepts_it(client, login, administrator):
    login(administrator)

    response = client.get("/admin/users", headers={"Accept-Encoding": "gzip, deflate, br"})

    assert response.headers["Content-Encoding"] == "br"
    assert "Buyer29" in brotli.decompress(response.get_data()).decode()


def test_htmx_fragments_are_compressed_and_vary_on_both_headers(client, login, administrator):
    login(administrator)

    response = client.get("/admin/users?q=buyer", headers={
        "Accept-Encoding": "gzip", "HX-Request": "true"})

    assert response.headers["Content-Encoding"] == "gzip"
    fragment = gzip.decompress(response.get_data()).decode()
    assert "<html" not in fragment and "Buyer29" in fragment
    assert {"Accept-Encoding", "HX-Request"} <= set(response.vary)


def test_security_headers_survive_compression(client, login, administrator):
    login(administrator)

    response = client.get("/admin/users", headers={"Accept-Encoding": "gzip"})

    assert response.headers["Content-Encoding"] == "gzip"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"


def test_clients_that_accept_no_encoding_get_plain_html(client, login, administrator):
    login(administrator)

    response = client.get("/admin/users")

    assert "Content-Encoding" not in response.headers
    assert "Buyer29" in response.get_data(as_text=True)


def test_static_files_are_left_to_the_reverse_proxy(client):
    with client.get("/static/css/site.css", headers={"Accept-Encoding": "br"}) as response:
        body = response.get_data()
        encoding = response.headers.get("Content-Encoding")

    assert encoding is None
    assert b"{" in body


def test_compression_can_be_left_to_a_reverse_proxy(database_url, _schema):
    from tests.conftest import make_app

    app = make_app(database_url, COMPRESS_REGISTER=False)

    response = app.test_client().get("/login", headers={"Accept-Encoding": "gzip"})

    assert "Content-Encoding" not in response.headers

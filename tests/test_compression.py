"""Text answers are compressed for clients that accept it, without losing any header."""

import gzip
from pathlib import Path

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


@pytest.mark.parametrize("accepted, encoding, decompress", [
    ("gzip, deflate, br", "br", brotli.decompress), ("gzip", "gzip", gzip.decompress)])
def test_static_text_files_are_compressed_and_still_revalidated(client, accepted, encoding,
                                                                decompress):
    plain = (Path(client.application.static_folder) / "vendor" / "htmx.min.js").read_bytes()

    response = client.get("/static/vendor/htmx.min.js", headers={"Accept-Encoding": accepted})

    assert response.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in response.vary
    assert decompress(response.get_data()) == plain
    assert len(response.get_data()) < len(plain) / 2
    etag, weak = response.get_etag()
    assert weak
    with client.get("/static/vendor/htmx.min.js", headers={
            "Accept-Encoding": accepted, "If-None-Match": response.headers["ETag"]}) as revisit:
        assert revisit.status_code == 304


def test_images_and_clients_that_accept_no_encoding_get_static_files_as_they_are(client):
    with client.get("/static/ipad/icon-192.png", headers={"Accept-Encoding": "br"}) as icon:
        assert "Content-Encoding" not in icon.headers
        assert icon.get_data().startswith(b"\x89PNG")
    with client.get("/static/css/site.css") as css:
        assert "Content-Encoding" not in css.headers and b"{" in css.get_data()


def test_compression_can_be_left_to_a_reverse_proxy(database_url, _schema):
    from tests.conftest import make_app

    app = make_app(database_url, COMPRESS_REGISTER=False)

    response = app.test_client().get("/login", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in response.headers
    with app.test_client().get("/static/css/site.css",
                               headers={"Accept-Encoding": "gzip"}) as static:
        assert "Content-Encoding" not in static.headers

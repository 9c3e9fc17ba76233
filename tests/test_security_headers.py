"""Security headers on every answer: each GET route of the authorization matrix for each
point of view, as a page and as an htmx fragment, and the error pages."""

import json
import re

import pytest

from tests import test_authorization_matrix as matrix
from tests.test_authorization_matrix import KINDS_OF, LOGIN, MATRIX, VIEWS
from webapp.web.security import CACHEABLE_ENDPOINTS

# The matrix's fixtures: one of everything a route points at, and a user per point of view.
app_config = matrix.app_config
world = matrix.world

SIGNED_IN_VIEWS = set(VIEWS) - {"anonymous", "suspended"}  # the other SC and AM too
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"<[a-z][^>]*\s(on[a-z]+|hx-on[:-][^=\s]*)\s*=", re.IGNORECASE)


def policy(response) -> dict[str, list[str]]:
    directives = {}
    for directive in response.headers.get("Content-Security-Policy", "").split(";"):
        name, *values = directive.split()
        directives[name] = values
    return directives


def header_problems(response, authenticated: bool, endpoint: str | None = None) -> list[str]:
    """What is wrong with the answer's security headers (and inline script), if anything."""
    problems = []
    csp = policy(response)
    # An email's HTML (webapp.views.email_html_response) is shown in a sandboxed iframe of
    # our own pages: it alone may be framed, by this site only.
    framed = "sandbox" in csp and response.status_code == 200
    # script-src and object-src fall back to default-src; 'none' is stricter than 'self'.
    fallback = csp.get("default-src")
    expected = {
        "script-src": (csp.get("script-src", fallback), [["'self'"], ["'none'"]]),
        "object-src": (csp.get("object-src", fallback), [["'none'"]]),
        "base-uri": (csp.get("base-uri"), [["'none'"]]),
        "frame-ancestors": (csp.get("frame-ancestors"),
                            [["'self'"]] if framed else [["'none'"]]),
    }
    for name, (values, allowed) in expected.items():
        if values not in allowed:
            problems.append(f"CSP {name} is {values}")
    # An email's HTML keeps its inline styles, inside a sandbox that runs no script.
    loose = csp.get("default-src", []) + ([] if framed else csp.get("style-src", []))
    if any("unsafe" in value for value in loose):
        problems.append("CSP allows unsafe sources")
    headers = response.headers
    if headers.get("X-Content-Type-Options") != "nosniff":
        problems.append("no X-Content-Type-Options: nosniff")
    if headers.get("Referrer-Policy") not in ("same-origin", "no-referrer",
                                              "strict-origin-when-cross-origin"):
        problems.append(f"Referrer-Policy is {headers.get('Referrer-Policy')}")
    if "hx-request" not in headers.get("Vary", "").lower():
        problems.append("no Vary: HX-Request")
    if authenticated and endpoint not in CACHEABLE_ENDPOINTS and \
            "no-store" not in headers.get("Cache-Control", ""):
        problems.append(f"Cache-Control is {headers.get('Cache-Control')}")
    if response.mimetype == "text/html":
        body = response.get_data(as_text=True)
        if INLINE_SCRIPT.search(body):
            problems.append("inline <script>")
        if match := INLINE_HANDLER.search(body):
            problems.append(f"inline event handler {match.group(1)}")
    return problems


def _get_routes():
    for (endpoint, method), expected in MATRIX.items():
        if method == "GET":
            for kind in KINDS_OF.get(endpoint, [None]):
                yield endpoint, kind, expected


@pytest.mark.parametrize("view", VIEWS)
def test_every_get_route_sends_the_security_headers(app, client, login, world, view):
    problems, visited = [], 0
    for endpoint, kind, expected in _get_routes():
        url = matrix.url_of(app, world, endpoint, kind)
        for htmx in (False, True):
            if view != "anonymous":
                login(world["users"][view])
            headers = {"HX-Request": "true"} if htmx else {}
            with client.get(url, headers=headers) as response:
                authenticated = view in SIGNED_IN_VIEWS and expected[view] != LOGIN
                problems += [f"{url} (htmx={htmx}): {problem}"
                             for problem in header_problems(response, authenticated, endpoint)]
            visited += 1
    assert problems == []
    assert visited >= 2 * len([1 for _ in _get_routes()])


def test_htmx_is_configured_to_need_no_inline_script_or_eval(app, client, login, world):
    login(world["users"]["administrator"])
    page = client.get("/").get_data(as_text=True)
    meta = re.search(r'<meta name="htmx-config" content=\'([^\']*)\'', page).group(1)
    config = json.loads(meta.replace("&#34;", '"').replace("&quot;", '"'))
    assert config["allowEval"] is False
    assert config["allowScriptTags"] is False
    assert config["includeIndicatorStyles"] is False  # no inline <style> from htmx either


class TestErrorPages:
    @pytest.fixture
    def app_config(self):
        return {"PROPAGATE_EXCEPTIONS": False, "WTF_CSRF_ENABLED": True,
                "LOGIN_FAILURES_PER_ADDRESS": "1 per hour"}

    @pytest.fixture
    def app(self, app):
        def broken():
            raise RuntimeError("a bug")

        app.add_url_rule("/broken", "broken", broken)
        return app

    @pytest.mark.parametrize("htmx", [False, True])
    @pytest.mark.parametrize("signed_in", [False, True])
    def test_error_pages_send_the_security_headers(self, app, client, login, ctx, htmx,
                                                   signed_in):
        from tests import factories as f

        if signed_in:
            login(f.admin())
        headers = {"HX-Request": "true"} if htmx else {}
        answers = {
            404: client.get("/no-such-page", headers=headers),
            405: client.put("/login", headers=headers),
            500: client.get("/broken", headers=headers),
            400: client.post("/lists", headers=headers),  # no CSRF token
        }
        if not signed_in:
            page = client.get("/login").get_data(as_text=True)
            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
            login_form = {"email": "a@example.com", "password": "wrong", "csrf_token": token}
            client.post("/login", data=login_form, headers=headers)
            answers[429] = client.post("/login", data=login_form, headers=headers)
        for status, response in answers.items():
            assert response.status_code == status
            assert header_problems(response, authenticated=signed_in) == [], status


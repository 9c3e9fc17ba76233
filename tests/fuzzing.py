"""Hypothesis strategies for fuzzing forms and query strings, and the settings they run with.

Each fuzz test builds its data once (the matrix's `world`) and sends every example through
the same test client: hypothesis' function-scoped-fixture check is off on purpose.
"""

import io

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

FUZZ = settings(max_examples=40, deadline=None, database=None, derandomize=False,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])

# What attackers and unlucky users type: markup, script, template and SQL syntax, formula
# prefixes, path tricks, odd numbers and odd Unicode.
PAYLOADS = [
    "", " ", "\t\n", "0", "-1", "1.5", "1e309", "NaN", "-0", "true", "null", "[]", "{}",
    "99999999999999999999999999", str(2**31), str(2**63), "-9223372036854775809",
    "<script>window.__pwned=1</script>", '"><img src=x onerror="window.__pwned=1">',
    "javascript:alert(1)", "{{ 7*7 }}", "{% raw %}", "'; DROP TABLE users; --",
    "' OR '1'='1", "=HYPERLINK(\"http://x\")", "+1+1", "@SUM(1)", "../../etc/passwd",
    "%00", "%", "_", "\\", "\u202eevil", "\ufeff", "e\u0301", "😀" * 40, "名前",
    "a" * 300, "a" * 5000, "x@y", "a@b.c", "ben@example.com",
]

text_value = st.one_of(
    st.sampled_from(PAYLOADS),
    st.text(max_size=200),
    st.integers().map(str),
    st.text(alphabet="<>\"'&;=/\\ \u00a0\u200b\u2028", max_size=50),
)

form_value = st.one_of(text_value, st.lists(text_value, min_size=2, max_size=3))


def form_data(*fields: str, **fixed) -> st.SearchStrategy[dict]:
    """Any subset of `fields`, each with a hostile value (or several); `fixed` values always."""
    return st.fixed_dictionaries(
        {name: st.just(value) for name, value in fixed.items()},
        optional={name: form_value for name in fields})


upload = st.tuples(
    st.binary(max_size=2048).map(io.BytesIO),
    st.sampled_from(["image.png", "photo.JPG", "evil.svg", "../../escape.png", "noext",
                     "a.webp", "script.html", ""]),
)


def assert_handled(response) -> None:
    """Bad input gets an answer, never a server error."""
    assert response.status_code < 500, response.get_data(as_text=True)[:2000]


htmx = st.booleans().map(lambda on: {"HX-Request": "true"} if on else {})


@pytest.fixture
def fuzz_app_config(tmp_path):
    """Uploads in a folder of the test's own; no throttling, so every example is answered."""
    return {"UPLOAD_FOLDER": str(tmp_path / "uploads"), "RATELIMIT_ENABLED": False}

"""Signed-in answers kept and sent again (webapp/answer_cache.py): without the database while
nothing they read changed, never to another session, never after a change, and never past
the moment their session is due to be seen again; in Redis, shared by app servers."""

import pytest
from sqlalchemy import select, text

from tests import catalogue_factories as cf
from tests import factories as f
from tests.conftest import TEST_REDIS_URL, make_app
from webapp import answer_cache
from webapp.answer_cache import EXTENSION, RedisStore, _key, _tables_named, table_names
from webapp.extensions import db
from webapp.models import User

HTMX = {"HX-Request": "true"}


def warm(client, path, **headers):
    """Ask twice: a session's first request stamps it (a new cookie, so nothing kept), the
    second is answered and kept."""
    client.get(path, headers=headers)
    return client.get(path, headers=headers)


@pytest.fixture
def admin_client(ctx, login):
    f.user(first_name="Dora", last_name="Lindqvist")
    return login(f.admin(email="root@example.com"))


def test_a_page_asked_again_is_sent_again_without_the_database(app, admin_client, statements):
    kept = warm(admin_client, "/admin/users?q=lindqvist")
    assert kept.status_code == 200 and "Dora" in kept.text
    statements.clear()
    again = admin_client.get("/admin/users?q=lindqvist")
    assert statements == []
    assert (again.status_code, again.data) == (200, kept.data)
    assert again.headers["Content-Security-Policy"] == kept.headers["Content-Security-Policy"]
    assert again.headers["Cache-Control"] == "no-store"  # for the browser, as before
    assert app.extensions[EXTENSION].hits >= 1


def test_a_change_made_anywhere_is_shown_at_once(admin_client):
    warm(admin_client, "/admin/users?q=lindqvist")
    dora = db.session.scalar(select(User).where(User.last_name == "Lindqvist"))
    dora.first_name = "Dorothea"
    db.session.commit()  # by another app on the database, as another worker would
    assert "Dorothea" in admin_client.get("/admin/users?q=lindqvist").text


def test_a_change_by_a_statement_of_its_own_is_shown_at_once(admin_client):
    warm(admin_client, "/admin/users?q=lindqvist")
    db.session.execute(text("UPDATE users SET first_name = 'Doro' WHERE last_name = 'Lindqvist'"))
    db.session.commit()
    assert "Doro " in admin_client.get("/admin/users?q=lindqvist").text


def test_a_page_and_its_fragment_are_kept_apart(admin_client):
    page = warm(admin_client, "/admin/users?q=lindqvist")
    fragment = warm(admin_client, "/admin/users?q=lindqvist", **HTMX)
    assert "<html" in page.text and "<html" not in fragment.text
    assert "<html" in admin_client.get("/admin/users?q=lindqvist").text
    assert "<html" not in admin_client.get("/admin/users?q=lindqvist", headers=HTMX).text


def test_another_session_never_gets_the_answer(app, ctx, login):
    alice, bob = f.account_manager(first_name="Alice"), f.account_manager(first_name="Bob")
    alice_client = login(alice)
    assert "Alice" in warm(alice_client, "/profile").text
    bob_client = app.test_client()
    with bob_client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = bob.get_id(), True
    assert "Bob" in bob_client.get("/profile").text
    assert "Alice" not in bob_client.get("/profile").text
    assert app.test_client().get("/profile").status_code == 302  # no cookie: sign in first


def test_a_suspended_user_is_not_answered_from_before(admin_client):
    warm(admin_client, "/admin/users")
    admin = db.session.scalar(select(User).where(User.email == "root@example.com"))
    admin.is_suspended = True
    db.session.commit()
    assert admin_client.get("/admin/users").status_code == 302


def test_an_answer_ends_when_its_session_is_due_to_be_seen_again(
        admin_client, statements, monkeypatch):
    warm(admin_client, "/admin/users")
    statements.clear()
    admin_client.get("/admin/users")
    assert statements == []
    import webapp.answer_cache

    later = webapp.answer_cache.time.time() + 61
    monkeypatch.setattr(webapp.answer_cache.time, "time", lambda: later)
    admin_client.get("/admin/users")
    assert statements != []  # made again, the ordinary way


def test_what_is_not_kept(app, ctx, login, statements):
    administrator = f.admin()
    buyer = f.buyer()
    programme = cf.programme(title="The Fjord Murders")
    db.session.commit()
    admin_client = login(administrator)
    template = "/admin/catalogue/import/template.csv"  # not HTML
    warm(admin_client, template)
    for path, headers in [(template, {}), ("/reporting", {"X-Recompute": "1"}),
                          ("/no-such-page", {})]:
        statements.clear()
        admin_client.get(path, headers=headers)
        assert statements != [], path
    buyer_client = app.test_client()
    with buyer_client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = buyer.get_id(), True
    warm(buyer_client, f"/catalogue/{programme.id}")
    statements.clear()
    buyer_client.get(f"/catalogue/{programme.id}")  # records the view: a write
    assert any(statement.lstrip().upper().startswith("INSERT") for statement in statements)


def test_the_tables_a_statement_names_subqueries_included():
    names = table_names()
    assert _tables_named("SELECT users.id FROM users WHERE users.id IN (SELECT user_roles.user_id"
                         " FROM user_roles JOIN roles ON roles.id = user_roles.role_id)",
                         names) == {"users", "user_roles", "roles"}
    assert _tables_named("SELECT 1", names) == frozenset()


def test_without_redis_answers_are_kept_only_in_a_single_process(database_url):
    several = make_app(database_url, ANSWER_CACHE_LOCAL=False)
    assert EXTENSION not in several.extensions
    assert EXTENSION not in make_app(database_url, ANSWER_CACHE_SECONDS=0).extensions


@pytest.fixture
def servers(app, redis_client, database_url):
    """Two app servers sharing the test Redis, as behind a reverse proxy."""
    apps = [make_app(database_url, REDIS_URL=TEST_REDIS_URL) for _ in range(2)]
    yield apps
    for server in apps:
        with server.app_context():
            db.engine.dispose()


def test_app_servers_share_answers_and_what_changed_through_redis(servers):
    one, other = servers
    with one.app_context():
        dora = f.user(first_name="Dora", last_name="Lindqvist")
        administrator = f.admin()
        db.session.commit()
        user_id, dora_id = administrator.get_id(), dora.id
    browser = one.test_client()
    with browser.session_transaction() as session:
        session["_user_id"], session["_fresh"] = user_id, True
    warm(browser, "/admin/users?q=lindqvist")
    cookie = browser.get_cookie("session", domain="cms.test").value
    elsewhere = other.test_client()
    elsewhere.set_cookie("session", cookie, domain="cms.test")
    assert "Dora" in elsewhere.get("/admin/users?q=lindqvist").text
    assert other.extensions[EXTENSION].hits == 1  # kept by the first server
    with one.app_context():
        db.session.get(User, dora_id).first_name = "Dorothea"
        db.session.commit()
    assert "Dorothea" in elsewhere.get("/admin/users?q=lindqvist").text
    assert other.extensions[EXTENSION].hits == 1


def test_an_unreachable_redis_costs_the_ordinary_way(app, ctx, database_url):
    unreachable = make_app(database_url, REDIS_URL="redis://127.0.0.1:1/0")
    administrator = f.admin()
    db.session.commit()
    browser = unreachable.test_client()
    with browser.session_transaction() as session:
        session["_user_id"], session["_fresh"] = administrator.get_id(), True
    assert warm(browser, "/admin/users").status_code == 200
    assert browser.get("/admin/users").status_code == 200
    with unreachable.app_context():
        db.engine.dispose()


def test_an_answer_that_sets_a_cookie_is_not_kept(admin_client, statements):
    unstamped = admin_client.get_cookie("session", domain="cms.test").value
    first = admin_client.get("/admin/users")
    assert "Set-Cookie" in first.headers  # the session stamped on its first request
    admin_client.set_cookie("session", unstamped, domain="cms.test")
    statements.clear()
    admin_client.get("/admin/users")  # the same request again: made again, not sent again
    assert statements != []


def test_after_logging_out_the_old_cookie_gets_nothing_kept(admin_client):
    kept = warm(admin_client, "/admin/users")
    assert kept.status_code == 200
    signed_in = admin_client.get_cookie("session", domain="cms.test").value
    assert admin_client.post("/logout").status_code == 303
    admin_client.set_cookie("session", signed_in, domain="cms.test")  # replayed
    assert admin_client.get("/admin/users").status_code == 302


def test_what_another_release_kept_is_not_sent(admin_client, app, monkeypatch):
    warm(admin_client, "/admin/users")
    store = app.extensions[EXTENSION].store
    key = next(reversed(store._answers))
    store._answers[key] = b"not an answer"  # as a release that kept something else would
    again = admin_client.get("/admin/users")
    assert again.status_code == 200 and "<html" in again.text


def test_releases_keep_their_answers_apart_and_share_the_versions(redis_client, monkeypatch):
    database = f"sqlite:///release-test-{id(monkeypatch)}.db"
    one = RedisStore(TEST_REDIS_URL, database)
    monkeypatch.setattr(answer_cache, "release", lambda: "the-next-release")
    upgraded = RedisStore(TEST_REDIS_URL, database)
    assert one.versions_key == upgraded.versions_key and one.prefix != upgraded.prefix
    one.keep("k", b"kept", 5)
    assert one.lookup("k")[1] == b"kept" and upgraded.lookup("k")[1] is None
    upgraded.bump({"users"})
    assert one.lookup("k")[0]["users"] == 1
    redis_client.delete(one.versions_key, one.prefix + "k")


def test_answers_kept_before_redis_lost_the_versions_are_never_sent(servers):
    one, _ = servers
    with one.app_context():
        administrator = f.admin()
        db.session.commit()
        user_id = administrator.get_id()
    browser = one.test_client()
    with browser.session_transaction() as session:
        session["_user_id"], session["_fresh"] = user_id, True
    warm(browser, "/admin/users")
    cache = one.extensions[EXTENSION]
    assert browser.get("/admin/users").status_code == 200 and cache.hits == 1
    store = cache.store
    versions = {name.decode(): int(value)
                for name, value in store.redis.hgetall(store.versions_key).items()}
    store.redis.delete(store.versions_key)  # Redis restarted empty, or evicted the hash
    store.redis.hset(store.versions_key, mapping={  # counted up again to where they were
        name: value for name, value in versions.items() if name != "epoch"})
    browser.get("/admin/users")
    assert cache.hits == 1  # made again, not sent from before
    browser.get("/admin/users")
    assert cache.hits == 2  # and kept at the new epoch


def test_the_key_is_the_cookies_the_url_and_what_the_answer_varies_by():
    request = {"REQUEST_METHOD": "GET", "HTTP_COOKIE": "session=a", "PATH_INFO": "/meetings",
               "QUERY_STRING": "q=bob", "HTTP_HOST": "cms.example.com", "wsgi.url_scheme": "https"}
    key = _key(request)
    for change in [{"HTTP_COOKIE": "session=b"}, {"PATH_INFO": "/lists"}, {"QUERY_STRING": ""},
                   {"HTTP_HX_REQUEST": "true"}, {"HTTP_HX_HISTORY_RESTORE_REQUEST": "true"},
                   {"HTTP_ACCEPT_ENCODING": "gzip"}, {"HTTP_HOST": "other.example.com"},
                   {"wsgi.url_scheme": "http"}, {"HTTP_X_FORWARDED_PROTO": "http"}]:
        assert _key({**request, **change}) not in (None, key), change
    assert _key({**request, "HTTP_USER_AGENT": "another browser"}) == key
    for never in [{"REQUEST_METHOD": "POST"}, {"REQUEST_METHOD": "HEAD"}, {"HTTP_COOKIE": ""},
                  {"HTTP_X_RECOMPUTE": "1"}]:
        assert _key({**request, **never}) is None, never

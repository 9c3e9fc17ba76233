"""Report figures kept once computed (webapp/figure_cache.py): read back for the same viewer
and filters, never for another viewer, recomputed when asked and after they expire; in
Redis, shared by every worker."""

import re
import secrets
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import TEST_REDIS_URL
from tests.reporting_world import events, world_fixture  # noqa: F401
from webapp.extensions import db
from webapp.figure_cache import FigureCache
from webapp.models import EventKind

RECOMPUTE = {"X-Recompute": "1", "HX-Request": "true"}


class Counter:
    """A compute function that says how often it ran."""

    def __init__(self):
        self.runs = 0

    def __call__(self):
        self.runs += 1
        return {"visits": self.runs}


@pytest.fixture
def clock(monkeypatch):
    """The cache's clock, moved by hand."""
    now = [1_800_000_000.0]
    monkeypatch.setattr("webapp.figure_cache.time.time", lambda: now[0])
    return now


def test_a_value_is_kept_while_fresh_then_computed_again(clock):
    cache, compute = FigureCache(60), Counter()
    first, computed_at = cache.get_or_compute("k", compute)
    clock[0] += 59
    assert cache.get_or_compute("k", compute) == (first, computed_at)
    assert compute.runs == 1
    clock[0] += 2
    again, later = cache.get_or_compute("k", compute)
    assert (again, compute.runs) == ({"visits": 2}, 2)
    assert (later - computed_at).total_seconds() == 61


def test_while_one_request_computes_again_the_others_get_the_older_value(clock):
    cache, compute = FigureCache(60), Counter()
    first = cache.get_or_compute("k", compute)
    clock[0] += 61

    def meanwhile():  # a request arriving while the first one recomputes
        assert cache.get_or_compute("k", compute) == first
        return "recomputed"

    assert cache.get_or_compute("k", meanwhile)[0] == "recomputed"
    assert compute.runs == 1
    assert cache.get_or_compute("k", compute)[0] == "recomputed"  # the claim is released


def test_a_failed_recomputation_lets_the_next_request_try(clock):
    cache, compute = FigureCache(60), Counter()
    cache.get_or_compute("k", compute)
    clock[0] += 61

    def broken():
        raise RuntimeError("database gone")

    with pytest.raises(RuntimeError):
        cache.get_or_compute("k", broken)
    assert cache.get_or_compute("k", compute)[0] == {"visits": 2}


def test_given_later_an_expired_value_is_answered_and_refreshed_once_handed_over(clock):
    cache, compute = FigureCache(60), Counter()
    first = cache.get_or_compute("k", compute)
    clock[0] += 61
    handed = []
    assert cache.get_or_compute("k", compute, later=handed.append) == first
    assert (compute.runs, handed) == (1, [cache.prefix + "k"])
    # Until the refresh has run, the claim holds: others get the older value, hand nothing.
    assert cache.get_or_compute("k", compute, later=handed.append) == first
    assert len(handed) == 1
    refreshed = cache.refresh(handed[0], compute)
    assert refreshed[0] == {"visits": 2}
    assert cache.get_or_compute("k", compute, later=handed.append) == refreshed
    assert len(handed) == 1


def test_a_value_never_computed_is_computed_at_once_even_given_later(clock):
    cache, compute, handed = FigureCache(60), Counter(), []
    assert cache.get_or_compute("k", compute, later=handed.append)[0] == {"visits": 1}
    assert handed == []


def test_a_failed_refresh_lets_go_of_its_claim(clock):
    cache, compute, handed = FigureCache(60), Counter(), []
    cache.get_or_compute("k", compute)
    clock[0] += 61
    cache.get_or_compute("k", compute, later=handed.append)

    def broken():
        raise RuntimeError("database gone")

    with pytest.raises(RuntimeError):
        cache.refresh(handed[0], broken)
    cache.get_or_compute("k", compute, later=handed.append)
    assert len(handed) == 2  # the next request claimed it again


def test_a_value_nobody_asks_for_is_dropped(clock):
    cache, compute = FigureCache(60), Counter()
    cache.get_or_compute("k", compute)
    clock[0] += 121
    assert cache._read(cache.prefix + "k") is None


def test_fresh_recomputes_and_keeps_the_new_value(clock):
    cache, compute = FigureCache(60), Counter()
    cache.get_or_compute("k", compute)
    assert cache.get_or_compute("k", compute, fresh=True)[0] == {"visits": 2}
    assert cache.get_or_compute("k", compute)[0] == {"visits": 2}
    assert compute.runs == 2


def test_zero_seconds_keeps_nothing(clock):
    cache, compute = FigureCache(0), Counter()
    cache.get_or_compute("k", compute)
    cache.get_or_compute("k", compute)
    assert compute.runs == 2


def test_a_kept_value_is_a_copy_a_request_cannot_change(clock):
    cache = FigureCache(60)
    value, _ = cache.get_or_compute("k", lambda: {"visits": 1})
    value["visits"] = 99
    assert cache.get_or_compute("k", Counter())[0] == {"visits": 1}


def test_memory_holds_a_bounded_number_of_values(clock, monkeypatch):
    monkeypatch.setattr("webapp.figure_cache.LOCAL_ENTRIES", 3)
    cache, compute = FigureCache(60), Counter()
    for key in "abcd":
        cache.get_or_compute(key, compute)
    assert len(cache._local) == 3
    cache.get_or_compute("a", compute)  # the oldest was dropped: computed again
    assert compute.runs == 5


def test_an_unreachable_redis_costs_a_recomputation_not_an_error():
    cache, compute = FigureCache(60, "redis://127.0.0.1:1/0"), Counter()  # nothing listens
    assert cache.get_or_compute("k", compute)[0] == {"visits": 1}
    assert cache.get_or_compute("k", compute)[0] == {"visits": 2}


@pytest.fixture
def redis_url(redis_client):
    return TEST_REDIS_URL


def test_workers_share_what_redis_keeps(redis_url):
    namespace = secrets.token_hex(8)  # runs sharing the Redis never read each other's
    one, other = FigureCache(60, redis_url, namespace), FigureCache(60, redis_url, namespace)
    compute = Counter()
    kept = one.get_or_compute("k", compute)
    assert other.get_or_compute("k", compute) == kept
    assert compute.runs == 1
    assert 60_000 < one.redis.pttl(one.prefix + "k") <= 120_000
    assert one._claim(one.prefix + "k") and not other._claim(one.prefix + "k")
    one._release(one.prefix + "k")
    assert other._claim(one.prefix + "k")
    other._release(one.prefix + "k")
    elsewhere = FigureCache(60, redis_url, secrets.token_hex(8))  # another database's app
    assert elsewhere.get_or_compute("k", compute)[0] == {"visits": 2}
    one.redis.delete(one.prefix + "k", elsewhere.prefix + "k")


# --- Through the reporting pages ---------------------------------------------------------


@pytest.fixture
def app_config():
    return {"FIGURE_CACHE_SECONDS": 60}


def tile(page: str, name: str) -> str:
    return re.search(rf'id="tile-{name}".*?<strong[^>]*>([^<]*)<', page, re.S).group(1)


def test_the_overview_is_read_back_until_recomputed(world, login, statements):
    sam = login(world["people"]["sam"])
    first = sam.get("/reporting").text
    assert tile(first, "visits") == "6"
    assert "Figures as of" in first and "Recompute now" in first
    computed = len(statements)
    events(world["people"]["ben"], EventKind.VISIT, 2)
    statements.clear()
    again = sam.get("/reporting").text
    assert tile(again, "visits") == "6"  # kept: the two new visits are not counted yet
    assert len(statements) < computed
    recomputed = sam.get("/reporting", headers=RECOMPUTE)
    assert recomputed.status_code == 200
    assert tile(recomputed.text, "visits") == "8"
    assert tile(sam.get("/reporting").text, "visits") == "8"  # what was recomputed is kept


@pytest.fixture
def figures_expired(monkeypatch):
    """expire(): from now on, what is kept reads as computed over a minute ago."""
    def expire():
        later = datetime.now(UTC) + timedelta(seconds=61)
        monkeypatch.setattr("webapp.figure_cache._now", lambda: later)
    return expire


def test_expired_figures_are_answered_then_computed_again_once_the_answer_is_sent(
        world, login, statements, figures_expired):
    sam = login(world["people"]["sam"])
    sam.get("/reporting")
    computed = len(statements)
    events(world["people"]["ben"], EventKind.VISIT, 2)
    figures_expired()
    statements.clear()
    answer = sam.get("/reporting")
    assert tile(answer.text, "visits") == "6"  # the figures kept, without waiting for new ones
    assert len(statements) < computed
    # Meanwhile another request gets the kept figures too, and computes nothing.
    assert tile(sam.get("/reporting").text, "visits") == "6"
    statements.clear()
    answer.close()  # the answer has been sent: now the figures are worked out again
    assert any("activity_days" in statement for statement in statements)
    assert tile(sam.get("/reporting").text, "visits") == "8"


def test_nothing_is_computed_after_the_answer_for_a_viewer_suspended_meanwhile(
        world, login, statements, figures_expired):
    sam = world["people"]["sam"]
    client = login(sam)
    client.get("/reporting")
    figures_expired()
    answer = client.get("/reporting")
    sam.is_suspended = True
    db.session.commit()
    statements.clear()
    answer.close()
    assert statements  # the viewer was read again...
    assert not any("activity_days" in statement for statement in statements)  # ...and no more


def test_kept_figures_are_the_viewers_own(world, login):
    people = world["people"]
    assert tile(login(people["sam"]).get("/reporting").text, "buyers") == "2"  # Ben, Ivan
    # Tess asks the same page with the same filters: her scope, not Sam's kept figures.
    assert tile(login(people["tess"]).get("/reporting").text, "buyers") == "1"  # Dora


def test_other_filters_are_other_figures(world, login):
    sam = login(world["people"]["sam"])
    assert "Ben Carter" in sam.get("/reporting/buyers").text
    narrowed = sam.get("/reporting/buyers?q=ivan").text
    assert "Ivan Petrov" in narrowed and "Ben Carter" not in narrowed


def test_kept_programme_rankings_name_the_programmes_as_they_are_now(world, login):
    rita = login(world["people"]["rita"])
    assert "The Fjord Murders" in rita.get("/reporting/programmes").text
    world["fjord"].title = "The Fjord Murders (series 2)"
    db.session.commit()
    assert "The Fjord Murders (series 2)" in rita.get("/reporting/programmes").text


def test_a_kept_buyers_table_shows_names_as_they_were_until_recomputed(world, login):
    sam = login(world["people"]["sam"])
    assert "Ben Carter" in sam.get("/reporting/buyers").text
    world["people"]["ben"].last_name = "Carter-Lewis"
    db.session.commit()
    assert "Carter-Lewis" not in sam.get("/reporting/buyers").text
    assert "Ben Carter-Lewis" in sam.get("/reporting/buyers", headers=RECOMPUTE).text

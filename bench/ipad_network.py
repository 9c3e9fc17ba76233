"""The in-meeting view on trade-fair Wi-Fi: what the host waits for, with Chromium's network
emulation at 300 ms latency, 50 KB/s down and 25 KB/s up, and the same at 0 ms.

    .venv/bin/python -m bench.ipad_network                 # SQLite, a fresh demo database
    .venv/bin/python -m bench.ipad_network --database-url sqlite:////tmp/demo.db

Starts gunicorn (gunicorn.conf.py) on the database (an empty one gets the demo data), signs
Bob in through the login form in an iPad Pro 11 context of Debian's Chromium and throttles
both the page and the service worker: Chromium applies a page's network emulation to that
page only, and the service worker fetches the meeting's page for it. The worker's target is
throttled through a browser-level CDP session (Target.attachToTarget, then
Network.emulateNetworkConditions there), and a probe request on each (the page's own, and
one the worker fetches from the network) shows the throttle is in force. Printed, with
MET / NOT MET, the median of --runs (3) runs each in a fresh context, with the lowest and
highest (figures, not test assertions):

- the day's list cold (an empty cache, no service worker yet): until the page's load event
  (its scripts run), with the time it was first painted beside it;
- a meeting from the service worker (network-first: the worker fetches it);
- a tap to "Saved": the thumbs tapped until the state beside them says Saved (the median
  of three taps on three items, one after another);
- 60 changes made offline (interest taps and notes on the meeting's items, which the outbox
  folds into fewer waiting changes) drained after reconnecting: from going online until the
  bar says "All changes saved", and the requests that took.
"""

import argparse
import json
import os
import statistics
import tempfile

import httpx
from playwright.sync_api import expect, sync_playwright

from bench.browser import CHROMIUM, CHROMIUM_FLAGS, _sign_in
from bench.second_factor import CODES
from bench.server import APP, ROOT, gunicorn
from bench.targets import mark

HOST = "bob@demo.test"
PASSWORD = "demo-password"
TRADE_FAIR = {"latency": 300, "download": 50 * 1024, "upload": 25 * 1024}
LOOPBACK = {"latency": 0, "download": -1, "upload": -1}
DAY_COLD_S, MEETING_S, TAP_S, DRAIN_S, DRAIN_REQUESTS = 1.0, 0.5, 0.5, 1.0, 2
OFFLINE_CHANGES = 60
WARM_ROUNDS = 20
TAPS = 3
SAVED = "All changes saved"
WORKER_IN_CONTROL = """() => navigator.serviceWorker.ready.then(() =>
    navigator.serviceWorker.controller !== null || new Promise(resolve => {
        navigator.serviceWorker.addEventListener("controllerchange", () => resolve(true),
                                                 {once: true});
        setTimeout(() => resolve(navigator.serviceWorker.controller !== null), 10000);
    }))"""
# The page's probe is a request the worker leaves alone; the worker's, one it fetches
# itself from the network (a static file under a query it never kept).
# Navigation timing of the page shown: until its load event, and the bytes it took.
LOADED = """() => { const nav = performance.getEntriesByType("navigation")[0];
    const files = performance.getEntriesByType("resource").filter(r => r.initiatorType !== "fetch");
    const paint = performance.getEntriesByName("first-contentful-paint")[0];
    return {load: nav.loadEventEnd, paint: paint ? paint.startTime : 0,
            bytes: files.reduce((sum, r) => sum + r.transferSize, nav.transferSize),
            files: [[nav.name, nav.transferSize, nav.responseEnd]].concat(
                files.map(r => [r.name, r.transferSize, r.responseEnd]))}; }"""
# A tap on the thumbs until the state beside them says Saved, timed in the page.
TAP = """(item) => new Promise(resolve => {
    const box = document.querySelector(`[data-state-for='marks-${item}']`);
    const start = performance.now();
    new MutationObserver((changes, observer) => {
        if (box.textContent !== "Saved") return;
        observer.disconnect();
        resolve(performance.now() - start);
    }).observe(box, {childList: true, characterData: true, subtree: true});
    document.querySelector(`#meeting-item-${item} .mark.up`).click(); })"""
# From the connection's return until the bar says everything is saved.
WATCH_DRAIN = """() => { window.__drain = {online: null, saved: null};
    addEventListener("online", () => { window.__drain.online = performance.now(); });
    const bar = document.getElementById("sync-status");
    new MutationObserver(() => {
        if (window.__drain.online !== null && window.__drain.saved === null
            && bar.textContent === "All changes saved") window.__drain.saved = performance.now();
    }).observe(bar, {childList: true, characterData: true, subtree: true}); }"""
PROBE = """async (url) => { const start = performance.now();
    await (await fetch(url, {cache: "no-store"})).text(); return performance.now() - start; }"""


def _conditions(network: dict, offline: bool = False) -> dict:
    return {"offline": offline, "latency": network["latency"],
            "downloadThroughput": network["download"], "uploadThroughput": network["upload"]}


class ServiceWorkerThrottle:
    """Network emulation on the iPad view's service worker, through a browser-level CDP
    session: each service worker target is attached to (a worker stopped and started again
    is a new target) and given the conditions the page has."""

    def __init__(self, browser):
        self.session = browser.new_browser_cdp_session()
        self.attached = {}  # target id -> session id
        self.network = LOOPBACK
        self.offline = False
        self.message_id = 0
        self.session.on("Target.targetCreated", self._created)
        self.session.send("Target.setDiscoverTargets", {"discover": True})

    def _created(self, event) -> None:
        info = event["targetInfo"]
        if info["type"] == "service_worker" and info["targetId"] not in self.attached:
            self._attach(info["targetId"])

    def _attach(self, target_id: str) -> None:
        attached = self.session.send("Target.attachToTarget",
                                     {"targetId": target_id, "flatten": False})
        self.attached[target_id] = attached["sessionId"]
        self._send(attached["sessionId"], "Network.enable", {})
        self._send(attached["sessionId"], "Network.emulateNetworkConditions",
                   _conditions(self.network, self.offline))

    def _send(self, session_id: str, method: str, params: dict) -> None:
        self.message_id += 1
        self.session.send("Target.sendMessageToTarget", {"sessionId": session_id, "message":
                          json.dumps({"id": self.message_id, "method": method,
                                      "params": params})})

    def apply(self, network: dict, offline: bool = False) -> None:
        self.network, self.offline = network, offline
        workers = [t["targetId"] for t in self.session.send("Target.getTargets")["targetInfos"]
                   if t["type"] == "service_worker"]
        self.attached = {t: s for t, s in self.attached.items() if t in workers}  # gone: closed
        for target_id in workers:
            if target_id not in self.attached:
                self._attach(target_id)
        for session_id in self.attached.values():
            self._send(session_id, "Network.emulateNetworkConditions",
                       _conditions(network, offline))


class Throttle:
    """The same conditions on the page (its own CDP session) and on the service worker."""

    def __init__(self, page, worker: ServiceWorkerThrottle):
        self.page_session = page.context.new_cdp_session(page)
        self.page_session.send("Network.enable")
        self.worker = worker

    def apply(self, network: dict, offline: bool = False) -> None:
        self.page_session.send("Network.emulateNetworkConditions", _conditions(network, offline))
        self.worker.apply(network, offline)


def _probes(page, base_url: str, n: int) -> tuple[float, float]:
    """(the page's probe, the worker's probe) in seconds."""
    own = page.evaluate(PROBE, f"{base_url}/healthz?probe={n}") / 1000
    worker = page.evaluate(PROBE, f"{base_url}/static/build/ipad/ipad.css?probe={n}") / 1000
    return own, worker


def _warm(base_url: str) -> None:
    """Each worker compresses a static file on its first request for it, once per version:
    asked for enough times first, so that the figures are the network's, not a new server's."""
    files = ["build/ipad/ipad.css", "build/ipad/outbox.js", "build/ipad/ipad.js",
             "vendor/htmx.min.js", "vendor/Sortable.min.js", "ipad/manifest.webmanifest"]
    with httpx.Client(base_url=base_url, headers={"Accept-Encoding": "br, gzip"}) as client:
        for _ in range(WARM_ROUNDS):
            for name in files:
                client.get(f"/static/{name}").raise_for_status()


def measure(browser, device: dict, state, base_url: str, network: dict, worker) -> dict:
    """One run in a fresh context (an empty cache, no service worker): the figures."""
    context = browser.new_context(**device, storage_state=state)
    page = context.new_page()
    throttle = Throttle(page, worker)
    throttle.apply(network)
    figures = {}
    requests = []
    page.on("request", lambda r: requests.append(r) if r.url.endswith("/ipad/changes") else None)
    page.goto(f"{base_url}/ipad/", wait_until="load")
    loaded = page.evaluate(LOADED)
    figures["day cold"], figures["day bytes"] = loaded["load"] / 1000, loaded["bytes"]
    figures["day painted"] = loaded["paint"] / 1000
    figures["day files"] = loaded["files"]
    assert page.evaluate(WORKER_IN_CONTROL) is not None
    page.reload(wait_until="load")  # now controlled by the worker
    page.evaluate(WORKER_IN_CONTROL)
    throttle.apply(network)  # the worker's target exists now
    figures["probe page"], figures["probe worker"] = _probes(page, base_url, 1)
    # The host opens the day before walking into the hall: its meetings get ready offline.
    page.reload(wait_until="load")
    states = page.locator("[data-offline-state]")
    for n in range(states.count()):
        expect(states.nth(n)).not_to_have_attribute("data-state", "preparing", timeout=120_000)
    figures["ready"] = page.evaluate("performance.now()") / 1000
    figures["ready states"] = states.all_inner_texts()

    page.locator(".meeting-card").first.click()
    page.wait_for_load_state("load")
    figures["meeting"] = page.evaluate(LOADED)["load"] / 1000
    expect(page.locator("#sync-status")).to_have_text(SAVED, timeout=30_000)

    items = page.locator("#meeting-items > li.item").evaluate_all(
        "items => items.map(i => i.dataset.item)")
    taps = []
    for item in items[:TAPS]:  # one tap after another, each once the one before is saved
        taps.append(page.evaluate(TAP, item) / 1000)
        expect(page.locator("#sync-status")).to_have_text(SAVED, timeout=30_000)
    figures["tap"], figures["slowest tap"] = statistics.median(taps), max(taps)
    expect(page.locator("#sync-status")).to_have_text(SAVED, timeout=30_000)

    throttle.apply(network, offline=True)
    for n in range(OFFLINE_CHANGES):
        item = items[n % len(items)]
        if n % 3 == 2:
            page.locator(f"#note-{item}").fill(f"Offline note {n}")
            page.locator(f"#note-{item}").blur()
        else:
            page.locator(f"#meeting-item-{item} .mark.{'up' if n % 2 else 'down'}").click()
    figures["waiting"] = len(json.loads(page.evaluate(
        "localStorage.getItem('sales-cms.ipad.outbox') || '[]'")))
    requests.clear()
    page.evaluate(WATCH_DRAIN)
    throttle.apply(network)
    expect(page.locator("#sync-status")).to_have_text(SAVED, timeout=60_000)
    figures["drain"] = page.evaluate("window.__drain.saved - window.__drain.online") / 1000
    figures["drain requests"] = len(requests)
    context.close()
    return figures


def _combined(runs: list[dict]) -> tuple[dict, dict]:
    """The median of each figure over the runs (the last run's lists), and each one's range."""
    figures, ranges = dict(runs[-1]), {}
    for key, value in runs[-1].items():
        if isinstance(value, int | float):
            values = sorted(run[key] for run in runs)
            figures[key] = statistics.median(values)
            ranges[key] = (values[0], values[-1])
    return figures, ranges


def _report(name: str, network: dict, runs: list[dict]) -> None:
    figures, ranges = _combined(runs)

    def spread(key: str) -> str:
        low, high = ranges[key]
        return f" [{low:.2f}-{high:.2f}]" if len(runs) > 1 else ""

    def rate(bytes_per_s: int) -> str:
        return "unlimited" if bytes_per_s < 0 else f"{bytes_per_s // 1024} KB/s"

    print(f"\n{name}: latency {network['latency']} ms, down {rate(network['download'])}, "
          f"up {rate(network['upload'])}; median of {len(runs)} runs [lowest-highest]")
    print(f"  the day's meetings ready offline {figures['ready']:.2f} s{spread('ready')} after "
          f"the day's page "
          f"opened: {', '.join(figures['ready states'])}")
    for name_, size, end in figures["day files"]:
        print(f"    {name_.split('/', 3)[-1]:<40} {size:>6} bytes, done at {end:>5.0f} ms")
    print(f"  throttle probes: page {figures['probe page']:.3f} s, "
          f"service worker {figures['probe worker']:.3f} s")
    rows = [
        ("the day's list, cold", f"{figures['day cold']:.2f} s{spread('day cold')} "
         f"({figures['day bytes'] / 1024:.1f} KB; shown at {figures['day painted']:.2f} s)",
         f"< {DAY_COLD_S} s",
         figures["day cold"] < DAY_COLD_S),
        ("a meeting from the service worker", f"{figures['meeting']:.2f} s{spread('meeting')}",
         f"< {MEETING_S} s",
         figures["meeting"] < MEETING_S),
        ('a tap to "Saved"', f"{figures['tap']:.2f} s{spread('tap')} "
         f"(slowest tap {ranges['slowest tap'][1]:.2f} s)", f"< {TAP_S} s",
         figures["tap"] < TAP_S),
        (f"{OFFLINE_CHANGES} changes offline drained",
         f"{figures['drain']:.2f} s{spread('drain')}, {figures['drain requests']:.0f} requests "
         f"({figures['waiting']} waiting)", f"< {DRAIN_S} s, <= {DRAIN_REQUESTS}",
         figures["drain"] < DRAIN_S and figures["drain requests"] <= DRAIN_REQUESTS),
    ]
    for what, figure, target, met in rows:
        print(f"  {what:<34} {figure:<58} {target:<14} {mark(met)}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--runs", type=int, default=3, help="runs per network (default 3)")
    args = parser.parse_args(argv)
    url = args.database_url or \
        f"sqlite:///{tempfile.mkdtemp(prefix='bench-ipad-network-')}/demo.db"
    from bench.ipad import _app

    with _app(url).app_context():  # the demo data, if the database is empty
        CODES.load([HOST])
    work = ROOT / "instance" / "bench"
    with gunicorn(APP, url, work / "ipad-network-gunicorn.log", "/healthz") as (
            base_url, _master), sync_playwright() as playwright:
        _warm(base_url)
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        device = dict(playwright.devices["iPad Pro 11"])
        device.pop("default_browser_type", None)
        state = _sign_in(browser, base_url, HOST, PASSWORD, device,
                         work / "ipad-network-state.json")
        worker = ServiceWorkerThrottle(browser)
        for name, network in (("trade-fair Wi-Fi", TRADE_FAIR), ("loopback", LOOPBACK)):
            _report(name, network, [measure(browser, device, state, base_url, network, worker)
                                    for _ in range(args.runs)])
        browser.close()


if __name__ == "__main__":
    main()

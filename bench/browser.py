"""Browser figures for the main pages: LCP, CLS, total blocking time and bytes transferred.

    .venv/bin/python -m bench.browser [--only NAME ...]

Starts gunicorn (gunicorn.conf.py) on DATABASE_URL, which must hold the demo data or a
generated distributor, signs each page's user in through the login form, then loads every
page of bench/pages.py in a fresh browser context (an empty cache: the first visit's bytes),
on a desktop and as an iPad Pro 11, in Debian's Chromium. Target 6: LCP under 1 s on
loopback and CLS under 0.05, MET / NOT MET beside each page's figures (a page that does not
answer 200 misses both).
"""

import argparse
import os
import re
from pathlib import Path

from playwright.sync_api import sync_playwright

from bench.pages import BROWSER_PAGES, find_targets, select_entries
from bench.second_factor import CODES
from bench.server import APP, ROOT, gunicorn
from bench.targets import CLS, LCP_MS, mark, record, worst

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
DESKTOP = {"viewport": {"width": 1366, "height": 900}}

# Runs before the page's own scripts (injected by the browser, so the page's CSP allows it).
OBSERVERS = """
window.__perf = {lcp: 0, cls: 0, tbt: 0};
new PerformanceObserver(list => {
  for (const entry of list.getEntries()) window.__perf.lcp = entry.startTime;
}).observe({type: "largest-contentful-paint", buffered: true});
new PerformanceObserver(list => {
  for (const entry of list.getEntries())
    if (!entry.hadRecentInput) window.__perf.cls += entry.value;
}).observe({type: "layout-shift", buffered: true});
new PerformanceObserver(list => {
  for (const entry of list.getEntries()) window.__perf.tbt += Math.max(0, entry.duration - 50);
}).observe({type: "longtask", buffered: true});
"""

# Two frames after the load every paint has happened; observers hear of it in a later task.
READ_FIGURES = """
() => new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(() =>
  setTimeout(() => {
    const navigation = performance.getEntriesByType("navigation")[0];
    const resources = performance.getEntriesByType("resource");
    resolve({...window.__perf,
             bytes: navigation.transferSize + resources.reduce((s, r) => s + r.transferSize, 0),
             requests: 1 + resources.length});
  }, 250))))
"""


def _sign_in(browser, base_url: str, email: str, password: str, device: dict,
             state_path: Path) -> Path:
    """Log in through the form once per user and device; the cookies are reused per page."""
    context = browser.new_context(**device)
    page = context.new_page()
    if email:
        page.goto(f"{base_url}/login")
        page.get_by_label("Email", exact=True).fill(email)
        page.get_by_label("Password", exact=True).fill(password)
        page.get_by_role("button", name="Log in", exact=True).click()
        page.wait_for_url(re.compile(r"/(login/verify)?$"))
        if page.url.endswith("/login/verify"):
            page.get_by_label("Code", exact=True).fill(CODES.code(email))
            page.get_by_role("button", name="Continue", exact=True).click()
        page.wait_for_url(f"{base_url}/")
    context.storage_state(path=state_path)
    context.close()
    return state_path


def _measure(browser, url: str, device: dict, state: Path) -> dict:
    context = browser.new_context(**device, storage_state=state)
    context.add_init_script(OBSERVERS)
    page = context.new_page()
    response = page.goto(url, wait_until="load")
    figures = page.evaluate(READ_FIGURES)
    figures["status"] = response.status if response else 0
    context.close()
    return figures


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL") or
                        f"sqlite:///{ROOT / 'instance' / 'webapp.db'}")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="pages to load")
    args = parser.parse_args(argv)
    entries = [entry for entry in select_entries(args.only) if entry in BROWSER_PAGES]
    os.environ["DATABASE_URL"] = args.database_url
    from webapp import create_app

    with create_app().app_context():
        targets = find_targets()
    accounts = targets.accounts
    work = ROOT / "instance" / "bench"
    print(f"{'page':<22} {'device':<8} {'LCP ms':>7} {'target':<7} {'CLS':>6} {'target':<7} "
          f"{'TBT ms':>7} {'bytes':>8} {'requests':>8}")
    lcp, cls, answered = {}, {}, {}
    with gunicorn(APP, args.database_url, work / "browser-gunicorn.log", "/healthz") as (
            base_url, _master), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        ipad = dict(playwright.devices["iPad Pro 11"])
        ipad.pop("default_browser_type", None)
        for device_name, device in (("desktop", DESKTOP), ("iPad", ipad)):
            states = {}
            for entry in entries:
                if entry.role not in states:
                    states[entry.role] = _sign_in(
                        browser, base_url, accounts.email(entry.role), accounts.password,
                        device, work / f"browser-state-{device_name}-{len(states)}.json")
                figures = _measure(browser, base_url + entry.path(targets, 0), device,
                                   states[entry.role])
                ok = figures["status"] == 200
                name = f"{entry.name}, {device_name}"
                lcp[name], cls[name], answered[name] = figures["lcp"], figures["cls"], ok
                print(f"{entry.name:<22} {device_name:<8} {figures['lcp']:>7.0f} "
                      f"{mark(ok and figures['lcp'] < LCP_MS):<7} {figures['cls']:>6.3f} "
                      f"{mark(ok and figures['cls'] < CLS):<7} {figures['tbt']:>7.0f} "
                      f"{figures['bytes']:>8} {figures['requests']:>8}"
                      f"{'' if ok else '  HTTP ' + str(figures['status'])}", flush=True)
        browser.close()
    print(f"(bytes: transferred on a first visit, empty cache; targets: LCP < {LCP_MS} ms, "
          f"CLS < {CLS})")
    if lcp:
        _verdicts(lcp, cls, answered)


def _verdicts(lcp: dict[str, float], cls: dict[str, float], answered: dict[str, bool]) -> None:
    """The worst page and device of each target, printed and kept for the run's summary."""
    failed = [name for name, ok in answered.items() if not ok]
    for key, figures, limit, unit in (("lcp", lcp, LCP_MS, "ms"), ("cls", cls, CLS, "")):
        name, value = worst(figures)
        met = value < limit and not failed
        figure = (f"{value:.0f} ms" if unit else f"{value:.3f}") + f" ({name})"
        if failed:
            figure += f"; not 200: {', '.join(failed)}"
        print(f"worst {key.upper()}: {figure}; target < {limit:g}{' ' + unit if unit else ''}: "
              f"{mark(met)}")
        record(key, figure, met)


if __name__ == "__main__":
    main()

"""The in-meeting view's figures: first-load bytes, bytes per tap, server time per save.

    .venv/bin/python -m bench.ipad                       # SQLite, a fresh demo database
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench_ipad \\
        .venv/bin/python -m bench.ipad --saves 500

On DATABASE_URL (a temporary SQLite file by default; an empty database gets the demo data),
signed in as the host of a meeting (Bob on the demo data, am@bench.test on a distributor made
by bench/generate.py), in-process through Flask's test client:

- first load of /ipad/meetings/<id>: the page and every static file it names (stylesheet,
  scripts, manifest, icons), the service worker, the page again (the service worker fetches
  it to store it on the iPad for offline use), and the change that starts the meeting, as
  sent with "Accept-Encoding: br, gzip" (an answer the app sends uncompressed, an icon, is
  also counted gzipped at level 6, as a compressing proxy would send it; both figures are
  printed). The service worker's own copies of the static files are answered by the
  browser's HTTP cache and are not counted;
- bytes of each kind of tap's answer (interest, screener, note);
- server time per save (note saves and taps, alternating), 50th and 95th percentile.
Targets of the in-meeting view, MET / NOT MET beside each: first load under 100 KB
compressed; a tap's answer under 2 KB, headers included. The save times have no target.
"""

import argparse
import gzip
import os
import re
import statistics
import tempfile
import time
import uuid

from sqlalchemy import exists, select

from bench.targets import IPAD_FIRST_LOAD_BYTES, IPAD_TAP_BYTES, mark, record
from webapp import create_app
from webapp.extensions import db
from webapp.models import ListItem, Meeting, User

# Who runs the meeting: Bob on the demo data, the generated distributor's AM otherwise.
HOSTS = ["bob@demo.test", "am@bench.test"]
ASSET = re.compile(r'<(?:script|link)[^>]+(?:src|href)="(/static/[^"]+)"')
SERVICE_WORKER = re.compile(r'data-service-worker="([^"]+)"')


def _app(url: str):
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False,
                      "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False,
                      "PASSWORD_HASH_TIME_COST": 1, "PASSWORD_HASH_MEMORY_KIB": 8})
    with app.app_context():
        db.create_all()
        if db.session.scalar(select(User.id).limit(1)) is None:
            from webapp.demo import load_demo_data

            load_demo_data()
    return app


def _wire_bytes(response) -> tuple[int, int]:
    """(bytes as the app sends them, bytes with a compressing proxy in front)."""
    body = response.get_data()
    if response.headers.get("Content-Encoding"):
        return len(body), len(body)
    # A proxy leaves a body alone when gzip would only make it bigger (a tiny answer, a PNG).
    return len(body), min(len(body), len(gzip.compress(body, compresslevel=6)))


def first_load(client, meeting_id: int) -> list[tuple[str, int, int]]:
    headers = {"Accept-Encoding": "br, gzip"}
    page = client.get(f"/ipad/meetings/{meeting_id}", headers=headers)
    rows = [(f"/ipad/meetings/{meeting_id}", *_wire_bytes(page))]
    html = client.get(f"/ipad/meetings/{meeting_id}").get_data(as_text=True)
    for path in ASSET.findall(html) + SERVICE_WORKER.findall(html):
        with client.get(path, headers=headers) as response:
            rows.append((path, *_wire_bytes(response)))
    again = client.get(f"/ipad/meetings/{meeting_id}", headers=headers)
    rows.append(("the page again", *_wire_bytes(again)))
    # Counted as a reply: a first load of a meeting not yet started starts it.
    start = _change(client, meeting_id, "start")
    rows.append(("the start change's answer", *_wire_bytes(start)))
    return rows


def _change(client, meeting_id, kind, **fields):
    return client.post(f"/ipad/meetings/{meeting_id}/changes",
                       data={"key": uuid.uuid4().hex, "kind": kind, **fields})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=300, help="saves to time (default 300)")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL") or \
        f"sqlite:///{tempfile.mkdtemp(prefix='bench-ipad-')}/demo.db"
    app = _app(url)
    with app.app_context():
        host = next(filter(None, (db.session.scalar(select(User).where(User.email == email))
                                  for email in HOSTS)), None)
        if host is None:
            raise SystemExit(f"None of {HOSTS} is in this database: load the demo data or "
                             "run bench.generate")
        meeting = db.session.scalar(
            select(Meeting).where(Meeting.host_id == host.id,
                                  exists().where(ListItem.list_id == Meeting.list_id))
            .order_by(Meeting.id))
        meeting_id, item = meeting.id, meeting.programme_list.items[0]
        item_id, version = item.id, item.note_version
        host_id = host.get_id()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = host_id, True

    print(f"database: {url.split('@')[-1]}")
    print("\nfirst load of the meeting page (bytes)")
    rows = first_load(client, meeting_id)
    for path, sent, proxied in rows:
        print(f"  {path:<42} {sent:>8} as sent  {proxied:>8} compressed")
    assert all(r[1] for r in rows), "a file the page names was not served"
    compressed = sum(r[2] for r in rows)
    met = compressed < IPAD_FIRST_LOAD_BYTES
    print(f"  {'total':<42} {sum(r[1] for r in rows):>8} as sent  "
          f"{compressed:>8} compressed  (target < {IPAD_FIRST_LOAD_BYTES}): {mark(met)}")
    record("ipad first load", f"{compressed / 1024:.1f} KB compressed", met)

    print("\nanswer to a tap (bytes: body, headers)")
    taps = {}
    for kind, fields in (("interest", {"item_id": item_id, "value": "up"}),
                         ("screener", {"item_id": item_id, "value": "on"}),
                         ("note", {"item_id": item_id, "value": "Bench note", "version": version})):
        response = _change(client, meeting_id, kind, **fields)
        head = sum(len(k) + len(v) + 4 for k, v in response.headers.items())
        body = len(response.get_data())
        taps[kind] = body + head if response.status_code == 200 else IPAD_TAP_BYTES
        print(f"  {kind:<10} status {response.status_code}  body {body:>4}  "
              f"headers {head:>4}  total {body + head:>4}  (target < {IPAD_TAP_BYTES}): "
              f"{mark(taps[kind] < IPAD_TAP_BYTES)}")
        if kind == "note":
            version = response.get_json()["version"]

    kind = max(taps, key=taps.__getitem__)
    record("ipad tap", f"{taps[kind]} bytes ({kind})",
           all(size < IPAD_TAP_BYTES for size in taps.values()))

    timings = []
    for n in range(args.saves):
        start = time.perf_counter()
        if n % 2:
            response = _change(client, meeting_id, "interest", item_id=item_id,
                               value="up" if n % 4 == 1 else "down")
        else:
            response = _change(client, meeting_id, "note", item_id=item_id,
                               value=f"Bench note {n}", version=version)
            version = response.get_json().get("version", version)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.get_data(as_text=True)
    cuts = statistics.quantiles(timings, n=100)
    print(f"\nserver time per save over {len(timings)} saves: p50 {cuts[49]:.1f} ms, "
          f"p95 {cuts[94]:.1f} ms, max {max(timings):.1f} ms")


if __name__ == "__main__":
    main()

"""A gunicorn server for the benchmarks: started with gunicorn.conf.py, on loopback only."""

import os
import re
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import psutil

from bench.second_factor import CODES

ROOT = Path(__file__).resolve().parent.parent
APP = "webapp:create_app()"
HELLO = "bench.hello:app"
CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
# What a browser sends; the server answers with brotli or gzip.
ACCEPT_ENCODING = "gzip, br"
# Every client of the benchmarks, wrk included, says it is the same browser: a session is
# bound to the browser that signed in (Flask-Login's session protection), and a request from
# another one has its session marked no longer fresh, in a new cookie, on every answer.
USER_AGENT = "Mozilla/5.0 (sales CMS benchmark)"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(app: str, database_url: str, log_path: Path, ready_path: str,
             workers: int | None = None):
    """Run `app` under gunicorn.conf.py on a free loopback port; yields (base URL, process).

    Workers are never recycled here (GUNICORN_MAX_REQUESTS=0), so their memory can be
    compared from start to end. The access and error logs go to `log_path`.
    """
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "GUNICORN_BIND": f"127.0.0.1:{port}",
           "GUNICORN_MAX_REQUESTS": "0"}
    if workers:
        env["GUNICORN_WORKERS"] = str(workers)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), app],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_ready(process, base_url + ready_path, log_path)
        yield base_url, psutil.Process(process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_ready(process, url: str, log_path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode}; see {log_path}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer {url} within {timeout:.0f} s; see {log_path}")


def worker_memory(master: psutil.Process) -> dict[int, int]:
    """Resident size in bytes of each gunicorn worker, by process id."""
    sizes = {}
    for worker in master.children():
        try:
            sizes[worker.pid] = worker.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return sizes


def open_loop(rate: float, seconds: float, send: Callable[[int, float], None],
              limit: int | None = None, threads: int = 32) -> None:
    """Send on a fixed schedule: request n is due at start + n / rate whatever the answers
    do, so a slow answer delays nothing and latency counts from the planned time. Calls
    send(n, planned time) on a pool of threads, for `seconds` or `limit` requests."""
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        n = 0
        while (limit is None or n < limit) and n / rate < seconds:
            planned = start + n / rate
            time.sleep(max(0.0, planned - time.perf_counter()))
            pool.submit(send, n, planned)
            n += 1


# Made once: a client building its own reads the CA bundle, about 40 ms of the cores the
# server is being measured on, each time a phase's new thread makes its client.
TLS_CONTEXT = ssl.create_default_context()


class Session:
    """A signed-in user (none for an empty email): their cookies and their pages' CSRF token."""

    def __init__(self, base_url: str, email: str, password: str = ""):
        self.base_url = base_url
        self.email = email
        self.password = password
        self.cookies = httpx.Cookies()
        self.csrf_token = ""
        if email:
            self._log_in()

    def client(self) -> httpx.Client:
        """A client of its own for one thread, sharing this user's cookies."""
        return httpx.Client(base_url=self.base_url, cookies=self.cookies, timeout=30,
                            headers={"Accept-Encoding": ACCEPT_ENCODING,
                                     "User-Agent": USER_AGENT},
                            follow_redirects=False, verify=TLS_CONTEXT)

    def refresh(self) -> None:
        """Take the session's cookie as a browser would have it now: the server rewrites the
        session's last-seen time at most once a minute, in a new cookie. (wrk sends the
        cookie it is given as it is, never the one an answer sets.)"""
        if self.email:
            with self.client() as client:
                client.get("/")
                self.cookies = httpx.Cookies(client.cookies)

    def _log_in(self) -> None:
        with self.client() as client:
            token = _csrf_token(client.get("/login"))
            answer = client.post("/login", data={"email": self.email,
                                                 "password": self.password,
                                                 "csrf_token": token})
            if answer.status_code not in (302, 303):
                raise SystemExit(f"Could not log in as {self.email}: {answer.status_code}")
            if answer.headers["Location"].endswith("/login/verify"):
                token = _csrf_token(client.get("/login/verify"))
                answer = client.post("/login/verify", data={"code": CODES.code(self.email),
                                                            "csrf_token": token})
                if answer.status_code not in (302, 303):
                    raise SystemExit(f"The second step refused {self.email}: "
                                     f"{answer.status_code}")
            # The first page after logging in puts a new CSRF token into the session.
            self.csrf_token = _csrf_token(client.get("/"))
            self.cookies = httpx.Cookies(client.cookies)


def _csrf_token(response: httpx.Response) -> str:
    match = CSRF_FIELD.search(response.text)
    if match is None:
        raise SystemExit(f"No CSRF token on {response.url} ({response.status_code})")
    return match.group(1)

"""Production serving: `make serve` or `gunicorn -c gunicorn.conf.py "webapp:create_app()"`."""

import gc
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers, 2 x cores + 1 (5 on a 2-core machine): the common sizing rule for a CPU- and
# database-bound Flask application; one worker per extra core leaves room for requests
# that wait on the database. Override with GUNICORN_WORKERS.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
keepalive = 5
# Workers are kept: a 10-minute soak shows their memory flat (bench/README.md). Recycling
# after a count of requests replaced every worker within the same second (each gets an
# even share of the load), stalling every request for about a second. GUNICORN_MAX_REQUESTS
# turns it on, spread by a jitter of half the count.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 0))
max_requests_jitter = max_requests // 2
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_worker_init(worker):
    """Once the worker has loaded the app, exempt what it loaded from the garbage collector:
    a full collection would otherwise walk every module, class and cached statement (over a
    hundred thousand objects, 100 ms and more here) in the middle of some request."""
    gc.freeze()

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
# Workers are replaced after about this many requests, which bounds any slow growth in
# memory; GUNICORN_MAX_REQUESTS=0 keeps them (bench/load.py does, to watch their memory).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 5000))
max_requests_jitter = max_requests // 10
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_worker_init(worker):
    """Once the worker has loaded the app, exempt what it loaded from the garbage collector:
    a full collection would otherwise walk every module, class and cached statement (over a
    hundred thousand objects, 100 ms and more here) in the middle of some request."""
    gc.freeze()

"""Background jobs, on huey: long work (the catalogue import) runs outside the request
that asked for it, and its page follows its progress.

huey keeps its queue where the app keeps its data: in PostgreSQL (tables huey_*) when the
database is PostgreSQL, in a SQLite file beside the app's own otherwise. In production
`flask --app webapp jobs work` runs huey's consumer beside the web server; JOBS_IN_PROCESS=1
(as `make run` sets) runs one worker thread inside the web process instead. Tests run each
job at once, in the request that queues it (huey's immediate mode).
"""

import logging
import threading
from functools import cached_property
from pathlib import Path

import click
from flask import current_app
from huey import PostgresHuey, SqliteHuey
from sqlalchemy.engine import make_url

from webapp.extensions import db

EXTENSION = "jobs"
log = logging.getLogger(__name__)


def _huey_for(app):
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if app.testing:
        return SqliteHuey("webapp", immediate=True)
    if url.get_backend_name() == "postgresql":
        dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
        return PostgresHuey("webapp", dsn=dsn)
    # Beside the app's own SQLite file, so that each database has its own queue.
    beside = f"{url.database}-jobs" if url.database and url.database != ":memory:" else None
    return SqliteHuey("webapp", filename=beside or str(Path(app.instance_path) / "jobs.sqlite3"))


class Jobs:
    """The app's job queue and the jobs it knows. The queue is made on first use: an app
    that never queues a job (most CLI commands, tests) opens no connection for it."""

    def __init__(self, app):
        self.app = app
        self._thread = None
        self._lock = threading.Lock()
        self._stopping = threading.Event()

    @cached_property
    def huey(self):
        return self._queue[0]

    @cached_property
    def _queue(self):
        """huey and its tasks by name."""
        from webapp.services import catalogue_import

        app, huey = self.app, _huey_for(self.app)

        @huey.task(name="catalogue_import")
        def import_catalogue(import_id: int) -> None:
            with app.app_context():
                try:
                    catalogue_import.run_import(import_id)
                except Exception as error:
                    log.exception("Catalogue import %s broke", import_id)
                    catalogue_import.fail_import(import_id, f"The import stopped: {error}")
                finally:
                    db.session.remove()

        return huey, {"catalogue_import": import_catalogue}

    def import_catalogue(self, import_id: int) -> None:
        """Queue the catalogue import `import_id` (run at once in tests)."""
        self._queue[1]["catalogue_import"](import_id)

    def start_in_process(self) -> None:
        """One worker thread in this process, started once (JOBS_IN_PROCESS=1)."""
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._work, name="jobs", daemon=True)
                self._thread.start()

    def stop_in_process(self) -> None:
        """Stop the worker thread, if one runs, and wait for it (before its database goes)."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join()

    def _work(self) -> None:
        while not self._stopping.is_set():
            try:
                task = self.huey.dequeue()
            except Exception:  # the queue's database unreachable: try again shortly
                log.warning("The job queue could not be read; trying again", exc_info=True)
                task = None
            if task is None:
                self._stopping.wait(0.5)
            else:
                self.huey.execute(task)
        # From this thread: huey's PostgreSQL queue keeps a listening connection per thread.
        self.huey.storage.close()


def jobs() -> Jobs:
    return current_app.extensions[EXTENSION]


def init_app(app) -> None:
    queue = app.extensions[EXTENSION] = Jobs(app)
    if app.config["JOBS_IN_PROCESS"] and not app.testing:
        # Started by the first request, not here: CLI commands and the reloader's watcher
        # process build the app too, and must not each run a worker.
        app.before_request(queue.start_in_process)

    @app.cli.group("jobs")
    def jobs_group():
        """Background jobs."""

    @jobs_group.command("work")
    @click.option("--workers", default=1, show_default=True, help="Worker threads.")
    def work(workers):
        """Run the jobs queued by the web process (beside gunicorn in production)."""
        consumer = queue.huey.create_consumer(workers=workers, worker_type="thread")
        consumer.run()

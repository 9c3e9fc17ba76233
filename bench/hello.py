"""A bare Flask "hello" application: the baseline every page's throughput is compared to.

Served by bench/load.py under the same gunicorn.conf.py as the product; not part of it.
Beside /hello, two floors on DATABASE_URL, with SQLAlchemy Core and nothing else of the
product (no session, no sign-in, no ORM, no template): /hello/read sends one `SELECT 1`
outside a transaction, as the product's pages that only read do, and /hello/write inserts
one row and commits it, the least any save can do. bench.load creates their table before
the server starts and drops it afterwards (scratch_table).
"""

import os
from contextlib import contextmanager

from flask import Flask
from sqlalchemy import Column, Integer, MetaData, Table, create_engine, insert, text

app = Flask(__name__)
scratch = Table("bench_hello_writes", MetaData(), Column("id", Integer, primary_key=True),
                Column("n", Integer, nullable=False))
engine = create_engine(os.environ.get("DATABASE_URL", "sqlite://"))
reads = engine.execution_options(isolation_level="AUTOCOMMIT")
WRITE = insert(scratch).values(n=1)


def _plain(body: str):
    return body, 200, {"Content-Type": "text/plain; charset=utf-8"}


@app.route("/hello")
def hello():
    """Hello, and nothing else: no database, no session, no template."""
    return _plain("Hello, world!\n")


@app.route("/hello/read")
def read():
    """One round trip to the database, no transaction."""
    with reads.connect() as connection:
        connection.execute(text("SELECT 1"))
    return _plain("read\n")


@app.route("/hello/write", methods=["POST"])
def write():
    """One row inserted and committed (to disk: the database's own durability settings)."""
    with engine.begin() as connection:
        connection.execute(WRITE)
    return _plain("written\n")


@contextmanager
def scratch_table(database_url: str):
    """The write floor's table, on `database_url` for as long as the block runs."""
    owner = create_engine(database_url)
    scratch.create(owner, checkfirst=True)
    try:
        yield
    finally:
        scratch.drop(owner, checkfirst=True)
        owner.dispose()

"""A bare Flask "hello" application: the baseline every page's throughput is compared to.

Served by bench/load.py under the same gunicorn.conf.py as the product; not part of it.
"""

from flask import Flask

app = Flask(__name__)


@app.route("/hello")
def hello():
    """Hello, and nothing else: no database, no session, no template."""
    return "Hello, world!\n", 200, {"Content-Type": "text/plain; charset=utf-8"}

"""Static files compressed like the pages: a text file (CSS, JavaScript, the web manifest)
goes out with brotli or gzip, whichever the client accepts, so a first visit over a market's
Wi-Fi carries a third of the bytes. Each file is compressed once per version (its size and
modification time) and kept in memory; the answer keeps the file's ETag, made weak as the
bytes differ, so a revisit still gets 304 Not Modified. COMPRESS_RESPONSES=0 leaves this,
like the pages, to a reverse proxy."""

import gzip
import os
from functools import lru_cache

import brotli
from flask import Flask, Response, current_app, request
from werkzeug.security import safe_join

TEXT_TYPES = {"text/css", "text/javascript", "application/javascript", "text/plain",
              "application/json", "application/manifest+json", "image/svg+xml"}


@lru_cache(maxsize=64)
def _compressed(path: str, size: int, modified_ns: int, encoding: str) -> bytes:
    with open(path, "rb") as file:
        data = file.read()
    if encoding == "br":
        return brotli.compress(data, quality=11)
    return gzip.compress(data, compresslevel=9, mtime=0)


def _encoding() -> str | None:
    accepted = request.accept_encodings
    return next((name for name in ("br", "gzip") if accepted[name]), None)


def send(filename: str) -> Response:
    """A static file, as the static route answers (compressed when the client accepts it)."""
    response = current_app.send_static_file(filename)
    if not current_app.config["COMPRESS_REGISTER"] or response.mimetype not in TEXT_TYPES:
        return response
    response.vary.add("Accept-Encoding")
    encoding = _encoding()
    path = safe_join(current_app.static_folder, filename)
    if response.status_code != 200 or encoding is None or path is None:
        return response
    found = os.stat(path)
    body = _compressed(path, found.st_size, found.st_mtime_ns, encoding)
    response.close()  # the file send_file opened
    response.direct_passthrough = False
    response.set_data(body)
    response.headers["Content-Encoding"] = encoding
    etag, _ = response.get_etag()
    if etag:
        response.set_etag(etag, weak=True)
    return response


def init_app(app: Flask) -> None:
    app.view_functions["static"] = send

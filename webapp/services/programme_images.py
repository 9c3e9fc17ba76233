"""Programme images: uploaded files kept under the instance folder, served to logged-in users.

A file is accepted for what it is, not what it is called: its first bytes must be those of a
PNG, JPEG or WebP image. It is stored under a random name with the extension of its real
type, so nothing the uploader chose reaches the file system.
"""

import secrets
from pathlib import Path

from flask import current_app

from webapp.services import DomainError

MAX_IMAGE_BYTES = 2 * 1024 * 1024
FOLDER = "programmes"


def _image_type(head: bytes) -> str | None:
    """The extension matching the file's signature, or None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def upload_root() -> Path:
    """Where uploads live: UPLOAD_FOLDER, or instance/uploads."""
    configured = current_app.config.get("UPLOAD_FOLDER")
    return Path(configured) if configured else Path(current_app.instance_path) / "uploads"


def store_image(stream) -> str:
    """Check and store an uploaded image; returns its path relative to upload_root()."""
    data = stream.read(MAX_IMAGE_BYTES + 1)
    if len(data) > MAX_IMAGE_BYTES:
        raise DomainError("The image is larger than 2 MB. Choose a smaller one.", field="image")
    extension = _image_type(data[:16])
    if extension is None:
        raise DomainError("The image must be a PNG, JPEG or WebP file.", field="image")
    relative = f"{FOLDER}/{secrets.token_hex(16)}.{extension}"
    path = upload_root() / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return relative


def discard_image(relative: str | None) -> None:
    """Remove a stored image that nothing refers to any more (missing files are fine)."""
    if not relative:
        return
    root = upload_root().resolve()
    path = (root / relative).resolve()
    if path.is_relative_to(root):
        path.unlink(missing_ok=True)

"""Demo artwork and sample screeners, made when the demo is loaded, never kept in the
repository: a poster for every programme (Pillow) and a few seconds of video (PyAV, H.264 in
MP4, which Safari on the iPad and Chromium both play) that some programmes' screener links
lead to, so present mode can show artwork and play a trailer inline.

Both are written under the upload folder (instance/uploads by default) with names taken from
the title, and a file already there is used as it is: loading the demo again costs nothing.
Pillow and PyAV are the optional "demo" dependencies: without them the catalogue keeps the
website's placeholders and its external screener links.
"""

import hashlib
import logging
import re
from pathlib import Path

from flask import current_app

from webapp.services.programme_images import upload_root

log = logging.getLogger(__name__)

ARTWORK = "demo/artwork"
SCREENERS = "demo/screeners"
ART_SIZE = (640, 360)
VIDEO_SIZE = (480, 272)  # H.264 wants even sides; 16:9 near enough
VIDEO_SECONDS, VIDEO_FPS = 4, 24
# (file name, text on screen, colour): the sample screeners, shared by many programmes.
SAMPLES = [("sample-1", "Sample screener 1", (29, 53, 87)),
           ("sample-2", "Sample screener 2", (18, 97, 88)),
           ("sample-3", "Sample screener 3", (60, 30, 90))]
# Flagship titles that lead to a sample, and every n-th other programme with a screener.
# The Fjord Murders keeps its external link: the website's screener redirect is shown there.
SAMPLE_TITLES = {"Wild Atlantic": "sample-2", "Orbit Station Nine": "sample-3",
                 "Kitchen Kings": "sample-1"}
EVERY_NTH = 5


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:80] or "programme"


def _colours(title: str) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    digest = hashlib.sha256(title.encode()).digest()
    first = tuple(40 + b % 140 for b in digest[:3])
    second = tuple(20 + b % 90 for b in digest[3:6])
    return first, second


def _font(size: int):
    from PIL import ImageFont

    return ImageFont.load_default(size=size)


def _wrapped(draw, text: str, font, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if draw.textlength(candidate, font=font) <= width or not line:
            line = candidate
        else:
            lines.append(line)
            line = word
    return [*lines, line] if line else lines


def poster(title: str, subtitle: str):
    """A programme's poster: a gradient in the title's colours, shapes, and the title."""
    from PIL import Image, ImageDraw

    first, second = _colours(title)
    width, height = ART_SIZE
    mask = Image.linear_gradient("L").rotate(-45, expand=True).resize(ART_SIZE)
    image = Image.composite(Image.new("RGB", ART_SIZE, first), Image.new("RGB", ART_SIZE, second),
                            mask)
    draw = ImageDraw.Draw(image, "RGBA")
    digest = hashlib.sha256(title.encode()).digest()
    for n in range(4):
        x, y, r = digest[6 + n] * width // 255, digest[10 + n] * height // 255, 40 + digest[14 + n]
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(255, 255, 255, 28))
    font, small = _font(40), _font(20)
    lines = _wrapped(draw, title, font, width - 64)[:3]
    top = height - 40 - 48 * len(lines)
    draw.rectangle((0, top - 24, width, height), fill=(0, 0, 0, 90))
    draw.text((32, top - 12), subtitle.upper(), font=small, fill=(255, 255, 255, 200))
    for n, line in enumerate(lines):
        draw.text((32, top + 14 + 48 * n), line, font=font, fill=(255, 255, 255))
    return image


def _write_sample(path: Path, title: str, colour: tuple[int, int, int]) -> None:
    """A few seconds of video: a caption over a colour, a bar sweeping across, a clock."""
    import av
    from PIL import Image, ImageDraw

    width, height = VIDEO_SIZE
    font, small = _font(30), _font(22)
    partial = path.with_suffix(".partial.mp4")
    with av.open(str(partial), "w", options={"movflags": "faststart"}) as container:
        stream = container.add_stream("libx264", rate=VIDEO_FPS)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.options = {"preset": "veryfast", "crf": "30"}
        frames = VIDEO_SECONDS * VIDEO_FPS
        for n in range(frames):
            image = Image.new("RGB", VIDEO_SIZE, colour)
            draw = ImageDraw.Draw(image)
            x = n * (width + 80) // frames - 80
            draw.rectangle((x, 0, x + 80, height), fill=tuple(min(255, c + 60) for c in colour))
            draw.text((24, height // 2 - 36), title, font=font, fill=(255, 255, 255))
            draw.text((24, height // 2 + 8), f"Demo video · 00:0{n // VIDEO_FPS}", font=small,
                      fill=(230, 230, 230))
            for packet in stream.encode(av.VideoFrame.from_image(image)):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    partial.replace(path)


def _sample_urls() -> dict[str, str]:
    """Each sample's link (a path on this site), made first if it is not there yet."""
    folder = upload_root() / SCREENERS
    folder.mkdir(parents=True, exist_ok=True)
    urls = {}
    for name, title, colour in SAMPLES:
        path = folder / f"{name}.mp4"
        if not path.exists():
            _write_sample(path, title, colour)
        # A path on this site (no host): the demo works at whatever address it is served.
        urls[name] = current_app.url_map.bind("").build(
            "catalogue.media", {"filename": f"{SCREENERS}/{name}.mp4"})
    return urls


def add_demo_media(programmes) -> dict[str, int]:
    """Give the programmes posters and some of them a sample screener; returns how many."""
    try:
        import av  # noqa: F401
        import PIL  # noqa: F401
    except ImportError:
        log.warning("Pillow or PyAV is not installed: the demo has no artwork nor sample video")
        return {"posters": 0, "sample screeners": 0}
    folder = upload_root() / ARTWORK
    folder.mkdir(parents=True, exist_ok=True)
    for programme in programmes:
        relative = f"{ARTWORK}/{_slug(programme.title)}.jpg"
        path = upload_root() / relative
        if not path.exists():
            poster(programme.title, programme.programme_type).save(path, quality=85)
        programme.image_path = relative
    urls, samples = _sample_urls(), 0
    with_screeners = [p for p in programmes if p.screener_url]
    for n, programme in enumerate(with_screeners):
        name = SAMPLE_TITLES.get(programme.title) or (
            SAMPLES[n % len(SAMPLES)][0] if n % EVERY_NTH == EVERY_NTH - 1 else None)
        if name:
            programme.screener_url = urls[name]
            samples += 1
    return {"posters": len(programmes), "sample screeners": samples}

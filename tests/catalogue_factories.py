"""Small factories for catalogue test data. Each commits, so the test client sees the rows."""

import itertools

from webapp.extensions import db
from webapp.models import Episode, Genre, Programme, Season

_numbers = itertools.count(1)

# The smallest files each format accepts, as far as the upload check is concerned.
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 64


def genre(name=None) -> Genre:
    item = Genre(name=name or f"Genre {next(_numbers)}")
    db.session.add(item)
    db.session.commit()
    return item


def programme(title=None, programme_type="Series", genres=(), **fields) -> Programme:
    item = Programme(title=title or f"Programme {next(_numbers)}",
                     programme_type=programme_type, genres=list(genres), **fields)
    db.session.add(item)
    db.session.commit()
    return item


def season(programme_, number=1, **fields) -> Season:
    item = Season(programme=programme_, number=number, **fields)
    db.session.add(item)
    db.session.commit()
    return item


def episode(season_, number=1, **fields) -> Episode:
    item = Episode(season=season_, number=number, **fields)
    db.session.add(item)
    db.session.commit()
    return item

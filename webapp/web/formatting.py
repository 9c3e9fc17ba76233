"""Jinja filters that put numbers and words together for the reader: `plural` for counts."""


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """"1 buyer", "2 buyers", "1,204 buyers"; `plural_form` for words not made with an s."""
    word = singular if count == 1 else (plural_form or singular + "s")
    return f"{count:,} {word}"


def init_app(app) -> None:
    app.add_template_filter(plural)

"""Search helpers shared by every list with a search box: a person's name or email, any
text column, an application. Every box matches its text anywhere, case-insensitive, from
three characters on; one or two characters match the start of a word, which the trigram
indexes find (see the migrations)."""

from sqlalchemy import Select, literal, select

from webapp.models import Registration, User


def found_per_row(correlated: Select):
    """A where-clause: `correlated` (a select correlated with the outer row) finds a row.
    Unlike EXISTS, which PostgreSQL may turn into one pass over every row the subquery could
    find (hashed), it is looked up for each outer row: right when the outer rows are few and
    the rows the subquery could find are many."""
    return correlated.limit(1).scalar_subquery().is_not(None)


def matches_person(search: str):
    """A where-clause: name or email matches `search` (text_matches)."""
    full_name = User.first_name + literal(" ") + User.last_name
    return text_matches(full_name, search) | text_matches(User.email, search)


# Searches this short match the start of a word rather than anywhere: "li" finds Lisa Berg
# and Ben Li, not Emilie. Anywhere, one or two letters match most rows, and no index can
# find them (a trigram index finds the start of a word).
SHORT_SEARCH = 2


def text_matches(column, search: str):
    """A where-clause: `column` contains `search`, case-insensitive; for a search of up to
    SHORT_SEARCH characters, a word of `column` starts with it."""
    text = search.strip()
    if len(text) > SHORT_SEARCH:
        return column.ilike(contains_pattern(text), escape="\\")
    escaped = escape_like(text)
    return (column.ilike(f"{escaped}%", escape="\\")
            | column.ilike(f"% {escaped}%", escape="\\"))


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def contains_pattern(search: str) -> str:
    """A LIKE pattern matching `search` anywhere, with LIKE's wildcards taken literally."""
    return f"%{escape_like(search.strip())}%"


def registration_matches(search: str):
    """A where-clause on Registration: the applicant's name or email, or the company name
    given, matches `search` (text_matches). The applicant is looked up per registration,
    written so the database cannot turn it into a pass over every user matching the search
    (all of them, for a name most users share) when there are a few hundred registrations."""
    applicant = select(User.id).where(User.id == Registration.user_id, matches_person(search))
    return found_per_row(applicant) | text_matches(Registration.company_name, search)

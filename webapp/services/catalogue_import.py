"""Importing programmes from a CSV file: good rows are kept, bad rows are reported.

Each row is checked and inserted inside its own SAVEPOINT, so a row that fails leaves
nothing behind (not even a genre it would have created) while the rows around it stay.
The caller commits.
"""

import csv
import io
from dataclasses import dataclass, field

from sqlalchemy.exc import IntegrityError

from webapp.extensions import db
from webapp.services import DomainError
from webapp.services.catalogue import create_programme, split_genres

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5_000
TOO_LARGE = f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB. Split it into smaller files."
# CSV column -> create_programme argument
COLUMNS = {
    "title": "title",
    "programme_type": "programme_type",
    "genres": "genres",
    "year": "year",
    "episodes": "episode_count",
    "runtime_minutes": "runtime_minutes",
    "synopsis": "synopsis",
    "screener_url": "screener_url",
}
REQUIRED = ("title", "programme_type")
TEMPLATE_ROWS = [
    ["Harbour Lights", "Series", "Crime; Drama", "2025", "8", "58",
     "A detective returns to the harbour town she left twenty years ago.",
     "https://screeners.example.com/harbour-lights"],
    ["Glacier Song", "Documentary", "Natural History", "2024", "", "90",
     "A year with the animals of a retreating glacier.", ""],
]


@dataclass
class RowError:
    row: int  # as a spreadsheet numbers it: the header is row 1
    title: str
    messages: list[str]


@dataclass
class ImportReport:
    imported: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return len(self.errors)


def template_csv() -> str:
    """A CSV with the expected columns and two example rows."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(TEMPLATE_ROWS)
    return out.getvalue()


def read_upload(stream) -> str:
    """The text of an uploaded CSV file: UTF-8, with or without a byte order mark."""
    data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise DomainError(TOO_LARGE, field="file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DomainError("The file is not UTF-8 text. In your spreadsheet, save it as "
                          "“CSV UTF-8” and try again.", field="file") from None


def _header(names: list[str]) -> list[str]:
    columns = [name.strip().lower().replace(" ", "_") for name in names]
    problems = []
    unknown = [name for name in columns if name not in COLUMNS]
    missing = [name for name in REQUIRED if name not in columns]
    repeated = sorted({name for name in columns if name and columns.count(name) > 1})
    if len(names) == 1 and ";" in names[0]:
        problems.append("The columns must be separated by commas, not semicolons.")
    elif unknown:
        problems.append(f"Unknown column{'s' if len(unknown) > 1 else ''}: "
                        f"{', '.join(repr(n) for n in unknown)}.")
    if missing:
        problems.append(f"Missing column{'s' if len(missing) > 1 else ''}: "
                        f"{', '.join(missing)}.")
    if repeated:
        problems.append(f"Repeated column{'s' if len(repeated) > 1 else ''}: "
                        f"{', '.join(repeated)}.")
    if problems:
        raise DomainError(" ".join(problems) + " The first row must name the columns: "
                          f"{', '.join(COLUMNS)} (title and programme_type are required).",
                          field="file")
    return columns


def _rows(csv_text: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the non-blank rows with their row numbers; file-level errors raise."""
    if len(csv_text) > MAX_BYTES:
        raise DomainError(TOO_LARGE, field="file")
    reader = csv.reader(io.StringIO(csv_text.removeprefix("\ufeff"), newline=""))
    try:
        header = next(reader, None)
        if not header or not any(cell.strip() for cell in header):
            raise DomainError("The file is empty. The first row must name the columns: "
                              f"{', '.join(COLUMNS)}.", field="file")
        columns = _header(header)
        rows = []
        for number, row in enumerate(reader, start=2):
            if any(cell.strip() for cell in row):
                rows.append((number, row))
                if len(rows) > MAX_ROWS:
                    raise DomainError(f"The file has more than {MAX_ROWS:,} programmes. "
                                      "Split it into smaller files.", field="file")
    except csv.Error as error:
        raise DomainError(f"The file is not a readable CSV file (near line "
                          f"{reader.line_num}: {error}).", field="file") from None
    return columns, rows


def _fields(columns: list[str], row: list[str]) -> dict:
    if len(row) > len(columns):
        raise DomainError(f"This row has {len(row)} values but there are {len(columns)} "
                          "columns. Put values that contain commas in double quotes.")
    row = row + [""] * (len(columns) - len(row))  # a short row leaves the rest empty
    fields = {COLUMNS[name]: value for name, value in zip(columns, row, strict=True)}
    fields["genres"] = split_genres(fields.get("genres", ""))
    return fields


def import_programmes(csv_text: str) -> ImportReport:
    """Create a programme from each row of the CSV; report the rows that were refused.

    Columns: title, programme_type, genres (separated by ";" or "|"), year, episodes,
    runtime_minutes, synopsis, screener_url. A file-level problem (size, encoding, columns)
    raises DomainError and imports nothing.
    """
    columns, rows = _rows(csv_text)
    report = ImportReport()
    for number, row in rows:
        title = (row[columns.index("title")] if len(row) > columns.index("title") else "")
        try:
            with db.session.begin_nested():
                create_programme(**_fields(columns, row))
        except DomainError as error:
            report.errors.append(RowError(number, title.strip(),
                                          [str(p) for p in error.problems]))
        except IntegrityError:
            # Only a concurrent change (say, the same genre created at the same moment) gets
            # here; the row is reported and can be imported again.
            report.errors.append(RowError(number, title.strip(), [
                "This row clashed with a change saved at the same moment. Import it again."]))
        else:
            report.imported += 1
    return report

"""Importing programmes from a CSV file: good rows are kept, bad rows are reported.

Each row is checked and inserted inside its own SAVEPOINT, so a row that fails leaves
nothing behind (not even a genre it would have created) while the rows around it stay.
The caller commits.
"""

import csv
import io
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError

from webapp.extensions import db
from webapp.models import CatalogueImport, User
from webapp.services import DomainError
from webapp.services.catalogue import create_programme, split_genres
from webapp.services.row_locks import lock
from webapp.services.spreadsheets import safe_cell

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
    values: list[str] = field(default_factory=list)  # the row as it was sent


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


def _import_row(columns: list[str], number: int, row: list[str]) -> RowError | None:
    """Create the programme of one row inside its own SAVEPOINT; the row's error, if any."""
    title = (row[columns.index("title")] if len(row) > columns.index("title") else "").strip()
    try:
        with db.session.begin_nested():
            create_programme(**_fields(columns, row))
    except DomainError as error:
        return RowError(number, title, [str(p) for p in error.problems], row)
    except IntegrityError:
        # Only a concurrent change (say, the same genre created at the same moment) gets
        # here; the row is reported and can be imported again.
        return RowError(number, title, [
            "This row clashed with a change saved at the same moment. Import it again."], row)
    return None


def import_programmes(csv_text: str) -> ImportReport:
    """Create a programme from each row of the CSV; report the rows that were refused.

    Columns: title, programme_type, genres (separated by ";" or "|"), year, episodes,
    runtime_minutes, synopsis, screener_url. A file-level problem (size, encoding, columns)
    raises DomainError and imports nothing.
    """
    columns, rows = _rows(csv_text)
    report = ImportReport()
    for number, row in rows:
        error = _import_row(columns, number, row)
        if error:
            report.errors.append(error)
        else:
            report.imported += 1
    return report


# --- In the background, with progress ------------------------------------------------------

CHUNK = 25  # rows per transaction: how often the progress bar moves


def start_import(csv_text: str, filename: str, by: User) -> CatalogueImport:
    """Check the file as a whole (size, columns, row limit: DomainError, nothing kept) and
    record the import, to be run by `run_import` once the caller has committed."""
    _columns, rows = _rows(csv_text)
    job = CatalogueImport(csv_text=csv_text, filename=filename[:255], started_by=by,
                          total_rows=len(rows), errors=[])
    db.session.add(job)
    db.session.flush()
    return job


def run_import(import_id: int) -> None:
    """Import the rows not yet done, CHUNK rows per transaction, each chunk committed with
    the progress it makes: run again after a crash, or twice at once, no row is imported
    twice (the import's row is locked while a chunk is made)."""
    while True:
        job = db.session.get(CatalogueImport, import_id)
        if job is None or job.finished:
            return
        lock(job)
        columns, rows = _rows(job.csv_text)
        chunk = rows[job.rows_done:job.rows_done + CHUNK]
        job.status = "running"
        errors = list(job.errors)
        for number, row in chunk:
            error = _import_row(columns, number, row)
            if error:
                errors.append(asdict(error))
            else:
                job.imported += 1
        job.errors = errors
        job.rows_done += len(chunk)
        if job.rows_done >= job.total_rows:
            job.status, job.finished_at = "done", datetime.now(UTC)
        db.session.commit()


def fail_import(import_id: int, failure: str) -> None:
    """Mark an import that broke, so its page stops waiting and says so."""
    db.session.rollback()
    job = db.session.get(CatalogueImport, import_id)
    if job is not None and not job.finished:
        job.status, job.failure, job.finished_at = "failed", failure[:500], datetime.now(UTC)
        db.session.commit()


def refused_rows_csv(job: CatalogueImport) -> str:
    """The refused rows as they were sent, with a last column saying what was wrong: a file
    to correct and import again."""
    columns, _rows_ = _rows(job.csv_text)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([*columns, "problems"])
    for error in job.errors:
        values = (error["values"] + [""] * len(columns))[:len(columns)]
        writer.writerow([*(safe_cell(v) for v in values), " ".join(error["messages"])])
    return out.getvalue()

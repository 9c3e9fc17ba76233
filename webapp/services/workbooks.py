"""XLSX workbooks of a list and of the reports. Text goes through safe_cell, as in the CSV
files, so a cell starting with = + - @ is shown, never run; numbers stay numbers."""

import io
from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from webapp.mail.service import absolute_url
from webapp.models import ListItem, ProgrammeList, User
from webapp.services.reporting import ReportFilters, all_buyer_lines
from webapp.services.reporting_csv import BUYER_COLUMNS, when
from webapp.services.reporting_links import LINK_COLUMNS, link_recipients
from webapp.services.spreadsheets import safe_cell

LIST_COLUMNS = ["Position", "Title", "Season", "Episode", "Type", "Year", "Genres", "Episodes",
                "Synopsis", "Note", "Screener", "Link"]
RANKING_COLUMNS = ["Programme", "Type", "Year", "Views", "Screener plays", "Interested buyers"]
WIDEST = 60


def _cell(value):
    if isinstance(value, bool) or value is None:
        return "" if value is None else str(value)
    return value if isinstance(value, int | float) else safe_cell(value)


def workbook(title: str, header: list[str], rows: Iterable[list],
             *more: tuple[str, list[str], Iterable[list]]) -> bytes:
    """A sheet (and one for each of `more`): a bold, frozen header row, then the rows,
    columns sized to their text."""
    book = Workbook()
    _fill(book.active, title, header, rows)
    for sheet_title, sheet_header, sheet_rows in more:
        _fill(book.create_sheet(), sheet_title, sheet_header, sheet_rows)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _fill(sheet, title: str, header: list[str], rows: Iterable[list]) -> None:
    sheet.title = safe_cell(title)[:31].translate(str.maketrans("[]:*?/\\", "()-----")) or "Sheet"
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    widths = [len(name) for name in header]
    for row in rows:
        values = [_cell(value) for value in row]
        sheet.append(values)
        widths = [max(width, min(WIDEST, len(str(value)))) for width, value in
                  zip(widths, values, strict=False)]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width + 2


def list_workbook(programme_list: ProgrammeList, items: list[ListItem]) -> bytes:
    def row(item: ListItem) -> list:
        programme = item.programme
        return [item.position, programme.title, str(item.season or ""),
                str(item.episode or ""), programme.programme_type, programme.year,
                "; ".join(genre.name for genre in programme.genres), programme.episode_count,
                programme.synopsis, item.note, item.screener_url or "",
                absolute_url("catalogue.programme", programme_id=programme.id)]
    return workbook(programme_list.name, LIST_COLUMNS, (row(item) for item in items))


def buyers_workbook(viewer: User, filters: ReportFilters, sort: str, descending: bool) -> bytes:
    """Reporting's buyers table, every page of it, as the CSV has it."""
    rows = ([line.name, line.email, line.company, "; ".join(line.territories),
             "; ".join(line.account_managers), line.logins, line.visits,
             line.programme_views, line.screener_plays, when(line.last_seen)]
            for line in all_buyer_lines(viewer, filters, sort, descending))
    links = ([line.share.email, line.share.list.name,
              line.share.shared_by.full_name if line.share.shared_by else "",
              when(line.share.shared_at), line.views, line.plays, when(line.last_opened)]
             for line in link_recipients(viewer, filters))
    return workbook("Buyers", BUYER_COLUMNS, rows, ("Shared links", LINK_COLUMNS, links))


def ranking_rows(ranking) -> Iterable[list]:
    """The programme ranking's rows, for the CSV and the workbook alike."""
    return ([row.programme.title, row.programme.programme_type, row.programme.year,
             row.views, row.plays, row.interested] for row in ranking)


def ranking_workbook(ranking) -> bytes:
    return workbook("Programmes", RANKING_COLUMNS, ranking_rows(ranking))

"""PDF documents: a list as a one-sheet to hand a buyer, and a market day's meetings as an
agenda. Drawn with ReportLab in pure Python, with the Vera fonts it ships, so no system
library is needed."""

import io
import logging
from datetime import date, datetime
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

import reportlab
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import registerFontFamily
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Table,
    TableStyle,
)

from webapp.models import ListItem, Meeting, ProgrammeList, User
from webapp.services.programme_images import upload_root

log = logging.getLogger(__name__)

INK = colors.HexColor("#1d3557")
MUTED = colors.HexColor("#555555")
RULE = colors.HexColor("#d0d7de")
ARTWORK_WIDTH = 42 * mm
MARGIN = 16 * mm
# The page's frame keeps 6 points of padding on each side.
TEXT_WIDTH = A4[0] - 2 * MARGIN - 12
LONGEST_SYNOPSIS = 700


@cache
def _fonts() -> tuple[str, str]:
    """(regular, bold) font names: Vera, which covers accented Latin text and typographic
    quotes, registered once."""
    folder = Path(reportlab.__file__).parent / "fonts"
    pdfmetrics.registerFont(TTFont("Vera", str(folder / "Vera.ttf")))
    pdfmetrics.registerFont(TTFont("Vera-Bold", str(folder / "VeraBd.ttf")))
    # So that <b> in a paragraph finds the bold face.
    registerFontFamily("Vera", normal="Vera", bold="Vera-Bold", italic="Vera",
                       boldItalic="Vera-Bold")
    return "Vera", "Vera-Bold"


@cache
def _styles() -> dict[str, ParagraphStyle]:
    regular, bold = _fonts()
    return {
        "title": ParagraphStyle("title", fontName=bold, fontSize=20, leading=24,
                                textColor=INK, spaceAfter=2 * mm),
        "subtitle": ParagraphStyle("subtitle", fontName=regular, fontSize=9.5, leading=12,
                                   textColor=MUTED, spaceAfter=5 * mm),
        "heading": ParagraphStyle("heading", fontName=bold, fontSize=13, leading=16,
                                  textColor=INK, spaceAfter=1 * mm),
        "meta": ParagraphStyle("meta", fontName=regular, fontSize=8.5, leading=11,
                               textColor=MUTED, spaceAfter=1.5 * mm),
        "body": ParagraphStyle("body", fontName=regular, fontSize=9.5, leading=12.5),
        "note": ParagraphStyle("note", fontName=regular, fontSize=9, leading=12,
                               textColor=colors.HexColor("#333333"), leftIndent=3 * mm,
                               borderPadding=(1 * mm, 0, 1 * mm, 2 * mm), spaceBefore=2 * mm,
                               borderColor=RULE, borderWidth=0),
        "cell": ParagraphStyle("cell", fontName=regular, fontSize=9, leading=11.5),
        "cell_bold": ParagraphStyle("cell_bold", fontName=bold, fontSize=9, leading=11.5),
    }


def _text(value) -> str:
    """Text for a Paragraph, which reads markup: escaped, line breaks kept."""
    return escape(str(value or "")).replace("\n", "<br/>")


def _document(buffer: io.BytesIO, title: str, author: str) -> SimpleDocTemplate:
    return SimpleDocTemplate(buffer, pagesize=A4, title=title, author=author,
                             leftMargin=MARGIN, rightMargin=MARGIN, topMargin=16 * mm,
                             bottomMargin=18 * mm)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _footer(text: str):
    def draw(canvas, document):
        canvas.saveState()
        canvas.setFont(_fonts()[0], 7.5)
        canvas.setFillColor(MUTED)
        canvas.drawString(MARGIN + 6, 10 * mm, text)
        canvas.drawRightString(A4[0] - MARGIN - 6, 10 * mm, f"Page {document.page}")
        canvas.restoreState()
    return draw


# --- A list as a one-sheet -----------------------------------------------------------------


def _artwork(item: ListItem) -> Image | None:
    """The programme's image scaled to the artwork column, or None (none, or unreadable)."""
    relative = item.programme.image_path
    if not relative:
        return None
    root = upload_root().resolve()
    path = (root / relative).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return None
    try:
        width, height = ImageReader(str(path)).getSize()
    except Exception:  # a damaged image leaves the sheet without artwork, nothing worse
        log.warning("could not read the image of programme %s", item.programme_id)
        return None
    scaled = min(ARTWORK_WIDTH / width, 60 * mm / height)
    return Image(str(path), width=width * scaled, height=height * scaled)


def programme_facts(item: ListItem) -> str:
    """Genre · type · year · episodes, as the sheet and the workbook show them."""
    programme = item.programme
    genres = [genre.name for genre in programme.genres]
    kind = "" if programme.programme_type in genres else programme.programme_type  # "Kids"
    parts = [", ".join(genres), kind, str(programme.year or ""),
             f"{programme.episode_count} episodes" if programme.episode_count else ""]
    return " · ".join(part for part in parts if part)


def _synopsis(item: ListItem) -> str:
    text = " ".join((item.programme.synopsis or "").split())
    return text if len(text) <= LONGEST_SYNOPSIS else text[:LONGEST_SYNOPSIS - 1].rstrip() + "…"


def _item_block(item: ListItem, with_notes: bool):
    styles = _styles()
    words = [Paragraph(_text(item.label), styles["heading"])]
    if facts := programme_facts(item):
        words.append(Paragraph(_text(facts), styles["meta"]))
    if synopsis := _synopsis(item):
        words.append(Paragraph(_text(synopsis), styles["body"]))
    if with_notes and item.note.strip():
        words.append(Paragraph(f"<b>Note:</b> {_text(item.note.strip())}", styles["note"]))
    artwork = _artwork(item)
    width = TEXT_WIDTH
    if artwork is None:
        row, widths = [[words]], [width]
    else:
        row, widths = [[artwork, words]], [ARTWORK_WIDTH + 5 * mm, width - ARTWORK_WIDTH - 5 * mm]
    table = Table(row, colWidths=widths, hAlign="LEFT")
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 4 * mm), ("BOTTOMPADDING", (0, 0), (-1, -1), 4 * mm),
        ("LINEBELOW", (0, 0), (-1, -1), 0.5, RULE),
    ]))
    return KeepTogether([table])


def list_one_sheet(programme_list: ProgrammeList, items: list[ListItem], by: User,
                   with_notes: bool = False, today: date | None = None) -> bytes:
    """The list as a PDF: title, who prepared it, then each item with its artwork (when the
    programme has an image), genres, type, year, episodes, synopsis and, if asked, its note."""
    styles = _styles()
    buffer = io.BytesIO()
    today = today or date.today()
    document = _document(buffer, programme_list.name, by.full_name)
    story = [Paragraph(_text(programme_list.name), styles["title"]),
             Paragraph(_text(f"{_count(len(items), 'title')} · prepared by {by.full_name} · "
                             f"{_day(today)}"), styles["subtitle"])]
    story.extend(_item_block(item, with_notes) for item in items)
    if not items:
        story.append(Paragraph("This list is empty.", styles["body"]))
    footer = _footer(f"{programme_list.name} · {by.full_name} · {by.email}")
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


# --- A market day's agenda ------------------------------------------------------------------


def _where(meeting: Meeting) -> str:
    return ", ".join(part for part in (meeting.market, meeting.stand, meeting.room) if part)


def _time(meeting: Meeting) -> str:
    start = meeting.local_start
    end = start + (meeting.ends_at - start)
    return f"{start:%H:%M}–{end.astimezone(start.tzinfo):%H:%M}\n{start.tzname()}"


def _attendees(meeting: Meeting) -> str:
    return "\n".join(f"{person.full_name}" + (f" · {person.company.name}"
                                               if person.company else "")
                     for person in meeting.attendees)


def day_agenda(meetings: list[Meeting], day: date, by: User, heading: str,
               now: datetime | None = None) -> bytes:
    """The day's meetings as a PDF table: time (in each meeting's own zone), host, title and
    place, buyers, and the internal pre-meeting notes."""
    styles = _styles()
    buffer = io.BytesIO()
    document = _document(buffer, f"Agenda {_day(day)}", by.full_name)
    story = [Paragraph(_text(f"Agenda · {day:%A} {_day(day)}"), styles["title"]),
             Paragraph(_text(f"{heading} · {_count(len(meetings), 'meeting')} · internal: "
                             "pre-meeting notes included"), styles["subtitle"])]
    if not meetings:
        story.append(Paragraph("No meetings on this day.", styles["body"]))
    else:
        cell, bold = styles["cell"], styles["cell_bold"]
        rows = [[Paragraph(label, bold) for label in
                 ("Time", "Host", "Meeting", "Buyers", "Pre-meeting notes")]]
        for meeting in meetings:
            what = f"<b>{_text(meeting.title)}</b>"
            if where := _where(meeting):
                what += f"<br/>{_text(where)}"
            rows.append([Paragraph(_text(_time(meeting)), cell),
                         Paragraph(_text(meeting.host.full_name), cell),
                         Paragraph(what, cell),
                         Paragraph(_text(_attendees(meeting)), cell),
                         Paragraph(_text(meeting.pre_meeting_notes.strip()), cell)])
        widths = [0.15, 0.17, 0.25, 0.2, 0.23]
        table = Table(rows, colWidths=[TEXT_WIDTH * share for share in widths], repeatRows=1,
                      hAlign="LEFT")
        table.setStyle(TableStyle([
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEBELOW", (0, 0), (-1, -1), 0.5, RULE),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f7")),
            ("TOPPADDING", (0, 0), (-1, -1), 2 * mm), ("BOTTOMPADDING", (0, 0), (-1, -1), 2 * mm),
        ]))
        story.append(table)
    footer = _footer(f"Agenda {_day(day)} · printed by {by.full_name}")
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()

"""Cells for CSV files that people open in a spreadsheet."""


def safe_cell(value) -> str:
    """The value as text that a spreadsheet shows rather than runs: a cell starting with
    = + - @ or a tab or carriage return gets a leading apostrophe (formula injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text and text[0] in "=+-@\t\r" else text

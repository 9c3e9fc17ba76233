"""A list as a PDF one-sheet and as an XLSX workbook, for whoever may open the list."""

from flask import Response, request
from flask_login import current_user, login_required

from webapp.blueprints.lists import bp
from webapp.blueprints.lists.routes import _list_or_404
from webapp.services import pdf_documents, workbooks

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download(content: bytes, mimetype: str, name: str, extension: str) -> Response:
    """An attachment named after `name`, reduced to letters, digits and dashes."""
    stem = "".join(c if c.isalnum() else "-" for c in name).strip("-")[:80] or "export"
    return Response(content, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{stem}.{extension}"'})


@bp.route("/lists/<int:list_id>/export.pdf")
@login_required
def export_pdf(list_id):
    """The list as a one-sheet; ?notes=1 adds each item's note."""
    programme_list = _list_or_404(list_id)
    sheet = pdf_documents.list_one_sheet(programme_list, list(programme_list.items),
                                         current_user, with_notes=request.args.get("notes") == "1")
    return download(sheet, "application/pdf", programme_list.name, "pdf")


@bp.route("/lists/<int:list_id>/export.xlsx")
@login_required
def export_xlsx(list_id):
    """The list as a workbook."""
    programme_list = _list_or_404(list_id)
    book = workbooks.list_workbook(programme_list, list(programme_list.items))
    return download(book, XLSX, programme_list.name, "xlsx")

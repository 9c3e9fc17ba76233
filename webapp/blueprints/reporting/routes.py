"""Reporting: buyer activity for the buyers in the viewer's scope, and the email click link."""

from flask import Response, abort, current_app, redirect, request, stream_with_context, url_for
from flask_login import current_user

from webapp.blueprints.reporting import bp
from webapp.blueprints.reporting.charts import bar_chart, column_chart
from webapp.blueprints.reporting.forms import FILTER_NAMES, ReportFilterForm
from webapp.database import plan_for_the_values_given
from webapp.extensions import db
from webapp.permissions import Permission
from webapp.services import (
    activity,
    reporting,
    reporting_csv,
    reporting_funnel,
    reporting_links,
    workbooks,
)
from webapp.services import reporting_activity as buyer_activity
from webapp.web.errors import render_error
from webapp.web.forms import database_id
from webapp.web.views import permission_required, render

view_reporting = permission_required(Permission.VIEW_REPORTING)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHART_MEASURES = [(key, label) for key, label in reporting.MEASURES if key in reporting.CHARTED]


@bp.before_request
def plan_reports_for_their_filters():
    plan_for_the_values_given(db.session)


def _filters():
    """The filter form and the filters it gives (None when a filter is invalid)."""
    form = ReportFilterForm(request.args).fill_choices(current_user)
    return form, form.filters()


def _args(**changes) -> dict:
    """The filters in the query string, to carry from one report to another."""
    args = {name: value for name in FILTER_NAMES if (value := request.args.get(name, ""))}
    return {**args, **changes}


def _page(template: str, form, filters, **context):
    return render(template, "report", form=form, filters=filters, args=_args(),
                  status=200 if filters else 422, **context)


def _sort(sorts: dict, default: str) -> tuple[str, bool]:
    sort = request.args.get("sort", default)
    sort = sort if sort in sorts else default
    direction = request.args.get("dir", "")
    descending = direction == "desc" if direction in ("asc", "desc") else sorts[sort][1]
    return sort, descending


@bp.route("/reporting")
@view_reporting
def index():
    """The overview: totals, visits against every buyer's, meetings, emails, a chart."""
    form, filters = _filters()
    if filters is None:
        return _page("reporting/overview.html", form, None)
    overview = reporting.overview(current_user, filters)
    chart = column_chart("Activity over time", overview.series, CHART_MEASURES,
                         filters.by_week)
    return _page("reporting/overview.html", form, filters, overview=overview, chart=chart)


@bp.route("/reporting/buyers")
@view_reporting
def buyers():
    """The buyers in scope with their activity: searchable, sortable, paginated."""
    form, filters = _filters()
    sort, descending = _sort(reporting.BUYER_SORTS, "visits")
    page = reporting.buyers_page(
        current_user, filters, sort, descending, request.args.get("page", 1, type=int),
        current_app.config["USERS_PER_PAGE"]) if filters else None
    links = reporting_links.link_recipients(current_user, filters) if filters else []
    return _page("reporting/buyers.html", form, filters, page=page, sort=sort,
                 descending=descending, sorts=reporting.BUYER_SORTS, link_lines=links)


@bp.route("/reporting/users/<int:buyer_id>")
@view_reporting
def user(buyer_id):
    """One buyer's activity over the period: totals, a chart, programmes and a timeline."""
    buyer = buyer_activity.reportable_buyer(current_user, buyer_id)
    if buyer is None:
        abort(404)
    form, filters = _filters()
    context = {}
    if filters is not None:
        context = buyer_activity.buyer_report(buyer, filters,
                                              request.args.get("page", 1, type=int))
        context["chart"] = column_chart(f"Activity of {buyer.full_name}",
                                        context["series"], CHART_MEASURES, filters.by_week)
    return _page("reporting/user.html", form, filters, buyer=buyer,
                 managers=buyer_activity.account_managers_of(buyer), **context)


@bp.route("/reporting/programmes")
@view_reporting
def programmes():
    """The programmes the buyers in scope viewed, played and liked the most."""
    form, filters = _filters()
    sort = request.args.get("sort", "views")
    sort = sort if sort in buyer_activity.PROGRAMME_SORTS else "views"
    rows = buyer_activity.programme_ranking(current_user, filters, sort) if filters else []
    chart = bar_chart(f"Top programmes by {buyer_activity.PROGRAMME_SORTS[sort].lower()}",
                      [(row.programme.title, getattr(row, sort)) for row in rows[:10]],
                      f"series-{sort}")
    return _page("reporting/programmes.html", form, filters, rows=rows, sort=sort,
                 sorts=buyer_activity.PROGRAMME_SORTS, chart=chart)


@bp.route("/reporting/funnel")
@view_reporting
def funnel():
    """Each title from shown in a meeting to interested, summary, click and screener play."""
    form, filters = _filters()
    report = reporting_funnel.funnel(current_user, filters) if filters else {}
    return _page("reporting/funnel.html", form, filters, steps=reporting_funnel.STEPS,
                 **report)


@bp.route("/reporting/export.csv")
@view_reporting
def export():
    """The buyers table as CSV, or with ?buyer=<id> that buyer's activity; same filters."""
    form, filters = _filters()
    buyer = None
    if "buyer" in request.args:
        buyer_id = request.args.get("buyer", type=database_id)
        buyer = buyer_activity.reportable_buyer(current_user, buyer_id) if buyer_id else None
        if buyer is None:
            abort(404)
    if filters is None:
        return render_error(422, "Check the filters: " + " ".join(form.problems))
    if buyer is not None:
        rows, name = reporting_csv.buyer_activity_csv(buyer, filters), f"activity-{buyer.id}"
    else:
        sort, descending = _sort(reporting.BUYER_SORTS, "visits")
        rows = reporting_csv.buyers_csv(current_user, filters, sort, descending)
        name = "buyers"
    filename = f"{name}-{filters.start.isoformat()}-{filters.end.isoformat()}.csv"
    return Response(stream_with_context(rows), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{filename}"'})


def _attachment(content, mimetype: str, name: str, filters, extension: str) -> Response:
    filename = f"{name}-{filters.start.isoformat()}-{filters.end.isoformat()}.{extension}"
    return Response(content, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{filename}"'})


@bp.route("/reporting/export.xlsx")
@view_reporting
def export_xlsx():
    """The buyers table as a workbook; the same filters and order as the CSV."""
    form, filters = _filters()
    if filters is None:
        return render_error(422, "Check the filters: " + " ".join(form.problems))
    sort, descending = _sort(reporting.BUYER_SORTS, "visits")
    book = workbooks.buyers_workbook(current_user, filters, sort, descending)
    return _attachment(book, XLSX, "buyers", filters, "xlsx")


@bp.route("/reporting/programmes.<any(csv, xlsx):extension>")
@view_reporting
def programmes_export(extension):
    """The programme ranking as CSV or as a workbook; same filters and order as the page."""
    form, filters = _filters()
    if filters is None:
        return render_error(422, "Check the filters: " + " ".join(form.problems))
    sort = request.args.get("sort", "views")
    ranking = buyer_activity.programme_ranking(current_user, filters, sort)
    if extension == "xlsx":
        return _attachment(workbooks.ranking_workbook(ranking), XLSX, "programmes", filters,
                           "xlsx")
    rows = reporting_csv.lines(workbooks.RANKING_COLUMNS, workbooks.ranking_rows(ranking))
    return _attachment(stream_with_context(rows), "text/csv", "programmes", filters, "csv")


@bp.route("/r/<token>")
def click(token):
    """A link in an email: count the click for its recipient, then go where it leads."""
    clicker = current_user if current_user.is_authenticated else None
    target = activity.follow_link(token, clicker)
    return redirect(target or url_for("main.home"), code=302)

"""A list shared by a personal link: the list and its screeners, without an account, and
nothing else of the site (these pages link nowhere else; every other page asks to log in)."""

from flask import redirect, render_template

from webapp.blueprints.shared import bp
from webapp.extensions import db
from webapp.services import list_sharing as service
from webapp.services.pdf_documents import programme_facts


@bp.after_request
def keep_private(response):
    """The page of someone's link: never kept by a browser or proxy, and its address (the
    token) never sent on as a referrer."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _gone(error: service.DomainError, status: int):
    db.session.rollback()
    return render_template("shared/gone.html", message=str(error), status=status), status


@bp.route("/s/<link>")
def show(link):
    """The shared list, each opening counted against the link's recipient and its cap."""
    try:
        share = service.open_link(link)
    except service.LinkNotFound as error:
        return _gone(error, 404)
    except service.LinkGone as error:
        return _gone(error, 410)
    items = service.items_shown_by(share)
    db.session.commit()
    return render_template("shared/list.html", share=share, items=items, link=link,
                           facts=programme_facts)


@bp.route("/s/<link>/play/<int:item_id>")
def play(link, item_id):
    """On to one item's screener, the play counted against the link's recipient."""
    try:
        url = service.play(link, item_id)
    except service.LinkNotFound as error:
        return _gone(error, 404)
    except service.LinkGone as error:
        return _gone(error, 410)
    db.session.commit()
    return redirect(url, code=302)

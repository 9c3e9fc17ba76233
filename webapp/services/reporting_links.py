"""Reporting on people without an account who received a list by a personal link: shown
by their email address, beside the buyers."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from webapp import access
from webapp.extensions import db
from webapp.models import LinkEventKind, ListShare, ShareLinkEvent, User
from webapp.services.reporting import ReportFilters
from webapp.times import as_utc

LINK_COLUMNS = ["Email", "List", "Shared by", "Sent (UTC)", "Views", "Screener plays",
                "Last opened (UTC)"]


@dataclass
class LinkRecipientLine:
    share: ListShare
    views: int
    plays: int
    last_opened: datetime | None


def link_recipients(viewer: User, filters: ReportFilters,
                    limit: int = 200) -> list[LinkRecipientLine]:
    """Shares to addresses with no account that the viewer reports on
    (access.share_links_reported_to), sent or opened in the period, most recently opened
    first, with their views and plays in the period."""
    event = ShareLinkEvent
    in_period = (event.occurred_at >= filters.starts_at) & (event.occurred_at < filters.ends_before)
    counts = (select(event.share_id,
                     func.count(event.id).filter(event.kind == LinkEventKind.LIST_VIEW)
                     .label("views"),
                     func.count(event.id).filter(event.kind == LinkEventKind.SCREENER_PLAY)
                     .label("plays"),
                     func.max(event.occurred_at).label("last"))
              .where(in_period).group_by(event.share_id).subquery())
    sent_in_period = ((ListShare.shared_at >= filters.starts_at)
                      & (ListShare.shared_at < filters.ends_before))
    query = (access.share_links_reported_to(viewer)
             .add_columns(func.coalesce(counts.c.views, 0), func.coalesce(counts.c.plays, 0),
                          counts.c.last)
             .outerjoin(counts, counts.c.share_id == ListShare.id)
             .where(or_(counts.c.share_id.is_not(None), sent_in_period))
             .options(joinedload(ListShare.list), joinedload(ListShare.shared_by))
             .order_by(counts.c.last.desc().nulls_last(), ListShare.shared_at.desc(),
                       ListShare.id.desc())
             .limit(limit))
    return [LinkRecipientLine(share, views, plays, as_utc(last))
            for share, views, plays, last in db.session.execute(query)]

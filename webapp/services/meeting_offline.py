"""What each of the day's meetings needs on the iPad to run without a connection.

Opening the day in the in-meeting view has the service worker keep, for every meeting of
that day, its page (with its list, notes and marks), the artwork of its programmes and,
when the host asks to keep videos on the device, the screeners that are video files (the
ones the view plays inline). The day page shows, per meeting, "Ready offline" or what is
missing.
"""

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from webapp.extensions import db
from webapp.models import ListItem, Meeting
from webapp.services.catalogue import is_video_file


@dataclass
class OfflineNeeds:
    artwork: list[str] = field(default_factory=list)  # image paths, for catalogue.media
    videos: list[str] = field(default_factory=list)  # video file URLs


def offline_needs(meetings: list[Meeting]) -> dict[int, OfflineNeeds]:
    """Each meeting's artwork and video files, in list order, each once; one query for all."""
    by_list = {m.list_id: m.id for m in meetings if m.list_id is not None}
    needs = {m.id: OfflineNeeds() for m in meetings}
    if not by_list:
        return needs
    items = db.session.scalars(
        select(ListItem).where(ListItem.list_id.in_(by_list))
        .options(joinedload(ListItem.programme), joinedload(ListItem.season),
                 joinedload(ListItem.episode))
        .order_by(ListItem.list_id, ListItem.position))
    for item in items:
        need = needs[by_list[item.list_id]]
        image = item.programme.image_path
        if image and image not in need.artwork:
            need.artwork.append(image)
        if is_video_file(item.screener_url) and item.screener_url not in need.videos:
            need.videos.append(item.screener_url)
    return needs

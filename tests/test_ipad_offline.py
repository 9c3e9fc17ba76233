"""The day page names what each meeting needs offline: its page, artwork and video files."""

from datetime import UTC, datetime, timedelta

import pytest

from tests import factories as f
from tests.catalogue_factories import programme
from tests.test_ipad import make_meeting
from webapp.extensions import db
from webapp.models import ListItem
from webapp.services.meeting_offline import is_video_file

pytestmark = pytest.mark.usefixtures("ctx")


@pytest.fixture
def people():
    dach = f.territory("DACH")
    return {"bob": f.account_manager(first_name="Bob", territories=[dach]),
            "tess": f.sales_coordinator(first_name="Tess", territories=[dach]),
            "dora": f.buyer(first_name="Dora", territories=[dach]),
            "hans": f.buyer(first_name="Hans", territories=[dach])}


def test_each_meeting_names_its_page_artwork_and_video_files(client, login, people):
    soon = datetime.now(UTC) + timedelta(minutes=30)
    meeting = make_meeting(people, soon)
    programme_list = meeting.programme_list
    programme_list.items[0].programme.image_path = "ab/wild.png"
    harbour = programme("Harbour", screener_url="https://cdn.example/harbour.MP4?t=1",
                        image_path="cd/harbour.jpg")
    kitchen = programme("Kitchen Kings", screener_url="https://vimeo.example/123")
    db.session.add_all([ListItem(list=programme_list, programme=harbour, position=2),
                        ListItem(list=programme_list, programme=kitchen, position=3)])
    other = make_meeting(people, soon + timedelta(minutes=5), title="Bare")
    db.session.commit()
    login(people["bob"])
    page = client.get("/ipad/").get_data(as_text=True)
    assert f'data-offline-page="/ipad/meetings/{meeting.id}"' in page
    assert 'data-offline-artwork="/media/ab/wild.png /media/cd/harbour.jpg"' in page
    assert 'data-offline-videos="https://cdn.example/harbour.MP4?t=1"' in page
    assert f'data-offline-page="/ipad/meetings/{other.id}"' in page
    assert 'id="keep-videos"' in page and 'id="storage-used"' in page


def test_only_video_files_are_kept_on_the_device():
    assert is_video_file("https://cdn.example/a/trailer.webm")
    assert is_video_file("/media/samples/clip.mp4")
    assert not is_video_file("https://vimeo.example/123")
    assert not is_video_file("https://cdn.example/mp4")
    assert not is_video_file(None)

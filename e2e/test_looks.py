"""What only a browser can measure of how pages look: filters shown whole, no page that
scrolls sideways because of a table."""

from playwright.sync_api import Page

from e2e.conftest import login, page_does_not_scroll_sideways, screenshot

WIDE = {"width": 1440, "height": 900}
IPAD_PORTRAIT = {"width": 834, "height": 1194}

# The report filters whose chosen value is wider than the box showing it.
CUT_OFF_FILTERS = """() => [...document.querySelectorAll('.report-filters select')]
  .filter(select => {
  const style = getComputedStyle(select);
  const context = document.createElement('canvas').getContext('2d');
  context.font = style.font;
  const needed = context.measureText(select.selectedOptions[0].text).width
    + parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
  return needed > select.clientWidth;
}).map(select => select.name)"""


def test_report_filters_show_their_values_whole_at_1440_px(page: Page, live_server):
    page.set_viewport_size(WIDE)
    login(page, live_server, "sam@demo.test")
    for path in ("/reporting", "/reporting/buyers"):
        page.goto(f"{live_server}{path}")
        page.wait_for_load_state("load")
        assert page.evaluate(CUT_OFF_FILTERS) == [], path
    screenshot(page, "reporting-buyers-1440")


def test_a_wide_table_scrolls_in_its_box_not_the_page_on_an_ipad(page: Page, live_server):
    page.set_viewport_size(IPAD_PORTRAIT)
    login(page, live_server, "admin@demo.test")
    page.goto(f"{live_server}/approvals")
    assert page_does_not_scroll_sideways(page)

"""What only a browser can measure of how pages look: filters shown whole."""

from playwright.sync_api import Page

from e2e.conftest import login, screenshot

WIDE = {"width": 1440, "height": 900}

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


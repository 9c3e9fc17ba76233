"""The website's header stays one line from a desktop down to an iPad held upright.

An administrator has the most navigation (the main links, the Admin menu, their name and
Log out); a Sales Coordinator the longest main links. The header is measured on the home
page at 1440 px and at 820 px (an iPad Air held upright), and a screenshot of each is saved
in e2e/screenshots/ for a human to look at.
"""

import pytest
from playwright.sync_api import Page

from e2e.conftest import login, page_does_not_scroll_sideways, screenshot

WIDE = {"width": 1440, "height": 900}
IPAD_PORTRAIT = {"width": 820, "height": 1180}

# What of the header's navigation is not on one line: an item below the others, or a link,
# menu or button taller than one line of its text or with something (the Admin menu's arrow)
# spilling out below it.
WRAPPED = """() => {
  const nav = document.querySelector('.site-header nav');
  const rows = [...nav.querySelectorAll(':scope > ul > li')]
    .map(item => item.getBoundingClientRect());
  const wrapped = Math.max(...rows.map(box => box.top)) < Math.min(...rows.map(box => box.bottom))
    ? [] : ['the items are not on one row'];
  const controls = nav.querySelectorAll(
    ':scope > ul > li > a, :scope > ul > li > details > summary, :scope > ul > li button');
  for (const element of controls) {
    const style = getComputedStyle(element);
    const text = element.getBoundingClientRect().height
      - ['paddingTop', 'paddingBottom', 'borderTopWidth', 'borderBottomWidth']
          .reduce((sum, side) => sum + parseFloat(style[side]), 0);
    if (text > 1.5 * parseFloat(style.lineHeight) || element.scrollHeight > element.clientHeight)
      wrapped.push(element.textContent.trim());
  }
  return wrapped;
}"""


def _header(page: Page, viewport: dict, name: str) -> float:
    page.set_viewport_size(viewport)
    page.reload()
    screenshot(page, name)
    width = viewport["width"]
    assert page.evaluate(WRAPPED) == [], f"the header wraps at {width} px"
    assert page_does_not_scroll_sideways(page), f"the page scrolls sideways at {width} px"
    return page.locator(".site-header").bounding_box()["height"]


@pytest.mark.parametrize("email", ["admin@demo.test", "sam@demo.test"])
def test_header_is_one_line_on_an_ipad_held_upright(page: Page, live_server, email):
    page.set_viewport_size(WIDE)
    login(page, live_server, email)
    who = email.split("@")[0]

    wide = _header(page, WIDE, f"header-{who}-1440")
    portrait = _header(page, IPAD_PORTRAIT, f"header-{who}-820")

    assert portrait == wide

"""On a phone: the result count and the first result on the first screen, the filter form
folded into a disclosure that opens without JavaScript, targets a thumb can hit; the map
readable at the same width; and what printing keeps.

Headless Debian Chromium drives pytest-django's live server through Playwright's sync API.
"""
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from .test_browser import _format_violations

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
WIDE = {"width": 1280, "height": 800}
# WCAG 2.2, 2.5.8 Target Size (Minimum): 24 by 24 CSS pixels.
MIN_TARGET = 24


def _on_screen(box, viewport):
    return (
        box is not None
        and 0 <= box["x"]
        and box["x"] + box["width"] <= viewport["width"]
        and 0 <= box["y"]
        and box["y"] + box["height"] <= viewport["height"]
    )


def test_the_first_phone_screen_shows_the_count_and_the_first_result(site, page):
    page.set_viewport_size(PHONE)
    page.goto(site + "/findings/")

    count, first = page.locator(".results-count"), page.locator(".result").first

    expect(count).to_have_text("18 findings")
    for element in (count, first):
        box = element.bounding_box()
        assert _on_screen(box, PHONE), f"{element}: {box} is not within the first {PHONE} screen"
    # The form is folded under its summary, between the count and the results.
    summary = page.locator(".filter-disclosure__summary")
    expect(summary).to_have_text("Filter")
    expect(page.locator("form.facets")).to_be_hidden()
    assert count.bounding_box()["y"] < summary.bounding_box()["y"] < first.bounding_box()["y"]


def test_applied_filters_stay_above_the_results_and_the_summary_counts_them(site, page):
    page.set_viewport_size(PHONE)
    page.goto(site + "/findings/?tag=data&topic=digital-technology")

    expect(page.locator(".filter-disclosure__summary")).to_have_text("Filter (2 applied)")
    chips = page.locator(".filter-chip")
    expect(chips).to_have_count(2)
    assert chips.last.bounding_box()["y"] < page.locator(".result").first.bounding_box()["y"]
    assert _on_screen(page.locator(".result").first.bounding_box(), PHONE)


def test_the_filter_disclosure_opens_and_filters_without_javascript(site, browser):
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    page.goto(site + "/findings/")
    form = page.locator("form.facets")
    expect(form).to_be_hidden()

    page.locator(".filter-disclosure__summary").click()

    expect(form).to_be_visible()
    page.get_by_label("Digital technology (5)").first.check()
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator(".results-count")).to_have_text("5 findings match these filters")
    expect(page.locator(".filter-disclosure__summary")).to_have_text("Filter (1 applied)")
    context.close()


def test_wide_screens_show_the_form_beside_the_results_without_a_summary(site, page):
    page.set_viewport_size(WIDE)
    page.goto(site + "/findings/?tag=data")

    expect(page.locator(".filter-disclosure__summary")).to_be_hidden()
    checkbox = page.get_by_label("Digital technology (1)").first
    expect(checkbox).to_be_visible()
    form_box = page.locator("form.facets").bounding_box()
    results_box = page.locator(".results").bounding_box()
    assert form_box["x"] + form_box["width"] <= results_box["x"], (form_box, results_box)

    checkbox.check()
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator(".filter-chip")).to_have_count(2)


def _small_targets(page, selector):
    small = []
    for index in range(page.locator(selector).count()):
        element = page.locator(selector).nth(index)
        if not element.is_visible():
            continue
        box = element.bounding_box()
        if box["width"] < MIN_TARGET or box["height"] < MIN_TARGET:
            small.append(f"{selector} #{index} {element.inner_text()!r}: {box['width']:.0f}x{box['height']:.0f}")
    return small


def test_pagination_facets_and_chips_are_thumb_sized(site, page):
    page.set_viewport_size(PHONE)
    topics = ["digital-technology", "multilevel-governance", "the-role-of-public-servants", "co-production-and-service-delivery"]
    page.goto(site + "/findings/?per_page=10&" + "&".join(f"topic={topic}" for topic in topics))  # 11 on 2 pages
    page.locator(".filter-disclosure__summary").click()

    selectors = [
        ".pagination a",
        ".facet__values input",
        ".facet__match input",
        ".facet__values label",
        ".filter-chip",
        ".filter-disclosure__summary",
        ".result .tag",
    ]
    for selector in selectors:
        assert page.locator(selector).count(), f"nothing matches {selector}"
    small = [target for selector in selectors for target in _small_targets(page, selector)]
    assert not small, "targets under 24x24 CSS px:\n" + "\n".join(small)


@pytest.mark.parametrize("path", ["/map/", "/findings/", "/findings/?tag=data&topic=digital-technology", "/suggestions/invest-in-online-workforce-training/"])
def test_phone_pages_have_no_serious_or_critical_axe_violations(site, page, path):
    page.set_viewport_size(PHONE)
    page.goto(site + path)
    if path.startswith("/findings/"):
        page.locator(".filter-disclosure__summary").click()  # the folded form is checked too

    results = Axe().run(page)

    violations = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not violations, _format_violations(path, violations)


def test_the_map_scrolls_in_its_own_region_on_a_phone(site, page):
    page.set_viewport_size(PHONE)
    page.goto(site + "/map/")

    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    region = page.get_by_role("region", name="Topics, by dimension, against their key findings")
    assert region.evaluate("el => el.scrollWidth > el.clientWidth")
    # A keyboard reaches it, and the topic names stay in view while it scrolls.
    region.focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    # The browser may scroll smoothly: wait (up to 5 s) for the region to have moved.
    page.wait_for_function("el => Math.abs(el.scrollLeft) > 0", arg=region.element_handle(), timeout=5000)
    topic = page.get_by_role("rowheader", name="Digital technology")
    assert _on_screen(topic.bounding_box(), {"width": PHONE["width"], "height": 10_000})
    expect(page.get_by_role("cell", name="3 key findings").first).to_be_visible()


def test_printing_from_the_browser_hides_navigation_and_shows_link_addresses(site, page):
    page.goto(site + "/findings/?tag=data")
    page.emulate_media(media="print")

    for selector in (".site-nav", ".breadcrumbs", ".with-facets__side", ".take-away", ".active-filters"):
        expect(page.locator(selector).first).to_be_hidden()
    expect(page.locator(".print-filters")).to_have_text("Filters: tag: Data.")
    topic_link = page.locator(".result__meta a").first
    after = topic_link.evaluate("el => getComputedStyle(el, '::after').content")
    assert "attr(href)" in after or "/topics/" in after, after

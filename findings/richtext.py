"""Markdown for summaries and notes, sanitised with nh3 so nothing typed can run on a page."""
import re

import markdown as markdown_lib
import nh3
from django.utils.safestring import mark_safe

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "em", "li", "ol", "p", "pre", "strong", "ul", "h3", "h4",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}}
URL_SCHEMES = {"http", "https", "mailto"}
# Characters XML cannot carry (all C0 controls but tab, newline and carriage return).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def strip_control_characters(text):
    """`text` with control characters turned into spaces (search input, feed content)."""
    return CONTROL_CHARACTERS.sub(" ", text) if text else text


def render_markdown(text: str) -> str:
    """Markdown to HTML, then an allow-list clean: no script, no event handler, no javascript: link."""
    html = markdown_lib.markdown(text or "", extensions=["sane_lists"], output_format="html")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )
    return mark_safe(clean)  # noqa: S308 - nh3 has just removed everything not allow-listed

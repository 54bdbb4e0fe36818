"""Markdown for summaries and notes, sanitised with nh3 so nothing typed can run on a page."""
import re

import markdown as markdown_lib
import nh3
from django.db import models
from django.utils.safestring import mark_safe

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "em", "li", "ol", "p", "pre", "strong", "ul", "h3", "h4",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}}
URL_SCHEMES = {"http", "https", "mailto"}
# Characters XML cannot carry (all C0 controls but tab, newline and carriage return).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069): one typed into
# a title would reverse the text after it, on a page, in a citation or in a feed reader.
BIDI_CONTROL_CHARACTERS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def strip_control_characters(text):
    """`text` with control characters turned into spaces (search input, feed content)."""
    return CONTROL_CHARACTERS.sub(" ", text) if text else text


def strip_bidi_controls(text):
    """`text` without bidirectional control characters."""
    return BIDI_CONTROL_CHARACTERS.sub("", text) if text else text


def strip_bidi_controls_before_save(sender, instance, **kwargs):
    """pre_save receiver: no text field of `instance` keeps a bidirectional control, whoever saves it
    (the admin, an import, a fixture, the shell)."""
    for field in instance._meta.concrete_fields:
        if isinstance(field, models.CharField | models.TextField):
            value = getattr(instance, field.attname)
            if isinstance(value, str):
                setattr(instance, field.attname, strip_bidi_controls(value))


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

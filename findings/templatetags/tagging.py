"""An item's editorial tags, each linking to its kind's list filtered by it.

Written in Python rather than as an included template: a list page shows a hundred tags, and
the template engine's cost per link was a fifth of the page's time."""

from urllib.parse import quote

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

register = template.Library()


@register.simple_tag
def tag_list(item):
    """The tags of `item` A to Z (nothing for an untagged kind or an item without tags)."""
    kind = getattr(item, "kind", None)
    if kind is None or not kind.tagged:
        return ""
    tags = sorted(item.tags.all(), key=lambda tag: tag.name)
    if not tags:
        return ""
    list_url = kind.list_url
    links = format_html_join(
        "",
        '<li><a class="tag" href="{}?tag={}" lang="en" dir="ltr">{}</a></li>',
        ((list_url, quote(tag.slug, safe="/"), tag.name) for tag in tags),
    )
    # The label's words are the interface's; their markup is ours (the catalogues keep it as is).
    label = mark_safe(gettext('Tags <span class="editorial-mark">(editorial)</span>:'))
    return format_html(
        '<div class="tags">\n  <span class="tags__label">{}</span>\n  <ul class="tag-list">{}</ul>\n</div>',
        label,
        links,
    )

"""The parts of list pages that repeat most, written in Python rather than as templates: an
item's editorial tags, each linking to its kind's list filtered by it, and a facet's checkboxes.
A list page shows a hundred tags and up to three hundred values; the template engine's cost per
link or checkbox was a fifth of the page's time."""

from urllib.parse import quote

from django import template
from django.utils.formats import localize
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


@register.simple_tag
def facet_choices(view):
    """A facet's values as checkboxes, each labelled with how many results it gives (the filter
    form's longest part, written here for the same reason as the tags)."""
    content = ' lang="en" dir="ltr"' if view.facet.labels_are_content else ""
    return format_html_join(
        "\n",
        '<li><input type="checkbox" id="facet-{name}-{n}" name="{name}" value="{value}"{checked}>'
        ' <label for="facet-{name}-{n}"{content}>{label} <span class="count">({count})</span></label></li>',
        (
            {
                "name": view.name,
                "n": position,
                "value": value.value,
                "checked": mark_safe(" checked") if value.selected else "",
                "content": mark_safe(content),
                "label": value.label,
                "count": localize(value.count),
            }
            for position, value in enumerate(view.values, start=1)
        ),
    )

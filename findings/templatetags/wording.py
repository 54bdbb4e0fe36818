"""The interface's words in templates: phrases declared in Python (findings.kinds) filled in
with their numbers and names, and content marked as English inside translated words."""
from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def english(value):
    """Content (a title, a tag name) inside translated words, marked as English so that screen
    readers switch voice."""
    return format_html('<span lang="en" dir="ltr">{}</span>', value)


@register.filter
def typed(value):
    """What the visitor typed (a parameter's value), quoted as it is: not to be translated, and
    isolated so that its letters keep their order on a right-to-left page."""
    return format_html('<bdi translate="no">{}</bdi>', value)


class _BoldNumber(int):
    """A number that a phrase writes in bold: it counts as itself for the plural."""

    def __str__(self):
        return f"<strong>{int(self)}</strong>"


@register.filter
def bold(number):
    """`number`, to be written in bold by `phrase` ("<strong>12</strong> findings")."""
    return _BoldNumber(number)


@register.simple_tag
def phrase(words, **values):
    """`words` (translated; a plural takes its number as `count`) with `values` in its
    placeholders, each escaped unless it is safe already. As with `{% blocktranslate %}`, the
    translation itself is trusted."""
    return mark_safe(
        words % {name: value if isinstance(value, int) else conditional_escape(value) for name, value in values.items()}
    )

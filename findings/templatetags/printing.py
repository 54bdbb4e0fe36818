"""What a printed page adds: each item's permalink and citation, and the pages' numbers in the
page's language (findings.pdf)."""
import re

from django import template
from django.conf import settings
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import pgettext

from findings.citations import Reports, citation_text

register = template.Library()


@register.simple_tag(takes_context=True)
def permalink(context, item):
    """The item's address, absolute: what a reader of the printed page types or cites. The
    English one, without a language prefix, as citations give it in every language."""
    with translation.override(settings.LANGUAGE_CODE):
        return context["request"].build_absolute_uri(item.get_absolute_url())


@register.simple_tag(takes_context=True)
def citation(context, item):
    """The item's citation as "Cite this" writes it, accessed on the day it is printed."""
    reports = context.get("citation_reports")
    if reports is None:  # (an empty Reports is falsy, but it is the one to fill)
        reports = Reports()
    accessed = context.get("printed_on") or timezone.localdate()
    return citation_text(item, context["request"], accessed, reports)


_COUNTERS = {"%(page)s": "counter(page)", "%(pages)s": "counter(pages)"}


@register.simple_tag
def page_numbers():
    """The CSS that numbers the printed pages at their foot in the page's language ("1 / 3",
    "Página 1 de 3"): the translated words as strings around the page counters."""
    words = pgettext("the number of a printed page, at its foot", "%(page)s / %(pages)s")
    parts = []
    for part in re.split(r"(%\((?:page|pages)\)s)", words):
        if part in _COUNTERS:
            parts.append(_COUNTERS[part])
        elif part:
            # A CSS string: quotes and backslashes escaped, and nothing that could close the <style>.
            parts.append('"' + re.sub(r'["\\<>]', lambda match: f"\\{ord(match.group()):x} ", part) + '"')
    return mark_safe(f"@page {{ @bottom-center {{ content: {' '.join(parts)}; }} }}")

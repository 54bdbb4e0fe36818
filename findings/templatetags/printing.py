"""What a printed page adds to each item: its permalink and its citation (findings.pdf)."""
from django import template
from django.utils import timezone

from findings.citations import Reports, citation_text

register = template.Library()


@register.simple_tag(takes_context=True)
def permalink(context, item):
    """The item's address, absolute: what a reader of the printed page types or cites."""
    return context["request"].build_absolute_uri(item.get_absolute_url())


@register.simple_tag(takes_context=True)
def citation(context, item):
    """The item's citation as "Cite this" writes it, accessed on the day it is printed."""
    reports = context.get("citation_reports")
    if reports is None:  # (an empty Reports is falsy, but it is the one to fill)
        reports = Reports()
    accessed = context.get("printed_on") or timezone.localdate()
    return citation_text(item, context["request"], accessed, reports)

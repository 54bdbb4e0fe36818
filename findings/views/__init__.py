"""The public pages, one module per job: `pages` (the report at a glance and about it),
`lists` (a kind's faceted list), `details` (one item), `search`, `tags`.

Everything shown goes through `published()`; detail pages use `visible_to(user)` so that
curators can preview drafts at their real address.
"""
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext


@dataclass(frozen=True)
class Crumb:
    label: str
    url: str | None = None  # None for the current page
    # A title or a tag name: the report's English, marked as such whatever the page's language.
    is_content: bool = False


def crumbs(*trail):
    """Breadcrumbs from the home page down to the current page (`trail`: Crumbs; the last has no link)."""
    return [Crumb(gettext("Home"), reverse("findings:home")), *trail]

"""The public pages, one module per job: `pages` (the report at a glance and about it),
`lists` (a kind's faceted list), `details` (one item), `search`, `tags`.

Everything shown goes through `published()`; detail pages use `visible_to(user)` so that
curators can preview drafts at their real address.
"""
from django.urls import reverse


def crumbs(*trail):
    """Breadcrumbs from the home page down to the current page (the last has no link)."""
    return [("Home", reverse("findings:home")), *trail]


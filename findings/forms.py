"""Validation of the query-string parameters the list and search pages accept."""
from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import formats
from .richtext import strip_control_characters

# The longest search text read; longer input is cut (shared with findings.search).
MAX_QUERY_LENGTH = 200

SORTS = {
    "relevance": _("Relevance"), "order": _("Order in the report"), "title": _("Title"), "newest": _("Newest first"),
}
# What the search page can sort by (its results are of every kind, so no report order or title).
SEARCH_SORTS = {name: SORTS[name] for name in ("relevance", "newest")}
# Items per page a visitor may ask for (`per_page`); PORTAL_PAGE_SIZE when not asked.
PER_PAGE_RANGE = (10, 100)


class ListParamsForm(forms.Form):
    """`q`, `sort`, `match`, `format`, `page` and `per_page`; a bad value is dropped with a message, never an
    error page."""

    q = forms.CharField(required=False, max_length=MAX_QUERY_LENGTH)
    sort = forms.ChoiceField(required=False, choices=list(SORTS.items()))
    match = forms.ChoiceField(required=False, choices=[("all", _("all of them")), ("any", _("any of them"))])
    format = forms.ChoiceField(required=False, choices=[(name, name) for name in formats.BY_NAME])
    # Read by `paginate`, which falls back to the nearest page; checked here only to say so.
    page = forms.IntegerField(required=False, min_value=1)
    per_page = forms.IntegerField(required=False, min_value=PER_PAGE_RANGE[0], max_value=PER_PAGE_RANGE[1])

    def clean_q(self):
        # Control characters mean nothing in a search and cannot be written into a feed.
        return strip_control_characters(self.cleaned_data["q"]).strip()


def read_params(query_dict):
    """(clean values, messages about what was ignored) for a page's query string."""
    data = {name: query_dict.get(name, "") for name in ListParamsForm.base_fields}
    data["q"] = data["q"][:MAX_QUERY_LENGTH]
    form = ListParamsForm(data)
    form.is_valid()
    messages = []
    for name, errors in form.errors.items():
        values = {"name": name, "value": data[name], "errors": " ".join(errors)}
        messages.append(gettext("Ignored %(name)s=“%(value)s”: %(errors)s") % values)
    clean = {name: form.cleaned_data.get(name) or "" for name in ListParamsForm.base_fields}
    return clean, messages

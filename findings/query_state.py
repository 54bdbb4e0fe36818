"""The state of a list or search page, held in its URL: facet values, words, sort, match,
format and page; validated, and able to build every URL that changes it.

Links from a page carry only what the page understood, so a warning about an ignored
value is not repeated on the next page, in HTML and JSON alike.
"""
import re

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.http import QueryDict
from django.utils.functional import cached_property
from django.utils.translation import gettext, ngettext

from . import formats
from .forms import read_params

PER_PAGE_CHOICES = (10, 20, 50, 100)  # offered by the form; any value in forms.PER_PAGE_RANGE works
MAX_VALUES = 10  # per facet: more is a malformed URL, not a real choice
# A facet value a URL may carry: 1 to 100 characters, none of them a control character, a space
# or ASCII punctuation other than "-" and "_" (tag slugs keep their script: "数字政府"). Written
# with explicit ranges, so that Python, the API's validation and JSON Schema read it alike.
VALUE_PATTERN = r"^[^\x00-\x2c\x2e\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\x9f]{1,100}$"
_VALUE = re.compile(VALUE_PATTERN)


class PageState:
    """What the query string asks for, validated; builds the URLs that change it."""

    def __init__(self, params: QueryDict, path: str, facet_names):
        self.path = path
        clean, self.messages = read_params(params)
        self.q, self.match_any = clean["q"], clean["match"] == "any"
        self.sort = clean["sort"]
        self.format = formats.BY_NAME[clean["format"] or "html"]
        self.per_page = clean["per_page"] or settings.PORTAL_PAGE_SIZE
        self.page_number = params.get("page", "1")
        if self.format is formats.PDF:
            # A printed list is the whole result on one page, as far as the PDF limit.
            self.per_page, self.page_number = formats.PDF_ROW_LIMIT, "1"
        self.selected = {name: self._read_values(params, name) for name in facet_names}
        self.params = self._understood(params, clean)

    def _read_values(self, params, name):
        values, given = [], params.getlist(name)
        if len(given) > MAX_VALUES:
            self.messages.append(
                ngettext(
                    "Ignored %(ignored)s of the %(count)s %(name)s value: at most %(limit)s are used.",
                    "Ignored %(ignored)s of the %(count)s %(name)s values: at most %(limit)s are used.",
                    len(given),
                )
                % {"ignored": len(given) - MAX_VALUES, "count": len(given), "name": name, "limit": MAX_VALUES}
            )
        for value in given[:MAX_VALUES]:
            value = value.strip()
            if not value or value in values:
                continue
            if _VALUE.fullmatch(value):
                values.append(value)
            else:
                ignored = {"name": name, "value": value[:100]}
                self.messages.append(gettext("Ignored %(name)s=“%(value)s”: not a valid %(name)s.") % ignored)
        return values

    def _understood(self, params, clean):
        understood = params.copy()
        for name, values in self.selected.items():
            understood.setlist(name, values)
        for name in ("q", "sort", "match", "format", "per_page"):
            if name in understood and not clean.get(name):
                understood.pop(name)
        if "page" in understood and not understood.get("page", "").isdigit():
            understood.pop("page")
        return understood

    @property
    def has_filters(self):
        return any(self.selected.values())

    def url(self, changes=None, drop=("page", "format")):
        """This page's URL with `changes` ({name: [values]}) applied and `drop` removed."""
        params = self.params.copy()
        for name in drop:
            params.pop(name, None)
        for name, values in (changes or {}).items():
            params.setlist(name, values)
        for name in [key for key, values in params.lists() if not any(values)]:
            params.pop(name)
        return f"{self.path}?{params.urlencode()}" if params else self.path

    def url_adding(self, name, value):
        values = self.selected[name]
        return self.url({name: values if value in values else [*values, value]})

    def url_removing(self, name, value):
        return self.url({name: [v for v in self.selected[name] if v != value]})

    def page_url(self, number, format=None):
        """This view at page `number` (page 1 has no `page` parameter), as HTML or `format`."""
        return self.url({"page": [str(number)] if number > 1 else [], "format": [format] if format else []}, drop=())

    @property
    def url_without_q(self):
        return self.url({"q": []})

    @property
    def clear_url(self):
        """Every filter and the search text removed; sort kept."""
        return self.url({**{name: [] for name in self.selected}, "q": [], "match": []})

    @property
    def format_links(self):
        """(format, URL) of this view in every other form: JSON keeps the page; the others
        are the whole result."""
        return [
            (fmt, self.url({"format": [fmt.name]}, drop=() if fmt is formats.JSON else ("page",)))
            for fmt in formats.LIST_FORMATS
        ]

    @property
    def feed_url(self):
        return self.url({"format": [formats.ATOM.name]})

    @property
    def per_page_choices(self):
        """(value, items per page) for the form; the default sends nothing, so URLs stay short."""
        sizes = sorted({*PER_PAGE_CHOICES, settings.PORTAL_PAGE_SIZE, self.per_page})
        return [("" if size == settings.PORTAL_PAGE_SIZE else size, size) for size in sizes]

    @property
    def filter_count(self):
        """How many filters apply: chosen facet values, and the words."""
        return len(self.chosen) + bool(self.q)

    @property
    def chosen(self):
        """(parameter, value) pairs of every chosen facet value, for the removable list."""
        return [(name, value) for name, values in self.selected.items() for value in values]


class _CountedPaginator(Paginator):
    """A paginator told its count: the count of the unsorted result is cheaper than that of
    a relevance-sorted one (which joins the full-text table)."""

    def __init__(self, items, per_page, count):
        super().__init__(items, per_page)
        self.known_count = count

    @cached_property
    def count(self):
        return self.known_count if self.known_count is not None else super().count


def page_links(state, page):
    """The links of a paginated list: previous, next, and the numbered pages a visitor can
    jump to (the first, the last and the neighbours of the current one; None marks a gap)."""
    last = page.paginator.num_pages
    wanted = sorted({1, last, *range(max(page.number - 1, 1), min(page.number + 1, last) + 1)})
    numbers = []
    for number in wanted:
        if numbers and number - numbers[-1]["number"] > 1:
            numbers.append({"number": None})
        numbers.append({"number": number, "url": state.page_url(number), "current": number == page.number})
    return {
        "previous": state.page_url(page.previous_page_number()) if page.has_previous() else "",
        "next": state.page_url(page.next_page_number()) if page.has_next() else "",
        "numbers": numbers if last > 1 else [],
    }


def paginate(items, state, count=None) -> Page:
    """The requested page of `state.per_page` items; a page that is not a number or out of
    range gives the nearest one."""
    paginator = _CountedPaginator(items, state.per_page, count)
    try:
        number = int(state.page_number)
    except ValueError:
        number = 1
    number = min(max(number, 1), paginator.num_pages)
    return paginator.page(number)


def cut_size(page):
    """The size of the whole result when `page` does not hold all of it (a printed list cut at
    the PDF limit), else None."""
    return page.paginator.count if page.has_next() else None

"""Query-string filters for the list pages: `?tag=` (repeatable) and `?page=`."""
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.http import QueryDict
from taggit.models import Tag

# Enough for any real combination of the vocabulary; more is a malformed URL.
MAX_TAGS = 10
MAX_SLUG_LENGTH = 100


@dataclass
class ActiveTag:
    slug: str
    name: str
    remove_url: str
    known: bool


@dataclass
class TagFilter:
    """The tags a list is filtered by: every chosen tag is required."""

    params: QueryDict
    path: str
    slugs: list[str] = field(init=False)
    tags: list[ActiveTag] = field(init=False)

    def __post_init__(self):
        slugs = []
        for value in self.params.getlist("tag")[:MAX_TAGS]:
            value = value.strip()[:MAX_SLUG_LENGTH]
            if value and value not in slugs:
                slugs.append(value)
        self.slugs = slugs
        names = dict(Tag.objects.filter(slug__in=slugs).values_list("slug", "name")) if slugs else {}
        self.tags = [
            ActiveTag(slug, names.get(slug, slug), self._url_without(slug), slug in names)
            for slug in slugs
        ]

    @property
    def unknown(self):
        return [tag for tag in self.tags if not tag.known]

    def apply(self, queryset):
        # An unknown tag is required too, so the result is empty and the page says why.
        return queryset.with_all_tags(self.slugs)

    def _url_without(self, slug):
        params = self.params.copy()
        params.setlist("tag", [s for s in self.slugs if s != slug])
        for empty in [key for key, values in params.lists() if not values] + ["page"]:
            params.pop(empty, None)
        return f"{self.path}?{params.urlencode()}" if params else self.path


def paginate(items, params, per_page) -> Page:
    """The requested page; a page that is not a number or out of range gives the nearest one."""
    paginator = Paginator(items, per_page)
    try:
        number = int(params.get("page", "1"))
    except ValueError:
        number = 1
    number = min(max(number, 1), paginator.num_pages)
    return paginator.page(number)

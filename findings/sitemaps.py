"""The sitemap (/sitemap.xml): the fixed pages, every kind's list and published items, and
every tag in use, each at its address in every language, naming the others as alternates
(`x-default` being the English one, without a prefix)."""
from functools import partial

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .kinds import KINDS
from .tags import published_tag_counts


class _Sitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True


class PageSitemap(_Sitemap):
    """The pages that exist whatever the content: home, the report, the lists, the map and tags."""

    def items(self):
        lists = (kind.list_url_name for kind in KINDS)
        return ["findings:home", "findings:report", *lists, "findings:map", "findings:tag-list"]

    def location(self, name):
        return reverse(name)


class ContentSitemap(_Sitemap):
    """Every published item of one kind (drafts, and items under drafts, are left out)."""

    def __init__(self, kind):
        self.kind = kind

    def items(self):
        return self.kind.model.objects.published()

    def lastmod(self, item):
        return item.published_at


class TagSitemap(_Sitemap):
    """The tag pages, for tags that published items carry."""

    def items(self):
        return published_tag_counts()

    def location(self, tag):
        return reverse("findings:tag-detail", kwargs={"slug": tag.slug})


# Factories, not instances: the sitemap view builds fresh ones per request, so nothing a
# Sitemap stores while rendering (its latest lastmod) outlives the request.
SITEMAPS = {
    "pages": PageSitemap,
    **{kind.path: partial(ContentSitemap, kind) for kind in KINDS},
    "tags": TagSitemap,
}

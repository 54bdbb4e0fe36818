"""No page's query count grows with the data: each page is measured at two data sizes."""
import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from findings.models import Meeting

from .conftest import remove_content
from .factories import (
    make_author,
    make_chapter,
    make_contribution,
    make_dimension,
    make_finding,
    make_suggestion,
    make_topic,
    quietly,
)


class Corpus:
    """A growing set of content around fixed anchor objects whose pages we measure."""

    def __init__(self):
        # The meeting below presents this chapter: the home page lists its contributions.
        self.chapter = make_chapter(slug="anchor-chapter", number=3)
        self.report = self.chapter.report
        self.dimension = make_dimension(report=self.report)
        self.topic = make_topic(chapter=self.chapter, dimension=self.dimension, slug="anchor-topic", tags=["shared"])
        self.finding = make_finding(topic=self.topic, slug="anchor-finding", tags=["shared"])
        self.suggestion = make_suggestion(report=self.report, slug="anchor-suggestion", tags=["shared"])
        self.contribution = make_contribution(chapter=self.chapter, slug="anchor-contribution", tags=["shared"])
        meeting = Meeting.objects.create(
            slug="meeting", title="Meeting", start_date="2023-09-07", end_date="2023-09-08",
            presentation_title="Presentation", source=self.report.source, status="published", chapter=self.chapter,
        )
        meeting.tasks.create(order=1, text="continue to function", source=self.report.source, status="published")

    def grow(self, n):
        """Add n of everything, all linked to the anchors and tagged like them."""
        with quietly():
            self._grow(n)

    def _grow(self, n):
        for i in range(n):
            topic = make_topic(chapter=self.chapter, dimension=self.dimension, tags=["shared", f"t{i}"])
            make_finding(topic=self.topic, tags=["shared", f"f{i}"])
            make_finding(topic=topic, tags=["shared"])
            suggestion = make_suggestion(report=self.report, topics=[self.topic, topic], tags=["shared", f"s{i}"])
            self.suggestion.related_topics.add(topic)
            contribution = make_contribution(chapter=self.chapter, topics=[self.topic, topic], tags=["shared"])
            author = make_author(self.report.source)
            contribution.authors.add(author)
            self.contribution.authors.add(author)
            self.contribution.related_topics.add(topic)
            assert suggestion.pk


# (url, budget, what the queries are)
PAGES = [
    ("/", 8, "report, meeting, tasks, chapters with counts, dimensions, chapter 3 contributions, topics with counts, suggestions"),
    ("/report/", 7, "report with its sources, facts, meeting, slides, sources, authors, their contributions"),
    ("/chapters/", 2, "count, page of chapters with contribution and topic counts"),
    ("/chapters/anchor-chapter/", 5, "chapter with report and source, contributions, topics with counts, previous, next"),
    ("/contributions/", 7, "count, page of contributions with chapter and source, tags, authors; facets: tag, chapter, topic"),
    ("/contributions/?tag=shared", 7, "count, page, tags, authors; facets: tag, chapter, topic"),
    ("/contributions/anchor-contribution/", 7, "contribution with chapter and report, tags, authors, related topics, previous, next, related by tags"),
    ("/topics/", 8, "dimensions, count, page of topics with finding counts, tags; facets: tag, chapter, dimension, contribution"),
    ("/topics/anchor-topic/", 12, "topic, tags, findings, their tags, related contributions, their tags, authors, suggestions, their tags, previous, next, related by tags"),
    ("/findings/", 10, "count, page of findings with topic and chapter, tags; facets: tag, the findings per topic, and each topic's topic, chapter, dimension, contributions and suggestions"),
    ("/findings/?tag=shared&tag=f1", 9, "count, page, tags; facets: tag, topic, chapter, dimension, contribution, suggestion"),
    ("/findings/anchor-finding/", 6, "finding with topic, chapter, report and dimension, tags, siblings, previous, next, related by tags"),
    ("/suggestions/", 7, "count, page of suggestions, tags, related topics; facets: tag, topic, dimension"),
    ("/suggestions/anchor-suggestion/", 9, "suggestion with report, tags, slides, related topics, their findings, their slides, previous, next, related by tags"),
    ("/map/", 5, "topics with finding counts and dimensions, suggestions, their topics, contributions, their topics"),
    ("/tags/", 1, "tags with item counts"),
    ("/tags/shared/", 15, "tag, then per kind (4): count, items, tags; contributions' authors, suggestions' related topics"),
    ("/api/v1/findings", 7, "as /findings/: count, slice of findings with topic and chapter, tags; facets: tag, topic, chapter, dimension"),
    ("/api/v1/contributions?tag=shared", 7, "as /contributions/?tag=shared: count, slice, tags, authors; facets: tag, chapter, topic"),
    ("/api/v1/suggestions", 7, "as /suggestions/: count, slice of suggestions, tags, related topics; facets: tag, topic, dimension"),
    ("/api/v1/search?q=finding", 13, "count, documents, the findings and their tags; facets: kind, tag (one per tagged kind: 4), chapter (one per kind under a chapter: 4)"),
    ("/api/v1/topics/anchor-topic", 12, "as /topics/anchor-topic/: topic, tags, findings, their tags, related contributions, their tags, authors, suggestions, their tags, previous, next, related by tags"),
    ("/api/v1/findings/anchor-finding", 6, "as /findings/anchor-finding/: finding with topic, chapter, report and dimension, tags, siblings, previous, next, related by tags"),
    ("/api/v1/tags", 1, "tags with item counts"),
    ("/api/v1/report", 3, "report with its sources, facts, chapters"),
    ("/data/findings.csv", 2, "findings with topic, chapter and source, tags"),
    ("/data/contributions.csv", 3, "contributions with chapter and source, tags, authors"),
    ("/data/links.csv", 4, "per many-to-many link (2): items, their published linked items"),
    ("/data/datapackage.json", 2, "report, sources"),
]


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


# The measurements need the test database, which pytest-django creates only for tests that use it.
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def counts(django_db_setup, django_db_blocker):
    """{url: (queries with 3 of everything, queries with 43)}, from one corpus built once.

    Built and measured in a transaction that is rolled back at once, so no other test sees it.
    """
    client = Client()
    with django_db_blocker.unblock(), transaction.atomic():
        remove_content()
        corpus = Corpus()
        corpus.grow(3)
        small = {url: _count_queries(client, url) for url, _, _ in PAGES}
        corpus.grow(40)
        large = {url: _count_queries(client, url) for url, _, _ in PAGES}
        transaction.set_rollback(True)
    return {url: (small[url], large[url]) for url in small}


@pytest.mark.parametrize("url, budget, queries", PAGES, ids=[page[0] for page in PAGES])
def test_query_count_does_not_grow_with_the_data(counts, url, budget, queries):
    small, large = counts[url]
    assert small == large, f"{url}: {small} queries with 3 of each, {large} with 43 ({queries})"
    assert large <= budget, f"{url}: {large} queries, more than the {budget} expected: {queries}"

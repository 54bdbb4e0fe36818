"""At scale: `generate_synthetic_data` makes 10,000 findings, and no page asks more of the
database than it did with 10; `--delete` takes them all away again and nothing else."""
import csv
import io
import math

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from taggit.models import Tag, TaggedItem

from findings import formats
from findings.models import Chapter, Contribution, Finding, SearchDocument, Source, Suggestion, Topic

from .factories import make_finding
from .html import results, visible_text

# With this seed, the first ten findings already carry synthetic-01 (in topic 1), synthetic-02
# and the word "procurement", so every page below has results at both sizes.
SEED = 4
SMALL, LARGE = 10, 10_000

# (url, budget, the queries it makes at either size)
PAGES = [
    (
        "/findings/",
        10,
        "count; facets (the first visit after a change; later ones read them from the cache): tag, the findings "
        "per topic, and the topic, chapter, dimension, contributions and suggestions of each topic; the page of "
        "findings with topic, chapter and source; their tags",
    ),
    (
        "/findings/?tag=synthetic-01&topic=synthetic-topic-1",
        6,
        "the results' ids (their count); facets: the other topics' counts, tag, the results per topic (topic, "
        "chapter, dimension, contribution and suggestion; the chosen topic's title from the values kept for the "
        "counts); the page; its tags",
    ),
    (
        "/search/?q=procurement",
        14,
        "count; facets: kind, tag (one per tagged kind: 4), chapter (one per kind in a chapter: 4); "
        "the ranked page of documents; its items (one query per kind on the page: findings); their tags; excerpts",
    ),
    ("/search/?q=procurement&kind=finding&tag=synthetic", 14, "the same queries as the search above, each narrowed"),
    (
        "/findings/?format=json&tag=synthetic",
        9,
        "count; facets: tag, topic, chapter, dimension, contribution, suggestion; the page of findings; their tags",
    ),
    ("/map/", 5, "topics with finding counts and dimensions; suggestions, their topics; contributions, their topics"),
    ("/topics/", 8, "dimensions; count; facets: tag, chapter, dimension, contribution; the page of topics with finding counts; their tags"),
    ("/tags/", 1, "tags with their published item counts"),
    ("/tags/synthetic/", 7, "the tag with its count; a count per kind (4); the findings shown; their tags"),
    (
        "/findings/synthetic-finding-5/",
        6,
        "the finding with topic, chapter, dimension and source; its tags; its siblings; previous; next; related",
    ),
]
CSV_URL = "/findings/?format=csv&tag=synthetic-02"


def _measure(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries), response


def _generate(findings):
    call_command("generate_synthetic_data", findings=findings, seed=SEED, verbosity=0)


def _csv_chunks(response):
    rows = len(list(csv.reader(io.StringIO(response.getvalue().decode("utf-8"))))) - 1
    assert rows > 0
    return math.ceil(rows / formats.CHUNK_SIZE)


def test_query_counts_stay_flat_from_ten_to_ten_thousand_findings(wpsr, client, django_assert_max_num_queries):
    _generate(SMALL)
    small = {url: _measure(client, url)[0] for url, _, _ in PAGES}
    small_csv, small_csv_response = _measure(client, CSV_URL)
    # Filtered pages with no result skip the page's queries: compare pages that have results.
    for url in ("/findings/?tag=synthetic-01&topic=synthetic-topic-1", "/search/?q=procurement&kind=finding&tag=synthetic"):
        assert results(client.get(url).getvalue()), f"{url} finds nothing among {SMALL} findings"

    _generate(LARGE - SMALL)
    synthetic = Finding.objects.filter(source__slug="synthetic-data")
    assert synthetic.count() == LARGE
    # Positions count within each topic, so they fit the field on PostgreSQL at any size.
    assert max(synthetic.values_list("order", flat=True)) == 500
    large = {}
    for url, budget, queries in PAGES:
        with django_assert_max_num_queries(budget, info=f"{url}: {queries}"):
            large[url], _ = _measure(client, url)
    assert large == small

    # CSV counts the rows (to say whether the file is cut), reads every row in one query, and
    # their tags once per chunk of rows, so that a download of 10,000 rows never holds them all
    # at once: 2 + one per CHUNK_SIZE rows.
    large_csv, large_csv_response = _measure(client, CSV_URL)
    assert small_csv == 2 + _csv_chunks(small_csv_response) == 3
    assert large_csv == 2 + _csv_chunks(large_csv_response)
    assert large_csv <= 2 + formats.ROW_LIMIT // formats.CHUNK_SIZE


def _content_counts():
    return {
        model.__name__: model.objects.count()
        for model in (Chapter, Contribution, Topic, Finding, Suggestion, Source, Tag, TaggedItem, SearchDocument)
    }


def test_delete_removes_every_synthetic_item_and_nothing_else(wpsr, client):
    real_tag_finding = make_finding(
        topic=Topic.objects.get(slug="digital-technology"), slug="real-synthetic-biology", tags=["synthetic-biology"]
    )
    before = _content_counts()
    _generate(600)  # two synthetic topics
    assert Finding.objects.count() == before["Finding"] + 600
    assert Topic.objects.count() == before["Topic"] + 2

    call_command("generate_synthetic_data", delete=True, verbosity=0)

    assert _content_counts() == before
    assert not Finding.objects.filter(text__startswith="Synthetic").exists()
    assert not Source.objects.filter(slug="synthetic-data").exists()
    assert list(real_tag_finding.tags.names()) == ["synthetic-biology"]
    assert client.get("/tags/synthetic/").status_code == 404
    assert client.get("/findings/synthetic-finding-1/").status_code == 404
    assert "Synthetic" not in visible_text(client.get("/findings/").getvalue())
    found = results(client.get("/search/?q=synthetic").getvalue())
    assert [result.url for result in found] == ["/findings/real-synthetic-biology/"]


def test_synthetic_items_say_so_and_cite_the_synthetic_source(wpsr, client):
    _generate(SMALL)
    finding = visible_text(client.get("/findings/synthetic-finding-5/").getvalue())
    assert "Synthetic finding 5: " in finding
    assert "Source: Synthetic data generated for benchmarks and tests (not WPSR content)" in finding
    assert "Tags (editorial): Synthetic" in finding
    topic = visible_text(client.get("/topics/synthetic-topic-1/").getvalue())
    assert "Synthetic topic 1" in topic
    assert "Source: Synthetic data generated for benchmarks and tests (not WPSR content)" in topic


def test_synthetic_findings_are_marked_in_lists_and_search(wpsr, client):
    _generate(SMALL)
    listed = results(client.get("/findings/?tag=synthetic").getvalue())
    assert len(listed) == SMALL
    assert all(result.title.startswith("Synthetic finding ") for result in listed)
    assert all("Tags (editorial): Synthetic" in result.text for result in listed)
    found = results(client.get("/search/?q=synthetic&kind=finding").getvalue())
    assert {result.url for result in found} == {f"/findings/synthetic-finding-{n}/" for n in range(1, SMALL + 1)}


def test_each_synthetic_finding_has_the_marker_and_two_numbered_tags(wpsr):
    _generate(SMALL)
    for finding in Finding.objects.filter(source__slug="synthetic-data").prefetch_related("tags"):
        slugs = sorted(tag.slug for tag in finding.tags.all())
        assert slugs[0] == "synthetic" and len(slugs) == 3
        assert all(slug.startswith("synthetic-") and 1 <= int(slug[-2:]) <= 20 for slug in slugs[1:])


def test_refuses_without_a_number_of_findings(wpsr):
    with pytest.raises(CommandError, match=r"Say how many with --findings N \(N > 0\), or use --delete\."):
        call_command("generate_synthetic_data", verbosity=0)
    with pytest.raises(CommandError, match="Say how many"):
        call_command("generate_synthetic_data", findings=0, verbosity=0)
    assert not Finding.objects.filter(source__slug="synthetic-data").exists()


def test_refuses_on_an_empty_database(db):
    with pytest.raises(CommandError, match=r"Load the WPSR content first \(manage.py load_wpsr\)"):
        call_command("generate_synthetic_data", findings=10, verbosity=0)
    assert Finding.objects.count() == 0
    assert not Source.objects.filter(slug="synthetic-data").exists()

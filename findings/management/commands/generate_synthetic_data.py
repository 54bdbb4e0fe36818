"""Add clearly marked synthetic findings for benchmarks and tests; `--delete` removes them all.

Everything made here cites the source "synthetic-data", carries the tag "synthetic" and
says "Synthetic" in its text, so it can never be taken for WPSR content. Run by hand only.
"""
import random

from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from taggit.models import Tag, TaggedItem

from findings import cache
from findings.kinds import BY_MODEL
from findings.models import Chapter, Dimension, Finding, SearchDocument, Source, Status, Topic
from findings.search.index import index_items
from findings.statistics import refresh_statistics

SOURCE_SLUG = "synthetic-data"
MARKER_TAG = "synthetic"
TOPIC_SIZE = 500  # findings per synthetic topic
TAG_COUNT = 20
TAG_SLUGS = [f"synthetic-{n:02d}" for n in range(1, TAG_COUNT + 1)]
# Words of the report's own subject, so that search has something realistic to rank.
WORDS = (
    "innovation public administration data digital services procurement corruption accountability "
    "participation resilience training health education crisis governance collaboration citizens "
    "institutions technology regulation inclusion equity platforms local national oversight"
).split()


class Command(BaseCommand):
    help = "Add N synthetic findings (marked as such) for benchmarks, or delete every synthetic item."

    def add_arguments(self, parser):
        parser.add_argument("--findings", type=int, default=0, help="How many synthetic findings to add.")
        parser.add_argument("--delete", action="store_true", help="Delete all synthetic items instead.")
        parser.add_argument("--seed", type=int, default=2023, help="Random seed, for repeatable data.")

    def handle(self, *args, findings, delete, seed, **options):
        if delete:
            self.stdout.write(self.style.SUCCESS(f"Deleted {delete_synthetic()} synthetic items."))
            return
        if findings <= 0:
            raise CommandError("Say how many with --findings N (N > 0), or use --delete.")
        chapter = Chapter.objects.filter(number=3).first() or Chapter.objects.first()
        dimension = Dimension.objects.first()
        if chapter is None or dimension is None:
            raise CommandError(
                "Load the WPSR content first (manage.py load_wpsr): synthetic topics need a chapter and a dimension."
            )
        added = add_synthetic(findings, chapter, dimension, random.Random(seed))
        message = f"Added {added} synthetic findings (source “{SOURCE_SLUG}”, tag “{MARKER_TAG}”)."
        self.stdout.write(self.style.SUCCESS(message))


def _source():
    source, _ = Source.objects.get_or_create(
        slug=SOURCE_SLUG,
        defaults={
            "title": "Synthetic data generated for benchmarks and tests (not WPSR content)",
            "kind": Source.Kind.SYNTHETIC,
            "status": Status.PUBLISHED,
            "note": "Made by `manage.py generate_synthetic_data`; remove with `--delete`.",
        },
    )
    return source


@transaction.atomic
def add_synthetic(count, chapter, dimension, rng):
    source = _source()
    tags = [Tag.objects.get_or_create(slug=MARKER_TAG, defaults={"name": "Synthetic"})[0]]
    tags += [
        Tag.objects.get_or_create(slug=slug, defaults={"name": f"Synthetic {n:02d}"})[0]
        for n, slug in enumerate(TAG_SLUGS, start=1)
    ]
    start = Finding.objects.filter(source=source).count()
    topics = {}
    new = []
    for number in range(start + 1, start + count + 1):
        topic_number = (number - 1) // TOPIC_SIZE + 1
        if topic_number not in topics:
            topics[topic_number], _ = Topic.objects.get_or_create(
                slug=f"synthetic-topic-{topic_number}",
                defaults={
                    "title": f"Synthetic topic {topic_number}", "chapter": chapter, "dimension": dimension,
                    "order": 1000 + topic_number, "source": source, "status": Status.PUBLISHED,
                },
            )
        words = " ".join(rng.choice(WORDS) for _ in range(12))
        new.append(
            Finding(
                topic=topics[topic_number], order=(number - 1) % TOPIC_SIZE + 1, slug=f"synthetic-finding-{number}",
                text=f"Synthetic finding {number}: {words}", source=source, status=Status.PUBLISHED,
            )
        )
    created = Finding.objects.bulk_create(new, batch_size=2000)
    content_type = ContentType.objects.get_for_model(Finding)
    tagged = []
    for finding in created:
        chosen = {tags[0], *rng.sample(tags[1:], 2)}
        tagged += [TaggedItem(tag=tag, content_type=content_type, object_id=finding.pk) for tag in chosen]
    TaggedItem.objects.bulk_create(tagged, batch_size=5000)
    index_items(BY_MODEL[Finding], [finding.pk for finding in created])
    index_items(BY_MODEL[Topic], [topic.pk for topic in topics.values()])
    refresh_statistics()
    cache.bump()  # bulk_create sends no signal
    return len(created)


@transaction.atomic
def delete_synthetic():
    findings = Finding.objects.filter(source__slug=SOURCE_SLUG)
    topics = Topic.objects.filter(source__slug=SOURCE_SLUG)
    removed = findings.count() + topics.count()
    for model, items in ((Finding, findings), (Topic, topics)):
        content_type = ContentType.objects.get_for_model(model)
        TaggedItem.objects.filter(content_type=content_type, object_id__in=items.values("pk")).delete()
        SearchDocument.objects.filter(kind=model.kind.name, object_id__in=items.values("pk")).delete()
    findings.delete()
    topics.delete()
    # Only the tags made here, and only once nothing else carries them (a real tag may start "synthetic").
    Tag.objects.filter(slug__in=[MARKER_TAG, *TAG_SLUGS], taggit_taggeditem_items__isnull=True).delete()
    Source.objects.filter(slug=SOURCE_SLUG).delete()
    refresh_statistics()
    cache.bump()
    return removed

"""Small factories for tests that need their own data rather than the WPSR fixtures.

They write quietly: no history entries, and each item's search row written once, when the
factory returns, rather than once per signal (save, each tag, each link).
"""
import contextlib
import functools
import itertools

from django.test import override_settings

from findings.models import Author, Chapter, Contribution, Dimension, Finding, Report, Source, Suggestion, Topic
from findings.search import index

_counter = itertools.count(1)


def _next():
    return next(_counter)


# Factories make published content unless a test asks for a draft (status="draft").
PUBLISHED = {"status": "published"}


@contextlib.contextmanager
def quietly():
    """Writes without history entries, and search rows written once, at the end."""
    with override_settings(SIMPLE_HISTORY_ENABLED=False), index.deferred():
        yield


def _quiet(factory):
    @functools.wraps(factory)
    def make(*args, **kwargs):
        with quietly():
            return factory(*args, **kwargs)

    return make


@_quiet
def make_source(**fields):
    n = _next()
    return Source.objects.create(**{"slug": f"source-{n}", "title": f"Source {n}", "kind": "web-page", **PUBLISHED, **fields})


@_quiet
def make_report(**fields):
    n = _next()
    source = fields.pop("source", None) or make_source()
    defaults = {
        "slug": f"report-{n}",
        "title": f"Report {n}",
        "short_title": f"R{n}",
        "year": 2023,
        "full_title": f"Report {n}: full title",
        "publisher": "Publisher",
        **PUBLISHED,
    }
    return Report.objects.create(source=source, **{**defaults, **fields})


@_quiet
def make_chapter(report=None, **fields):
    n = _next()
    report = report or make_report()
    defaults = {"number": n, "title": f"Chapter question {n}?", "slug": f"chapter-{n}", **PUBLISHED}
    return Chapter.objects.create(report=report, source=report.source, **{**defaults, **fields})


@_quiet
def make_dimension(report=None, **fields):
    n = _next()
    report = report or make_report()
    defaults = {"order": n, "title": f"Dimension {n}", "slug": f"dimension-{n}", **PUBLISHED}
    return Dimension.objects.create(report=report, source=report.source, **{**defaults, **fields})


@_quiet
def make_topic(chapter=None, dimension=None, tags=(), **fields):
    n = _next()
    chapter = chapter or make_chapter()
    dimension = dimension or make_dimension(report=chapter.report)
    defaults = {"order": n, "title": f"Topic {n}", "slug": f"topic-{n}", **PUBLISHED}
    topic = Topic.objects.create(chapter=chapter, dimension=dimension, source=chapter.source, **{**defaults, **fields})
    topic.tags.add(*tags)
    return topic


@_quiet
def make_finding(topic=None, tags=(), **fields):
    n = _next()
    topic = topic or make_topic()
    defaults = {"order": n, "text": f"Finding number {n}", "slug": f"finding-{n}", **PUBLISHED}
    finding = Finding.objects.create(topic=topic, source=topic.source, **{**defaults, **fields})
    finding.tags.add(*tags)
    return finding


@_quiet
def make_suggestion(report=None, topics=(), tags=(), **fields):
    n = _next()
    report = report or make_report()
    defaults = {"order": n, "text": f"Suggestion number {n}", "slug": f"suggestion-{n}", **PUBLISHED}
    suggestion = Suggestion.objects.create(report=report, source=report.source, **{**defaults, **fields})
    suggestion.related_topics.add(*topics)
    suggestion.tags.add(*tags)
    return suggestion


@_quiet
def make_contribution(chapter=None, topics=(), tags=(), **fields):
    n = _next()
    chapter = chapter or make_chapter()
    defaults = {"order": n, "title": f"Contribution {n}", "slug": f"contribution-{n}", **PUBLISHED}
    contribution = Contribution.objects.create(chapter=chapter, source=chapter.source, **{**defaults, **fields})
    contribution.related_topics.add(*topics)
    contribution.tags.add(*tags)
    return contribution


@_quiet
def make_author(source, **fields):
    n = _next()
    return Author.objects.create(source=source, **{"name": f"Author {n}", "slug": f"author-{n}", **PUBLISHED, **fields})


def make_draft(model, slug):
    """One of the loaded WPSR items, moved back to draft."""
    item = model.objects.get(slug=slug)
    item.status = "draft"
    item.save()
    return item


PASSWORD = "a long passphrase 42"


def make_member(username, group=None):
    """A staff user who can sign in to the admin, in the Editors or Publishers group."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user = get_user_model().objects.create_user(username, password=PASSWORD, is_staff=True)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user

"""The content models: names, addresses, ordering, stable slugs and the meeting's dates."""
import datetime

import pytest
from django.db import IntegrityError

from findings.models import Chapter, Contribution, Finding, Meeting, Report, Suggestion, Topic

from .factories import make_finding, make_source, make_topic


def test_each_kind_reads_as_its_title_and_lives_at_its_slug(wpsr):
    finding = Finding.objects.get(slug="data-to-inform-decision-making")
    assert str(finding) == "Access to and analysis of data to inform decision-making during the pandemic"
    assert finding.get_absolute_url() == "/findings/data-to-inform-decision-making/"
    topic = Topic.objects.get(slug="digital-technology")
    assert (str(topic), topic.get_absolute_url()) == ("Digital technology", "/topics/digital-technology/")
    chapter = Chapter.objects.get(number=1)
    assert str(chapter) == "Chapter 1: How can Governments reshape their relationships with people?"
    assert chapter.get_absolute_url() == "/chapters/chapter-1/"
    suggestion = Suggestion.objects.get(order=6)
    assert suggestion.get_absolute_url() == "/suggestions/invest-in-online-workforce-training/"
    contribution = Contribution.objects.get(slug="civic-space-and-the-covid-19-pandemic")
    assert contribution.get_absolute_url() == "/contributions/civic-space-and-the-covid-19-pandemic/"
    assert str(Report.objects.get()) == "World Public Sector Report 2023"
    assert Report.objects.get().get_absolute_url() == "/report/"


def test_findings_follow_the_order_of_the_presentation(wpsr):
    texts = list(Finding.objects.filter(topic__slug="multilevel-governance").values_list("text", flat=True))
    assert texts == [
        "Subnational response to crises - more agile & responsive?",
        "Crisis management – avoid the challenge of fragmentation",
        "integrating isolated innovative local experiences in multiscale governance approaches",
    ]
    first_topics = list(Topic.objects.values_list("title", flat=True)[:2])
    assert first_topics == ["The role of public servants", "Resilient institutional mechanisms"]


@pytest.mark.parametrize(
    "start, end, shown",
    [
        (datetime.date(2023, 9, 7), datetime.date(2023, 9, 8), "7-8 September 2023"),
        (datetime.date(2023, 9, 7), datetime.date(2023, 9, 7), "7 September 2023"),
        (datetime.date(2023, 8, 31), datetime.date(2023, 9, 1), "31 August 2023 - 1 September 2023"),
    ],
)
def test_meeting_dates_read_as_the_presentation_writes_them(start, end, shown):
    assert Meeting(start_date=start, end_date=end).dates == shown


def test_slugs_are_unique(db):
    topic = make_topic()
    make_finding(topic=topic, slug="same")
    with pytest.raises(IntegrityError):
        make_finding(topic=topic, slug="same")


def test_a_source_in_use_cannot_be_deleted(db):
    from django.db.models import ProtectedError

    topic = make_topic()
    with pytest.raises(ProtectedError):
        topic.source.delete()
    assert make_source().delete()[0] == 1

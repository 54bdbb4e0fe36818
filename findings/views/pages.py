"""The report at a glance (the home page) and the page about the report, its sources and how
to cite it (also as BibTeX and RIS)."""
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from .. import cache, formats, structured_data
from ..citations import citation_text
from ..models import (
    Author,
    Chapter,
    Contribution,
    Dimension,
    InstitutionalTask,
    Meeting,
    Report,
    ReportFact,
    Slide,
    Source,
    Suggestion,
    Topic,
)
from . import Crumb, crumbs


def _published_meeting(*prefetch):
    return Meeting.objects.published().select_related("chapter__report").prefetch_related(*prefetch).first()


@formats.offers()
def home(request):
    meeting = _published_meeting(Prefetch("tasks", queryset=InstitutionalTask.objects.published()))
    presented = meeting.chapter if meeting and meeting.chapter and meeting.chapter.is_public else None
    context = {
        "report": Report.objects.published().first(),
        "meeting": meeting,
        "presented_chapter": presented,
        "chapters": Chapter.objects.published().for_listing(),
        "dimensions": Dimension.objects.published(),
        "contributions": presented.contributions.published().order_by("order", "pk") if presented else [],
        # Counting every topic's findings reads them all: once per content generation.
        "topics": cache.remembered("home-topics", lambda: list(Topic.objects.published().with_finding_counts())),
        "suggestions": Suggestion.objects.published(),
    }
    return render(request, "findings/home.html", context)


# The report's citation for reference managers, as each detail page offers its item's.
@formats.offers(formats.BIBTEX, formats.RIS)
def report(request):
    report = Report.objects.published().select_related("source", "identifiers_source").first()
    if report is None:
        raise Http404("No published report")
    if request.format.is_download:
        return formats.download(request.format, [report], request, report.slug, total=lambda: 1)
    context = {
        "report": report,
        "facts": ReportFact.objects.published().filter(report=report).select_related("source"),
        "meeting": _published_meeting(Prefetch("slides", queryset=Slide.objects.published())),
        "sources": Source.objects.published(),
        "authors": Author.objects.published()
        .select_related("source")
        .prefetch_related(Prefetch("contributions", queryset=Contribution.objects.published())),
        "breadcrumbs": crumbs(Crumb(report.short_title, is_content=True)),
        "citation": citation_text(report, request, timezone.localdate()),
        "structured_data": structured_data.script(structured_data.report_data(report, request)),
    }
    return render(request, "findings/report.html", context)

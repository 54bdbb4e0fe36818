"""Public pages: the report at a glance, the browsable lists and the detail pages."""
from django.conf import settings
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.generic import DetailView
from taggit.models import Tag

from .filters import TagFilter, paginate
from .models import (
    Author,
    Chapter,
    Contribution,
    Dimension,
    Finding,
    Meeting,
    Report,
    ReportFact,
    Source,
    Suggestion,
    Topic,
)

# How many items of each kind a tag page shows before linking to the full filtered list.
TAG_PAGE_GROUP_SIZE = 20


def _crumbs(*trail):
    """Breadcrumbs from the home page down to the current page (the last has no link)."""
    return [("Home", reverse("findings:home")), *trail]


def home(request):
    report = Report.objects.select_related("source").first()
    meeting = Meeting.objects.prefetch_related("tasks").first()
    context = {
        "report": report,
        "meeting": meeting,
        "chapters": Chapter.objects.for_listing(),
        "dimensions": Dimension.objects.all(),
        "contributions": Contribution.objects.filter(chapter__number=3).order_by("order", "pk"),
        "topics": Topic.objects.with_finding_counts(),
        "suggestions": Suggestion.objects.all(),
    }
    return render(request, "findings/home.html", context)


def report(request):
    report = get_object_or_404(Report.objects.select_related("source", "identifiers_source"))
    context = {
        "report": report,
        "facts": ReportFact.objects.filter(report=report).select_related("source"),
        "meeting": Meeting.objects.prefetch_related("slides").first(),
        "sources": Source.objects.all(),
        "authors": Author.objects.select_related("source").prefetch_related("contributions"),
        "breadcrumbs": _crumbs((report.short_title, None)),
    }
    return render(request, "findings/report.html", context)


def _list_page(request, queryset, template, title, **extra):
    """A tag-filtered, paginated list; the template gets `page`, `tag_filter` and `title`."""
    tag_filter = TagFilter(request.GET, request.path)
    page = paginate(tag_filter.apply(queryset), request.GET, settings.PORTAL_PAGE_SIZE)
    context = {
        "page": page,
        "tag_filter": tag_filter,
        "title": title,
        "list_url": request.path,
        "breadcrumbs": _crumbs((title, None)),
        **extra,
    }
    return render(request, template, context)


def chapter_list(request):
    chapters = Chapter.objects.for_listing()
    context = {"chapters": chapters, "breadcrumbs": _crumbs(("Chapters", None))}
    return render(request, "findings/chapter_list.html", context)


def contribution_list(request):
    return _list_page(
        request, Contribution.objects.for_listing(), "findings/contribution_list.html", "Expert contributions"
    )


def topic_list(request):
    return _list_page(
        request,
        Topic.objects.for_listing(),
        "findings/topic_list.html",
        "Topics",
        dimensions=Dimension.objects.all(),
    )


def finding_list(request):
    return _list_page(request, Finding.objects.for_listing(), "findings/finding_list.html", "Key findings")


def suggestion_list(request):
    return _list_page(
        request, Suggestion.objects.for_listing(), "findings/suggestion_list.html", "Suggestions made by experts"
    )


def tag_list(request):
    tags = Tag.objects.annotate(item_count=Count("taggit_taggeditem_items")).order_by("name")
    context = {"tags": tags, "breadcrumbs": _crumbs(("Tags", None))}
    return render(request, "findings/tag_list.html", context)


def tag_detail(request, slug):
    tag = get_object_or_404(Tag, slug=slug)
    groups = []
    for label, model, list_name in [
        ("Topics", Topic, "findings:topic-list"),
        ("Key findings", Finding, "findings:finding-list"),
        ("Suggestions", Suggestion, "findings:suggestion-list"),
        ("Expert contributions", Contribution, "findings:contribution-list"),
    ]:
        items = model.objects.filter(tags__slug=tag.slug).for_listing()
        groups.append(
            {
                "label": label,
                "count": items.count(),
                "items": items[:TAG_PAGE_GROUP_SIZE],
                "list_url": reverse(list_name),
            }
        )
    context = {
        "tag": tag,
        "groups": groups,
        "total": sum(group["count"] for group in groups),
        "breadcrumbs": _crumbs(("Tags", reverse("findings:tag-list")), (tag.name, None)),
    }
    return render(request, "findings/tag_detail.html", context)


class _ContentDetailView(DetailView):
    """A detail page with breadcrumbs through its list page."""

    list_name = ""
    list_title = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["breadcrumbs"] = _crumbs(
            (self.list_title, reverse(self.list_name)), (self.crumb_label(self.object), None)
        )
        context["list_url"] = reverse(self.list_name)
        return context

    def crumb_label(self, obj):
        return str(obj)


class ChapterDetailView(_ContentDetailView):
    list_name, list_title = "findings:chapter-list", "Chapters"
    queryset = Chapter.objects.select_related("report", "source")

    def crumb_label(self, obj):
        return f"Chapter {obj.number}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["contributions"] = self.object.contributions.order_by("order", "pk")
        context["topics"] = self.object.topics.with_finding_counts()
        return context


class ContributionDetailView(_ContentDetailView):
    list_name, list_title = "findings:contribution-list", "Expert contributions"
    queryset = Contribution.objects.for_detail()


class TopicDetailView(_ContentDetailView):
    list_name, list_title = "findings:topic-list", "Topics"
    queryset = Topic.objects.select_related("chapter", "dimension", "source").prefetch_related(
        "tags",
        Prefetch("findings", queryset=Finding.objects.for_listing()),
        Prefetch("related_contributions", queryset=Contribution.objects.for_listing()),
        Prefetch("related_suggestions", queryset=Suggestion.objects.prefetch_related("tags")),
    )


    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["finding_list_url"] = reverse("findings:finding-list")
        return context


class FindingDetailView(_ContentDetailView):
    list_name, list_title = "findings:finding-list", "Key findings"
    queryset = Finding.objects.for_listing().select_related("topic__dimension")

    def crumb_label(self, obj):
        return _truncate(obj.text)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["siblings"] = self.object.topic.findings.exclude(pk=self.object.pk)[:TAG_PAGE_GROUP_SIZE]
        return context


class SuggestionDetailView(_ContentDetailView):
    list_name, list_title = "findings:suggestion-list", "Suggestions"
    queryset = Suggestion.objects.select_related("report", "source").prefetch_related(
        "tags", Prefetch("related_topics", queryset=Topic.objects.select_related("dimension"))
    )

    def crumb_label(self, obj):
        return _truncate(obj.text)


def _truncate(text, length=60):
    return text if len(text) <= length else text[: length - 1].rsplit(" ", 1)[0] + "…"

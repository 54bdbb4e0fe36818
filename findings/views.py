"""Public pages: the report at a glance, the browsable lists and the detail pages.

Everything shown goes through `published()`; detail pages use `visible_to(user)`
so that curators can preview drafts at their real address.
"""
from django.conf import settings
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.generic import DetailView

from .filters import TagFilter, paginate
from .models import (
    Author,
    Chapter,
    Contribution,
    Dimension,
    Finding,
    InstitutionalTask,
    Meeting,
    Report,
    ReportFact,
    Slide,
    Source,
    Suggestion,
    Topic,
)
from .tags import TAGGED_KINDS, published_tag_counts

# How many items of each kind a tag page shows before linking to the full filtered list.
TAG_PAGE_GROUP_SIZE = 20


def _crumbs(*trail):
    """Breadcrumbs from the home page down to the current page (the last has no link)."""
    return [("Home", reverse("findings:home")), *trail]


def _published_meeting(*prefetch):
    return Meeting.objects.published().prefetch_related(*prefetch).first()


def home(request):
    context = {
        "report": Report.objects.published().first(),
        "meeting": _published_meeting(Prefetch("tasks", queryset=InstitutionalTask.objects.published())),
        "chapters": Chapter.objects.published().for_listing(),
        "dimensions": Dimension.objects.published(),
        "contributions": Contribution.objects.published().filter(chapter__number=3).order_by("order", "pk"),
        "topics": Topic.objects.published().with_finding_counts(),
        "suggestions": Suggestion.objects.published(),
    }
    return render(request, "findings/home.html", context)


def report(request):
    report = Report.objects.published().select_related("source", "identifiers_source").first()
    if report is None:
        raise Http404("No published report")
    published_contributions = Contribution.objects.published()
    context = {
        "report": report,
        "facts": ReportFact.objects.published().filter(report=report).select_related("source"),
        "meeting": _published_meeting(Prefetch("slides", queryset=Slide.objects.published())),
        "sources": Source.objects.published(),
        "authors": Author.objects.published()
        .select_related("source")
        .prefetch_related(Prefetch("contributions", queryset=published_contributions)),
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
    chapters = Chapter.objects.published().for_listing()
    context = {"chapters": chapters, "breadcrumbs": _crumbs(("Chapters", None))}
    return render(request, "findings/chapter_list.html", context)


def contribution_list(request):
    return _list_page(
        request, Contribution.objects.published().for_listing(), "findings/contribution_list.html", "Expert contributions"
    )


def topic_list(request):
    return _list_page(
        request,
        Topic.objects.published().for_listing(),
        "findings/topic_list.html",
        "Topics",
        dimensions=Dimension.objects.published(),
    )


def finding_list(request):
    return _list_page(request, Finding.objects.published().for_listing(), "findings/finding_list.html", "Key findings")


def suggestion_list(request):
    return _list_page(
        request,
        Suggestion.objects.published().for_listing(),
        "findings/suggestion_list.html",
        "Suggestions made by experts",
    )


def tag_list(request):
    context = {"tags": published_tag_counts(), "breadcrumbs": _crumbs(("Tags", None))}
    return render(request, "findings/tag_list.html", context)


def tag_detail(request, slug):
    tag = get_object_or_404(published_tag_counts(), slug=slug)
    groups = []
    for kind in TAGGED_KINDS:
        items = kind.model.objects.published().filter(tags__slug=tag.slug).for_listing()
        groups.append(
            {
                "label": kind.label,
                "count": items.count(),
                "items": items[:TAG_PAGE_GROUP_SIZE],
                "list_url": reverse(kind.list_name),
            }
        )
    context = {
        "tag": tag,
        "groups": groups,
        "total": tag.item_count,
        "breadcrumbs": _crumbs(("Tags", reverse("findings:tag-list")), (tag.name, None)),
    }
    return render(request, "findings/tag_detail.html", context)


class _ContentDetailView(DetailView):
    """A detail page with breadcrumbs through its list page; drafts only for curators."""

    list_name = ""
    list_title = ""

    def get_queryset(self):
        return self.model.objects.visible_to(self.request.user).for_detail()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["breadcrumbs"] = _crumbs(
            (self.list_title, reverse(self.list_name)), (self.crumb_label(self.object), None)
        )
        context["list_url"] = reverse(self.list_name)
        # Anonymous visitors only ever get published items, so this asks nothing of them.
        context["preview"] = (
            self.request.user.is_authenticated
            and not self.model.objects.published().filter(pk=self.object.pk).exists()
        )
        return context

    def crumb_label(self, obj):
        return str(obj)


class ChapterDetailView(_ContentDetailView):
    model = Chapter
    list_name, list_title = "findings:chapter-list", "Chapters"

    def crumb_label(self, obj):
        return f"Chapter {obj.number}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["contributions"] = self.object.contributions.published().order_by("order", "pk")
        context["topics"] = self.object.topics.published().with_finding_counts()
        return context


class ContributionDetailView(_ContentDetailView):
    model = Contribution
    list_name, list_title = "findings:contribution-list", "Expert contributions"


class TopicDetailView(_ContentDetailView):
    model = Topic
    list_name, list_title = "findings:topic-list", "Topics"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["finding_list_url"] = reverse("findings:finding-list")
        return context


class FindingDetailView(_ContentDetailView):
    model = Finding
    list_name, list_title = "findings:finding-list", "Key findings"

    def crumb_label(self, obj):
        return _truncate(obj.text)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        siblings = self.object.topic.findings.published().exclude(pk=self.object.pk)
        context["siblings"] = siblings[:TAG_PAGE_GROUP_SIZE]
        return context


class SuggestionDetailView(_ContentDetailView):
    model = Suggestion
    list_name, list_title = "findings:suggestion-list", "Suggestions"

    def crumb_label(self, obj):
        return _truncate(obj.text)


def _truncate(text, length=60):
    return text if len(text) <= length else text[: length - 1].rsplit(" ", 1)[0] + "…"

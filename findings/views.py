"""Public pages: the report at a glance, the browsable lists and the detail pages.

Everything shown goes through `published()`; detail pages use `visible_to(user)`
so that curators can preview drafts at their real address.
"""
from django.conf import settings
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.generic import DetailView

from . import exports
from .citations import citation_text
from .filters import LIST_FACETS, SEARCH_FACETS, FacetedList, FacetedSearch, PageState, paginate, unknown_values
from .forms import SORTS
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
from .search import (
    SEARCHABLE,
    best_first,
    did_you_mean,
    highlights,
    items_best_first,
    matching_documents,
    matching_ids,
    parse_query,
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


# How many entries an Atom feed of a list carries: the first ones, in the list's order.
FEED_SIZE = 50
TITLE_FIELDS = {"finding": "text", "suggestion": "text", "topic": "title", "contribution": "title"}


def _sorted(queryset, model, state, parsed):
    """Apply `sort`: relevance needs a search; title; or the report's order (for_listing's)."""
    sort = state.sort or ("relevance" if not parsed.is_empty else "order")
    if sort == "relevance" and not parsed.is_empty:
        return items_best_first(queryset, model.kind, parsed), "relevance"
    if sort == "title":
        return queryset.order_by(TITLE_FIELDS[model.kind], "pk"), "title"
    return queryset, "order"


def _describe(state, facet_views):
    """The filters in words, for feed titles: "tag: AI, Data; search: “x”"."""
    parts = []
    for view in facet_views:
        chosen = [value.label for value in view.values if value.selected]
        if chosen:
            parts.append(f"{view.label.lower()}: {', '.join(str(label) for label in chosen)}")
    if state.q:
        parts.append(f"search: “{state.q}”")
    return "; ".join(parts)


def _feed_title(title, state, facet_views):
    described = _describe(state, facet_views)
    return f"{title} – WPSR 2023" + (f" ({described})" if described else "")


def _page_links(state, page):
    """Previous and next page URLs that keep only the parameters the page understood."""
    return {
        "previous_page_url": state.page_url(page.previous_page_number()) if page.has_previous() else "",
        "next_page_url": state.page_url(page.next_page_number()) if page.has_next() else "",
    }


def _facets_json(request, facet_views):
    return {
        view.name: [
            {"value": value.value, "label": str(value.label), "count": value.count, "url": request.build_absolute_uri(value.url)}
            for value in view.values
        ]
        for view in facet_views
    }


def _take_away(request, state, results, title, facet_views, filename):
    """The same filtered result as CSV, Atom, BibTeX or RIS; None for HTML and JSON."""
    if state.format == "csv":
        return exports.csv_response(results, request, f"{filename}.csv")
    if state.format == "bibtex":
        return exports.bibtex_response(results, request, f"{filename}.bib")
    if state.format == "ris":
        return exports.ris_response(results, request, f"{filename}.ris")
    if state.format == "atom":
        html_url = request.build_absolute_uri(state.url())
        return exports.atom_response(results[:FEED_SIZE], request, _feed_title(title, state, facet_views), html_url)
    return None


def _list_page(request, model, template, title, noun, **extra):
    """A faceted, searchable, sortable, paginated list, in HTML or any take-away format."""
    facets = LIST_FACETS[model.kind]
    state = PageState(request.GET, request.path, [facet.name for facet in facets])
    parsed = parse_query(state.q)
    text_ids = None if parsed.is_empty else matching_ids(model.kind, parsed)
    faceted = FacetedList(model.objects.published(), facets, state, text_ids)
    results, sort = _sorted(faceted.results.for_listing(), model, state, parsed)

    if state.format in {"csv", "bibtex", "ris", "atom"}:
        # Facet counts are only needed to name the filters in a feed title.
        views = faceted.facet_views(total=0) if state.format == "atom" else []
        return _take_away(request, state, results, title, views, noun + "s")
    page = paginate(results, request.GET, settings.PORTAL_PAGE_SIZE, count=faceted.results.count())
    facet_views = faceted.facet_views(page.paginator.count)
    if state.format == "json":
        return exports.json_response(page, request, _facets_json(request, facet_views))
    context = {
        "page": page,
        "state": state,
        "facets": facet_views,
        "unknown": unknown_values(facet_views),
        "sort": sort,
        "sorts": SORTS,
        "parsed": parsed,
        "noun": noun,
        "title": title,
        "list_url": request.path,
        "feed_title": _feed_title(title, state, facet_views),
        "breadcrumbs": _crumbs((title, None)),
        **_page_links(state, page),
        **extra,
    }
    return render(request, template, context)


def chapter_list(request):
    chapters = Chapter.objects.published().for_listing()
    context = {"chapters": chapters, "breadcrumbs": _crumbs(("Chapters", None))}
    return render(request, "findings/chapter_list.html", context)


def contribution_list(request):
    return _list_page(request, Contribution, "findings/contribution_list.html", "Expert contributions", "contribution")


def topic_list(request):
    return _list_page(
        request, Topic, "findings/topic_list.html", "Topics", "topic", dimensions=Dimension.objects.published()
    )


def finding_list(request):
    return _list_page(request, Finding, "findings/finding_list.html", "Key findings", "finding")


def suggestion_list(request):
    return _list_page(request, Suggestion, "findings/suggestion_list.html", "Suggestions made by experts", "suggestion")


def search(request):
    """Ranked search over every published kind, faceted by kind, tag and chapter."""
    state = PageState(request.GET, request.path, [facet.name for facet in SEARCH_FACETS])
    parsed = parse_query(state.q)
    context = {"state": state, "parsed": parsed, "title": "Search", "breadcrumbs": _crumbs(("Search", None))}
    if parsed.is_empty:
        if state.q:
            state.messages.append("Type at least one word to search for (excluded words alone match nothing).")
        if state.format == "json":  # an empty result, in the shape asked for
            return exports.json_response(paginate([], request.GET, settings.PORTAL_PAGE_SIZE), request, {})
        context["suggested_tags"] = published_tag_counts().order_by("-item_count", "name")[:12]
        return render(request, "findings/search.html", context)

    faceted = FacetedSearch(matching_documents(parsed), state, SEARCHABLE)
    documents = best_first(faceted.results, parsed)
    if state.format in {"csv", "bibtex", "ris", "atom"}:
        views = faceted.facet_views(total=0) if state.format == "atom" else []
        wanted = FEED_SIZE if state.format == "atom" else exports.CSV_ROW_LIMIT + 1  # one more shows a cut
        items = [item for _, item in _items_for(documents[:wanted])]
        response = _take_away(request, state, items, "Search", views, "search")
        if "X-Rows-Truncated" in response.headers:
            response.headers["X-Rows-Truncated"] = str(faceted.results.count())
        return response
    page = paginate(documents, request.GET, settings.PORTAL_PAGE_SIZE, count=faceted.results.count())
    facet_views = faceted.facet_views(page.paginator.count)
    hits = _items_for(page.object_list)  # (document, item) pairs
    if state.format == "json":
        page.object_list = [item for _, item in hits]
        return exports.json_response(page, request, _facets_json(request, facet_views))
    excerpts = highlights(parsed, page.object_list)
    context.update(
        {
            "page": page,
            "hits": [(item, excerpts.get(document.pk)) for document, item in hits],
            "facets": facet_views,
            "unknown": unknown_values(facet_views),
            "did_you_mean": did_you_mean(parsed) if page.paginator.count == 0 else None,
            "list_url": request.path,
            "feed_title": _feed_title("Search", state, facet_views),
            **_page_links(state, page),
            "sorts": {},
        }
    )
    return render(request, "findings/search.html", context)


def _items_for(documents):
    """(document, item) for each search document, in order (one query per kind on the page)."""
    documents = list(documents)
    wanted = {}
    for document in documents:
        wanted.setdefault(document.kind, []).append(document.object_id)
    items = {}
    for kind, ids in wanted.items():
        items.update({(kind, item.pk): item for item in SEARCHABLE[kind].objects.filter(pk__in=ids).for_listing()})
    return [
        (document, items[(document.kind, document.object_id)])
        for document in documents
        if (document.kind, document.object_id) in items
    ]


def tag_list(request):
    by_use = request.GET.get("sort") == "count"
    tags = published_tag_counts()
    if by_use:
        tags = tags.order_by("-item_count", "name")
    context = {"tags": tags, "by_use": by_use, "breadcrumbs": _crumbs(("Tags", None))}
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
    """A detail page: breadcrumbs, "Cite this" (also as BibTeX and RIS), related items and
    previous/next within its parent. Drafts only for curators, as previews."""

    list_name = ""
    list_title = ""
    parent_field = ""  # siblings share it; previous/next follow `order_fields`
    order_fields = ("order",)
    related_count = 5

    def get_queryset(self):
        return self.model.objects.visible_to(self.request.user).for_detail()

    def render_to_response(self, context, **response_kwargs):
        fmt = self.request.GET.get("format")
        if fmt in {"bibtex", "ris"}:
            respond = exports.bibtex_response if fmt == "bibtex" else exports.ris_response
            return respond([self.object], self.request, f"{self.object.kind}-{self.object.slug}.{'bib' if fmt == 'bibtex' else 'ris'}")
        return super().render_to_response(context, **response_kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        obj = self.object
        context["breadcrumbs"] = _crumbs((self.list_title, reverse(self.list_name)), (self.crumb_label(obj), None))
        context["list_url"] = reverse(self.list_name)
        # Anonymous visitors only ever get published items, so this asks nothing of them.
        context["preview"] = (
            self.request.user.is_authenticated and not self.model.objects.published().filter(pk=obj.pk).exists()
        )
        context["citation"] = citation_text(obj, self.request, timezone.localdate())
        context["previous_item"], context["next_item"] = self._neighbours(obj)
        context["related_items"] = self._related(obj)
        return context

    def _neighbours(self, obj):
        """The published items before and after this one under the same parent."""
        siblings = self.model.objects.published().filter(**{self.parent_field: getattr(obj, self.parent_field)})
        key = [getattr(obj, field) for field in self.order_fields] + [obj.pk]
        names = [*self.order_fields, "pk"]
        after, before = Q(), Q()
        for index, name in enumerate(names):
            equal = {names[i]: key[i] for i in range(index)}
            after |= Q(**equal, **{f"{name}__gt": key[index]})
            before |= Q(**equal, **{f"{name}__lt": key[index]})
        previous = siblings.filter(before).order_by(*[f"-{name}" for name in names]).first()
        following = siblings.filter(after).order_by(*names).first()
        return previous, following

    def _related(self, obj):
        """Published items of the same kind that share the most tags with this one."""
        if not hasattr(obj, "tags"):
            return []
        tag_ids = [tag.pk for tag in obj.tags.all()]
        if not tag_ids:
            return []
        return (
            self.model.objects.published()
            .exclude(pk=obj.pk)
            .filter(tags__in=tag_ids)
            .annotate(shared_tags=Count("pk"))
            .order_by("-shared_tags", *self.order_fields, "pk")[: self.related_count]
        )

    def crumb_label(self, obj):
        return _truncate(str(obj))


class ChapterDetailView(_ContentDetailView):
    model = Chapter
    list_name, list_title = "findings:chapter-list", "Chapters"
    parent_field, order_fields = "report", ("number",)

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
    parent_field = "chapter"


class TopicDetailView(_ContentDetailView):
    model = Topic
    list_name, list_title = "findings:topic-list", "Topics"
    parent_field = "chapter"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["finding_list_url"] = reverse("findings:finding-list")
        return context


class FindingDetailView(_ContentDetailView):
    model = Finding
    list_name, list_title = "findings:finding-list", "Key findings"
    parent_field = "topic"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        siblings = self.object.topic.findings.published().exclude(pk=self.object.pk)
        context["siblings"] = siblings[:TAG_PAGE_GROUP_SIZE]
        return context


class SuggestionDetailView(_ContentDetailView):
    model = Suggestion
    list_name, list_title = "findings:suggestion-list", "Suggestions"
    parent_field = "report"


def _truncate(text, length=60):
    return text if len(text) <= length else text[: length - 1].rsplit(" ", 1)[0] + "…"

"""The curators' admin: every content model, searchable and filterable, tags editable."""
from django.contrib import admin
from django.db import models

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


class PortalAdmin(admin.ModelAdmin):
    # Links typed without a scheme are https, as Django 6 will assume.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


class TaggedAdmin(PortalAdmin):
    """Lists tags without a query per row."""

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("tags")

    @admin.display(description="tags")
    def tag_list(self, obj):
        return ", ".join(tag.name for tag in obj.tags.all())


@admin.register(Source)
class SourceAdmin(PortalAdmin):
    list_display = ["title", "kind", "url"]
    list_filter = ["kind"]
    search_fields = ["title", "url", "note"]
    prepopulated_fields = {"slug": ["title"]}


class ReportFactInline(admin.TabularInline):
    model = ReportFact
    extra = 0
    autocomplete_fields = ["source"]


@admin.register(Report)
class ReportAdmin(PortalAdmin):
    list_display = ["title", "year", "publisher"]
    search_fields = ["title", "full_title", "publisher", "isbn", "eisbn"]
    list_filter = ["year"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["source", "identifiers_source"]
    inlines = [ReportFactInline]


class InstitutionalTaskInline(admin.TabularInline):
    model = InstitutionalTask
    extra = 0
    autocomplete_fields = ["source"]


class SlideInline(admin.TabularInline):
    model = Slide
    extra = 0
    autocomplete_fields = ["source"]


@admin.register(Meeting)
class MeetingAdmin(PortalAdmin):
    list_display = ["title", "start_date", "end_date", "presenter"]
    search_fields = ["title", "presentation_title", "presenter", "context", "question"]
    list_filter = ["start_date"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["source"]
    inlines = [InstitutionalTaskInline, SlideInline]


@admin.register(ReportFact)
class ReportFactAdmin(PortalAdmin):
    list_display = ["label", "value", "source"]
    list_select_related = ["source"]
    search_fields = ["label", "value"]
    list_filter = ["source"]
    autocomplete_fields = ["report", "source"]


@admin.register(InstitutionalTask)
class InstitutionalTaskAdmin(PortalAdmin):
    list_display = ["text", "order", "meeting"]
    list_select_related = ["meeting"]
    search_fields = ["text"]
    list_filter = ["meeting"]
    autocomplete_fields = ["meeting", "source"]


@admin.register(Slide)
class SlideAdmin(PortalAdmin):
    list_display = ["number", "title", "lead", "meeting"]
    list_select_related = ["meeting"]
    search_fields = ["title", "lead"]
    list_filter = ["meeting"]
    autocomplete_fields = ["meeting", "source"]


@admin.register(Chapter)
class ChapterAdmin(PortalAdmin):
    list_display = ["number", "title", "report"]
    list_select_related = ["report"]
    search_fields = ["title"]
    list_filter = ["report"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["report", "source"]


@admin.register(Dimension)
class DimensionAdmin(PortalAdmin):
    list_display = ["title", "order", "report"]
    list_select_related = ["report"]
    search_fields = ["title"]
    list_filter = ["report"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["report", "source"]


@admin.register(Author)
class AuthorAdmin(PortalAdmin):
    list_display = ["name", "affiliation"]
    list_filter = ["source"]
    search_fields = ["name", "affiliation"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["source"]


@admin.register(Contribution)
class ContributionAdmin(TaggedAdmin):
    list_display = ["title", "chapter", "order", "tag_list"]
    list_select_related = ["chapter"]
    list_filter = ["chapter", "source", "tags"]
    search_fields = ["title", "summary", "authors__name"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["chapter", "authors", "related_topics", "source"]


@admin.register(Topic)
class TopicAdmin(TaggedAdmin):
    list_display = ["title", "dimension", "chapter", "order", "tag_list"]
    list_select_related = ["dimension", "chapter"]
    list_filter = ["dimension", "chapter", "tags"]
    search_fields = ["title"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["chapter", "dimension", "source"]


@admin.register(Finding)
class FindingAdmin(TaggedAdmin):
    list_display = ["text", "topic", "order", "tag_list"]
    list_select_related = ["topic"]
    list_filter = ["topic", "tags"]
    search_fields = ["text", "topic__title"]
    prepopulated_fields = {"slug": ["text"]}
    autocomplete_fields = ["topic", "source"]


@admin.register(Suggestion)
class SuggestionAdmin(TaggedAdmin):
    list_display = ["text", "order", "tag_list"]
    list_filter = ["related_topics", "tags"]
    search_fields = ["text"]
    prepopulated_fields = {"slug": ["text"]}
    autocomplete_fields = ["report", "related_topics", "source"]

"""The curators' admin: workflow with roles, full history, search, filters and tag editing.

Editors move content between draft and review; only users with the model's
`publish_<model>` permission (the Publishers group) may publish or unpublish,
and the check runs on the submitted form, so a forged request cannot bypass it.
"""
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import model_ngettext
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX
from simple_history.admin import SimpleHistoryAdmin

from . import workflow
from .history import tags_from_string
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
    Status,
    Suggestion,
    Topic,
)
from .resources import resource_for


class TagActionForm(admin.helpers.ActionForm):
    tags = forms.CharField(required=False, label="Tags", help_text="Comma-separated, for the tag actions.")


class CuratedAdmin(ImportExportMixin, SimpleHistoryAdmin):
    """Status in lists and filters, publishing reserved to Publishers, history with revert,
    bulk import and export (findings.resources).

    ImportExportMixin comes first: its change list template extends the one the admin would
    otherwise use, and SimpleHistoryAdmin's history lives on the change form, so both show.
    """

    formats = [CSV, XLSX]

    def __init__(self, model, admin_site):
        super().__init__(model, admin_site)
        self.resource_classes = [resource_for(model)]

    # Links typed without a scheme are https, as Django 6 will assume.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    readonly_fields = ["published_at", "published_by"]
    actions = ["send_to_review", "move_to_draft", "publish", "unpublish"]
    history_list_display = ["status"]

    def get_list_display(self, request):
        return [*super().get_list_display(request), "status"]

    def get_list_filter(self, request):
        return ["status", *super().get_list_filter(request)]

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # Viewing an old version needs view permission; restoring it is a change.
        if request.method == "POST" and not self.has_change_permission(request):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def has_publish_permission(self, request):
        return workflow.can_publish(request.user, self.model)

    def has_import_permission(self, request):
        # An import can both add and change rows (it never deletes them).
        return self.has_add_permission(request) and self.has_change_permission(request)

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def get_import_data_kwargs(self, **kwargs):
        # All or nothing: a row that fails on confirmation undoes the rows before it too.
        return {**super().get_import_data_kwargs(**kwargs), "rollback_on_validation_errors": True}

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            # Only when the content changed between the preview and the confirmation.
            self.message_user(
                request,
                "Nothing was imported: the file no longer passes the checks it passed in the preview. "
                "Import it again to see which rows fail.",
                messages.ERROR,
            )
            return HttpResponseRedirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist"))
        return super().process_result(result, request)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        model, user = self.model, request.user

        class WorkflowForm(form):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                # Reverting to a history entry (or recovering a deleted item) brings its tags back too.
                record = getattr(self.instance, "_history", None)
                if record is not None and "tags" in self.fields:
                    self.initial["tags"] = tags_from_string(record.tag_names)

            def clean_status(self):
                status = self.cleaned_data["status"]
                # Compare with the database, not the form's initial data: a forged or
                # history-revert form carries whatever initial values it likes.
                stored = model._default_manager.filter(pk=self.instance.pk).values_list("status", flat=True).first()
                if not workflow.may_change_status(user, model, stored, status):
                    raise forms.ValidationError(workflow.PUBLISHING_ONLY)
                self._stored_status = stored
                return status

        return WorkflowForm

    def save_model(self, request, obj, form, change):
        stored = getattr(form, "_stored_status", None)
        if obj.status != stored:
            new = obj.status
            obj.status = stored or Status.DRAFT
            workflow.set_status(obj, new, request.user)
        super().save_model(request, obj, form, change)

    def _move(self, request, queryset, status, verb):
        with transaction.atomic():
            moved = list(queryset.select_for_update())
            for obj in moved:
                workflow.set_status(obj, status, request.user)
                obj._change_reason = f"{verb} from the list"
                obj.save()
        self.message_user(request, f"{verb}: {len(moved)} {model_ngettext(self.opts, len(moved))}.", messages.SUCCESS)

    @admin.action(description="Send selected to review", permissions=["change"])
    def send_to_review(self, request, queryset):
        self._guarded_move(request, queryset, Status.REVIEW, "Sent to review")

    @admin.action(description="Move selected back to draft", permissions=["change"])
    def move_to_draft(self, request, queryset):
        self._guarded_move(request, queryset, Status.DRAFT, "Moved to draft")

    @admin.action(description="Publish selected", permissions=["publish"])
    def publish(self, request, queryset):
        self._move(request, queryset, Status.PUBLISHED, "Published")

    @admin.action(description="Unpublish selected (back to review)", permissions=["publish"])
    def unpublish(self, request, queryset):
        self._move(request, queryset.filter(status=Status.PUBLISHED), Status.REVIEW, "Unpublished")

    def _guarded_move(self, request, queryset, status, verb):
        """Editors' moves: refuse the whole action if it would unpublish something."""
        if not self.has_publish_permission(request) and queryset.filter(status=Status.PUBLISHED).exists():
            self.message_user(request, f"Nothing changed. {workflow.PUBLISHING_ONLY}", messages.ERROR)
            return
        self._move(request, queryset, status, verb)


class TaggedAdmin(CuratedAdmin):
    """Lists tags without a query per row; bulk actions add and remove tags."""

    action_form = TagActionForm
    actions = [*CuratedAdmin.actions, "add_tags", "remove_tags"]
    history_list_display = [*CuratedAdmin.history_list_display, "tag_names"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("tags")

    def save_model(self, request, obj, form, change):
        # The form sets the tags after this save: they go into this save's history entry.
        obj._tags_recorded_with_save = True
        super().save_model(request, obj, form, change)

    @admin.display(description="tags")
    def tag_list(self, obj):
        return ", ".join(sorted(tag.name for tag in obj.tags.all()))

    def _tag_names(self, request):
        return [name.strip() for name in request.POST.get("tags", "").split(",") if name.strip()]

    @admin.action(description="Add the tags typed below to selected", permissions=["change"])
    def add_tags(self, request, queryset):
        names = self._tag_names(request)
        if not names:
            self.message_user(request, "Type one or more tags, separated by commas.", messages.ERROR)
            return
        for obj in queryset:
            obj.tags.add(*names)
        self.message_user(request, f"Added {', '.join(names)} to {queryset.count()} items.", messages.SUCCESS)

    @admin.action(description="Remove the tags typed below from selected", permissions=["change"])
    def remove_tags(self, request, queryset):
        names = self._tag_names(request)
        if not names:
            self.message_user(request, "Type one or more tags, separated by commas.", messages.ERROR)
            return
        for obj in queryset:
            obj.tags.remove(*names)
        self.message_user(request, f"Removed {', '.join(names)} from {queryset.count()} items.", messages.SUCCESS)


@admin.register(Source)
class SourceAdmin(CuratedAdmin):
    list_display = ["title", "kind", "url"]
    list_filter = ["kind"]
    search_fields = ["title", "url", "note"]
    prepopulated_fields = {"slug": ["title"]}


class ReportFactInline(admin.TabularInline):
    model = ReportFact
    extra = 0
    autocomplete_fields = ["source"]
    # Status changes go through the fact's own form, where publishing is checked.
    readonly_fields = ["status", "published_at", "published_by"]


@admin.register(Report)
class ReportAdmin(CuratedAdmin):
    list_display = ["title", "year", "publisher"]
    search_fields = ["title", "full_title", "publisher", "isbn", "eisbn"]
    list_filter = ["year"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["source", "identifiers_source"]
    inlines = [ReportFactInline]


@admin.register(Meeting)
class MeetingAdmin(CuratedAdmin):
    list_display = ["title", "start_date", "end_date", "presenter"]
    search_fields = ["title", "presentation_title", "presenter", "context", "question"]
    list_filter = ["start_date"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["source"]


@admin.register(ReportFact)
class ReportFactAdmin(CuratedAdmin):
    list_display = ["label", "value", "source"]
    list_select_related = ["source"]
    search_fields = ["label", "value"]
    list_filter = ["source"]
    autocomplete_fields = ["report", "source"]


@admin.register(InstitutionalTask)
class InstitutionalTaskAdmin(CuratedAdmin):
    list_display = ["text", "order", "meeting"]
    list_select_related = ["meeting"]
    search_fields = ["text"]
    list_filter = ["meeting"]
    autocomplete_fields = ["meeting", "source"]


@admin.register(Slide)
class SlideAdmin(CuratedAdmin):
    list_display = ["number", "title", "lead", "meeting"]
    list_select_related = ["meeting"]
    search_fields = ["title", "lead"]
    list_filter = ["meeting"]
    autocomplete_fields = ["meeting", "source"]


@admin.register(Chapter)
class ChapterAdmin(CuratedAdmin):
    list_display = ["number", "title", "report"]
    list_select_related = ["report"]
    search_fields = ["title"]
    list_filter = ["report"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["report", "source"]


@admin.register(Dimension)
class DimensionAdmin(CuratedAdmin):
    list_display = ["title", "order", "report"]
    list_select_related = ["report"]
    search_fields = ["title"]
    list_filter = ["report"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["report", "source"]


@admin.register(Author)
class AuthorAdmin(CuratedAdmin):
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

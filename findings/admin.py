"""The curators' admin: workflow with roles, full history, search, filters and tag editing.

Editors move content between draft and review; only users with the model's
`publish_<model>` permission (the Publishers group) may publish or unpublish,
and the check runs on the submitted form, so a forged request cannot bypass it.
"""
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import model_ngettext, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Count
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from simple_history.admin import SimpleHistoryAdmin
from taggit.models import Tag

from . import revisions, workflow
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
    Revision,
    Slide,
    Source,
    Status,
    Suggestion,
    Topic,
)
from .resources import resource_for
from .spreadsheets import ImportFileError, SafeCSV, SafeXLSX
from .tagging import parse_tags, tag_string
from .tags import merge_tags


def _nothing_changed(reason):
    return gettext("Nothing changed. %(reason)s") % {"reason": reason}


class TagActionForm(admin.helpers.ActionForm):
    tags = forms.CharField(
        required=False,
        label=_("Tags"),
        help_text=_("For the tag actions. Separate tags with commas; a tag may contain spaces."),
    )


class CuratedAdmin(ImportExportMixin, SimpleHistoryAdmin):
    """Status in lists and filters, publishing reserved to Publishers, history with revert,
    bulk import and export (findings.resources).

    ImportExportMixin comes first: its change list template extends the one the admin would
    otherwise use, and SimpleHistoryAdmin's history lives on the change form, so both show.
    """

    # No cell of either is ever a formula; CSV in Windows-1252 (Excel's) imports too.
    formats = [SafeCSV, SafeXLSX]

    def __init__(self, model, admin_site):
        super().__init__(model, admin_site)
        self.resource_classes = [resource_for(model)]

    # Links typed without a scheme are https, as Django 6 will assume.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    readonly_fields = ["published_at", "published_by"]
    actions = ["send_to_review", "move_to_draft", "publish", "unpublish"]
    history_list_display = ["status"]
    # The versions, and beside them the changes Editors proposed (findings.revisions).
    object_history_template = "admin/findings/object_history.html"

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

    def get_export_data(self, file_format, request, queryset, **kwargs):
        """The file's bytes. As import-export's own, except that it keeps numbers and dates as
        such only in its own XLSX class: a SafeXLSX file gets them too."""
        if not self.has_export_permission(request):
            raise PermissionDenied
        native = isinstance(file_format, SafeXLSX)
        return file_format.export_data(self.get_data_for_export(request, queryset, force_native_type=native, **kwargs))

    def add_data_read_fail_error_to_form(self, form, e):
        """A file that cannot be read says why on the import form (import-export names the exception)."""
        if isinstance(e, ImportFileError):
            form.add_error("import_file", str(e))
        else:
            super().add_data_read_fail_error_to_form(form, e)

    def import_action(self, request, **kwargs):
        """The import form and its preview; a CSV file read as Windows-1252 says so above it."""
        response = super().import_action(request, **kwargs)
        result = (getattr(response, "context_data", None) or {}).get("result")
        if getattr(result, "encoding", None) == "cp1252":
            self.message_user(
                request,
                gettext(
                    "This file is not UTF-8: it was read as Windows-1252 (cp1252), the encoding of Excel’s "
                    "“CSV (Comma delimited)”. Check that accented letters read right in the preview before confirming."
                ),
                messages.WARNING,
            )
        return response

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            # Only when the content changed between the preview and the confirmation.
            self.message_user(
                request,
                gettext(
                    "Nothing was imported: the file no longer passes the checks it passed in the preview. "
                    "Import it again to see which rows fail."
                ),
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
        if change and workflow.must_propose(request.user, self.model, stored):
            # The public keeps the published version until a Publisher publishes this one.
            names = [name for name in form.changed_data if name != "status"]
            proposed = revisions.values_of(self.model, form.cleaned_data, names)
            request._revision = revisions.propose(obj, proposed, request.user)
            return
        if obj.status != stored:
            new = obj.status
            obj.status = stored or Status.DRAFT
            workflow.set_status(obj, new, request.user)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        if not hasattr(request, "_revision"):
            super().save_related(request, form, formsets, change)

    def log_change(self, request, obj, message):
        if not hasattr(request, "_revision"):
            super().log_change(request, obj, message)

    def response_change(self, request, obj):
        revision = getattr(request, "_revision", None)
        if revision is None:
            return super().response_change(request, obj)
        self.message_user(request, self._waiting(revision), messages.WARNING)
        return HttpResponseRedirect(self._change_url(obj))

    def _change_url(self, obj):
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk])

    def _waiting(self, revision):
        return format_html(
            gettext(
                "Your change waits for a Publisher: the public keeps seeing the published version until it is "
                'published. <a href="{url}">See what would change</a>.'
            ),
            url=revision.get_absolute_url(),
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id)) if request.method == "GET" else None
        revision = revisions.pending(obj) if obj is not None else None
        if revision is not None:
            who = revision.proposed_by or gettext("a deleted user")
            self.message_user(
                request,
                format_html(
                    gettext(
                        "{user} proposed a change on {date} that waits for a Publisher. "
                        'Saving this form replaces it. <a href="{url}">See what would change</a>.'
                    ),
                    user=who, date=f"{revision.proposed_at:%Y-%m-%d %H:%M}", url=revision.get_absolute_url(),
                ),
                messages.WARNING,
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        extra = {"revisions": revisions.for_item(obj) if obj is not None else []}
        return super().history_view(request, object_id, {**(extra_context or {}), **extra})

    def get_urls(self):
        opts = self.opts
        name = f"{opts.app_label}_{opts.model_name}_revision"
        view = self.admin_site.admin_view(self.revision_view)
        return [path("<path:object_id>/revision/<int:pk>/", view, name=name), *super().get_urls()]

    def revision_view(self, request, object_id, pk):
        """A proposed change: what differs from the published version; Publishers publish or reject it."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not self.has_view_permission(request, obj):
            raise Http404
        revision = get_object_or_404(revisions.for_item(obj), pk=pk)
        can_publish = self.has_publish_permission(request)
        if request.method == "POST":
            if not can_publish or revision.state != Revision.State.PENDING:
                raise PermissionDenied
            if "reject" in request.POST:
                revisions.reject(revision, request.user)
                self.message_user(request, gettext("Rejected: the published version stays."), messages.SUCCESS)
            else:
                try:
                    revisions.publish(revision, request.user)
                except ValidationError as error:
                    message = gettext("Not published: %(reason)s") % {"reason": " ".join(error.messages)}
                    self.message_user(request, message, messages.ERROR)
                    return HttpResponseRedirect(request.path)
                proposer = revision.proposed_by or gettext("a deleted user")
                message = gettext("Published the change proposed by %(user)s.") % {"user": proposer}
                self.message_user(request, message, messages.SUCCESS)
            return HttpResponseRedirect(self._change_url(obj))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": obj,
            "revision": revision,
            "changes": revisions.changes(revision),
            "can_publish": can_publish,
            "title": gettext("Proposed change to %(item)s") % {"item": obj},
        }
        return TemplateResponse(request, "admin/findings/revision.html", context)

    def _move(self, request, queryset, status, verb):
        """Move the selected items to `status`; `verb` (lazy) says what was done, in the curator's
        language in the message and in English in the history, which every curator reads."""
        with translation.override(settings.LANGUAGE_CODE):
            reason = f"{verb} from the list"
        with transaction.atomic():
            moved = list(queryset.select_for_update())
            for obj in moved:
                workflow.set_status(obj, status, request.user)
                obj._change_reason = reason
                obj.save()
        done = {"verb": verb, "count": len(moved), "items": model_ngettext(self.opts, len(moved))}
        self.message_user(request, gettext("%(verb)s: %(count)s %(items)s.") % done, messages.SUCCESS)

    @admin.action(description=_("Send selected to review"), permissions=["change"])
    def send_to_review(self, request, queryset):
        self._guarded_move(request, queryset, Status.REVIEW, _("Sent to review"))

    @admin.action(description=_("Move selected back to draft"), permissions=["change"])
    def move_to_draft(self, request, queryset):
        self._guarded_move(request, queryset, Status.DRAFT, _("Moved to draft"))

    @admin.action(description=_("Publish selected"), permissions=["publish"])
    def publish(self, request, queryset):
        self._move(request, queryset, Status.PUBLISHED, _("Published"))

    @admin.action(description=_("Unpublish selected (back to review)"), permissions=["publish"])
    def unpublish(self, request, queryset):
        self._move(request, queryset.filter(status=Status.PUBLISHED), Status.REVIEW, _("Unpublished"))

    def _guarded_move(self, request, queryset, status, verb):
        """Editors' moves: refuse the whole action if it would unpublish something."""
        if not self.has_publish_permission(request) and queryset.filter(status=Status.PUBLISHED).exists():
            self.message_user(request, _nothing_changed(workflow.PUBLISHING_ONLY), messages.ERROR)
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

    @admin.display(description=_("tags"))
    def tag_list(self, obj):
        return ", ".join(sorted(tag.name for tag in obj.tags.all()))

    def _tag_names(self, request):
        """The names typed in the action form (findings.tagging); None, with the reason shown, if there are none."""
        try:
            names = parse_tags(request.POST.get("tags", ""))
        except forms.ValidationError as error:
            self.message_user(request, _nothing_changed(" ".join(error.messages)), messages.ERROR)
            return None
        if not names:
            self.message_user(request, gettext("Type one or more tags, separated by commas."), messages.ERROR)
            return None
        return names

    @admin.action(description=_("Add the tags typed below to selected"), permissions=["change"])
    def add_tags(self, request, queryset):
        names = self._tag_names(request)
        if not names:
            return
        proposed = self._change_tags(request, queryset, lambda current: [*current, *names])
        changed = queryset.count() - proposed
        message = ngettext("Added %(tags)s to %(count)s item.", "Added %(tags)s to %(count)s items.", changed)
        self.message_user(request, message % {"tags": tag_string(names), "count": changed}, messages.SUCCESS)

    @admin.action(description=_("Remove the tags typed below from selected"), permissions=["change"])
    def remove_tags(self, request, queryset):
        names = self._tag_names(request)
        if not names:
            return
        # The stored names, whatever case was typed: tags match ignoring case (TAGGIT_CASE_INSENSITIVE).
        stored = [tag.name for name in names for tag in Tag.objects.filter(name__iexact=name)]
        removed = {name.casefold() for name in stored}
        proposed = self._change_tags(
            request, queryset, lambda current: [name for name in current if name.casefold() not in removed]
        )
        changed = queryset.count() - proposed
        message = ngettext("Removed %(tags)s from %(count)s item.", "Removed %(tags)s from %(count)s items.", changed)
        self.message_user(request, message % {"tags": tag_string(names), "count": changed}, messages.SUCCESS)

    def _change_tags(self, request, queryset, change):
        """Give each selected item the tags `change(its tag names)` returns; an Editor's change to a
        published item waits for a Publisher instead. Returns how many waited."""
        waiting = 0
        for obj in queryset:
            current = [tag.name for tag in obj.tags.all()]
            wanted = change(current)
            if workflow.must_propose(request.user, self.model, obj.status):
                pending = revisions.pending(obj)
                base = pending.data.get("tags", current) if pending else current
                revisions.propose_tags(obj, change(base), request.user)
                waiting += 1
            else:
                obj.tags.set(wanted)
        if waiting:
            self.message_user(
                request,
                ngettext(
                    "%(count)s of them is published: the change to its tags waits for a Publisher.",
                    "%(count)s of them are published: the change to their tags waits for a Publisher.",
                    waiting,
                )
                % {"count": waiting},
                messages.WARNING,
            )
        return waiting


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
    autocomplete_fields = ["meeting", "topics", "suggestions", "source"]


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


class MergeTagsForm(admin.helpers.ActionForm):
    name = forms.CharField(
        required=False, max_length=100, label=_("Merge into"), help_text=_("The tag to keep (made if new).")
    )


# The tag vocabulary: renaming a tag rewrites the search rows and history of what carries it;
# merging moves every item onto one tag, and the merged tags' pages redirect to its page.
admin.site.unregister(Tag)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "item_count"]
    search_fields = ["name"]
    ordering = ["name"]
    action_form = MergeTagsForm
    actions = ["merge"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n=Count("taggit_taggeditem_items"))

    @admin.display(description=_("items"), ordering="n")
    def item_count(self, tag):
        return tag.n

    @admin.action(description=_("Merge selected tags into the tag named below"), permissions=["change"])
    def merge(self, request, queryset):
        name = request.POST.get("name", "").strip()
        if not name:
            self.message_user(request, gettext("Type the name of the tag to merge into."), messages.ERROR)
            return
        tags = list(queryset)
        target = merge_tags(tags, name, request.user)
        merged = [tag.name for tag in tags if tag.name != target.name]
        if merged:
            message = gettext("Merged %(tags)s into %(tag)s.") % {"tags": ", ".join(merged), "tag": target.name}
        else:
            message = gettext("Merged nothing into %(tag)s.") % {"tag": target.name}
        self.message_user(request, message, messages.SUCCESS)

"""Bulk import and export of the curated content (django-import-export), for the admin.

A row is found by its slug (or, for kinds without one, by its parent and position); links
are written as the slugs of what they point to and tags as their names, so a file exported
from one database imports into another. Unchanged rows are skipped, so importing an export
again writes nothing. Publishing or unpublishing by import needs the publish permission,
as it does in the admin's forms.

Files are written for spreadsheets (findings.spreadsheets). A large file imports in a few
queries per row: the items, the slugs they link to and the tags are each read once, tags are
written together at the end, and the search rows are rewritten once
(findings.search.index.deferred).
"""
import functools
from collections import defaultdict
from datetime import datetime
from decimal import InvalidOperation

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext
from import_export import fields, resources, widgets
from import_export.instance_loaders import CachedInstanceLoader, ModelInstanceLoader
from taggit.managers import TaggableManager
from taggit.models import Tag

from . import cache, workflow
from .models import InstitutionalTask, ReportFact, Slide
from .search import index
from .spreadsheets import FileError
from .statistics import refresh_statistics
from .tagging import parse_tags, sorted_names, string_from_tags, tag_string

# Items exported per database round trip; their links are read once per chunk.
EXPORT_CHUNK_SIZE = 2000
# Values per `IN (...)` list, well under SQLite's limit on query parameters.
QUERY_CHUNK_SIZE = 900
# An import that writes this many rows refreshes the planner's statistics (findings.statistics).
STATISTICS_AFTER = 1000


class _PreviewOnly(Exception):
    def __init__(self, result):
        super().__init__()
        self.result = result


class SlugWidget(widgets.ForeignKeyWidget):
    """A link written as the slug of the item it points to; an unknown slug is a row error.

    Each item linked to is read once per file (by its slug from a row, or by primary key for
    many rows at once, `read`), not once per row."""

    def __init__(self, model):
        super().__init__(model, field="slug")
        self._by_slug, self._by_pk = {}, {}

    def clean(self, value, row=None, **kwargs):
        if value not in self._by_slug:
            try:
                item = super().clean(value, row, **kwargs)
            except self.model.DoesNotExist:
                raise ValueError(_no_such(self.model, f"“{value}”")) from None
            self._by_slug[value] = item
            if item is not None:
                self._by_pk[item.pk] = item
        return self._by_slug[value]

    def read(self, pks):
        """Read, in one query, the items of these primary keys not read yet."""
        missing = {pk for pk in pks if pk is not None} - self._by_pk.keys()
        if missing:
            self._by_pk.update(self.model._default_manager.in_bulk(missing))

    def by_pk(self, pk):
        if pk is not None and pk not in self._by_pk:
            self.read([pk])
        return self._by_pk.get(pk)


class LinkField(fields.Field):
    """A foreign key, written as the slug of the item it points to (SlugWidget).

    Its value is read from the instance's key and the items the widget has read, so that
    rows need not carry (and import-export need not copy, row by row) the linked items."""

    def __init__(self, name, model):
        super().__init__(attribute=name, column_name=name, widget=SlugWidget(model))
        self.key = f"{name}_id"

    def get_value(self, instance):
        return self.widget.by_pk(getattr(instance, self.key))

    def read_links(self, items):
        self.widget.read(getattr(item, self.key) for item in items)


class SlugsWidget(widgets.ManyToManyWidget):
    """Several links as comma-separated slugs; an unknown slug is a row error."""

    def __init__(self, model):
        super().__init__(model, separator=",", field="slug")

    def clean(self, value, row=None, **kwargs):
        found = super().clean(value, row, **kwargs)
        missing = {slug.strip() for slug in str(value or "").split(",") if slug.strip()} - {item.slug for item in found}
        if missing:
            raise ValueError(_no_such(self.model, ", ".join(f"“{slug}”" for slug in sorted(missing))))
        return found

    def render(self, value, obj=None, **kwargs):
        return ", ".join(sorted(item.slug for item in value.all())) if value is not None else ""


class TagsWidget(widgets.Widget):
    """Tag names as the admin's tag field writes them (findings.tagging): `Data, "Health, education"`."""

    def clean(self, value, row=None, **kwargs):
        try:
            return sorted_names(parse_tags(value))
        except ValidationError as error:
            raise ValueError(" ".join(error.messages)) from None

    def render(self, value, obj=None, **kwargs):
        return tag_string(value or [])


class TagsField(fields.Field):
    """An item's tags, by name; a name no item has yet becomes a new tag.

    import-export sets many-to-many fields by primary key, which a new tag name does not
    have yet; so the names read from a row wait on the instance, where the comparison with
    the stored tags (to skip unchanged rows) finds them, and are written with those of the
    other rows once every row is saved (CuratedResource.after_import).

    The stored names are read for many items at once (`read_stored`): taggit's own
    prefetch builds a filtered queryset per item, which costs more than the row itself.
    """

    def __init__(self, name):
        super().__init__(attribute=name, column_name=name, widget=TagsWidget())

    @property
    def _pending(self):
        return f"_imported_{self.attribute}"

    @property
    def _stored(self):
        return f"_stored_{self.attribute}"

    def get_value(self, instance):
        for names in (self._pending, self._stored):
            if hasattr(instance, names):
                return getattr(instance, names)
        if instance.pk is None:
            return []
        return sorted_names(tag.name for tag in getattr(instance, self.attribute).all())

    def save(self, instance, row, is_m2m=False, **kwargs):
        setattr(instance, self._pending, self.clean(row))

    def pending(self, instance):
        """The names read from the row for `instance`, or None if its row says nothing of tags."""
        return getattr(instance, self._pending, None)

    def read_stored(self, model, items):
        """Read the tag names of `items` (saved instances of `model`) for get_value, in one query per chunk."""
        through = getattr(model, self.attribute).through
        content_type = ContentType.objects.get_for_model(model)
        names = defaultdict(list)
        for chunk in _chunks(item.pk for item in items):
            links = through.objects.filter(content_type=content_type, object_id__in=chunk)
            for item, name in links.values_list("object_id", "tag__name"):
                names[item].append(name)
        for item in items:
            setattr(item, self._stored, sorted_names(names[item.pk]))


class IntegerWidget(widgets.IntegerWidget):
    """Whole numbers; other text is an error on its column, not a failure of the whole row."""

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except InvalidOperation:
            raise ValueError(gettext("“%(value)s” is not a whole number.") % {"value": value}) from None


class DateWidget(widgets.DateWidget):
    """Dates; spreadsheets give them back as datetimes at midnight, which would never compare equal."""

    def clean(self, value, row=None, **kwargs):
        value = super().clean(value, row, **kwargs)
        return value.date() if isinstance(value, datetime) else value


SHARED_LAST = ("source", "source_note", "status")


class ItemsLoader(CachedInstanceLoader):
    """The file's items in one query (CachedInstanceLoader), then their tags and what they link to in a few more."""

    def __init__(self, resource, dataset=None):
        super().__init__(resource, dataset)
        resource.read_related(list(self.all_instances.values()))


class CuratedResource(resources.ModelResource):
    """Rows by slug, links by slug, tags by name; publishing needs the publish permission."""

    WIDGETS_MAP = {
        **resources.ModelResource.WIDGETS_MAP,
        **{
            field_type: IntegerWidget
            for field_type, widget in resources.ModelResource.WIDGETS_MAP.items()
            if widget is widgets.IntegerWidget
        },
        # An empty spreadsheet cell reads as None; text fields store "".
        "TextField": widgets.CharWidget,
        "DateField": DateWidget,
    }

    class Meta:
        import_id_fields = ["slug"]
        # Who published and when follow from the status and the importing user.
        exclude = ["id", "published_at", "published_by"]
        skip_unchanged = True
        report_skipped = True
        # Model validation (blank required fields, choices, unique slugs) makes a row error.
        clean_model_instances = True
        # All the rows' items in one query, rather than one per row (kinds found by slug).
        instance_loader_class = ItemsLoader

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._saved = []  # (instance, new) of the rows saved, for after_import
        self._rows_by_item = {}  # {values of the import id fields: the first row about that item}
        self._export_fields = None  # (selected fields, fields): worked out once per export
        self._import_fields = None

    @classmethod
    def field_from_django_field(cls, field_name, django_field, readonly):
        if isinstance(django_field, TaggableManager):
            return TagsField(field_name)
        if django_field.many_to_one:
            return LinkField(field_name, django_field.related_model)
        if django_field.many_to_many:
            widget = SlugsWidget(django_field.related_model)
            return fields.Field(attribute=field_name, column_name=field_name, widget=widget)
        return super().field_from_django_field(field_name, django_field, readonly)

    def get_export_order(self):
        return self._reading_order(super().get_export_order())

    def get_import_order(self):
        return self._reading_order(super().get_import_order())

    def get_import_fields(self):
        # Asked for several times per row; they do not change while a file is read.
        if self._import_fields is None:
            self._import_fields = super().get_import_fields()
        return self._import_fields

    def _reading_order(self, names):
        """What finds the row, then the kind's own fields, then the source and status all kinds share."""
        identity = self.get_import_id_fields()
        shared = [name for name in SHARED_LAST if name in names]
        own = [name for name in names if name not in identity and name not in shared]
        return (*identity, *own, *shared)

    def tag_fields(self):
        return [field for field in self.fields.values() if isinstance(field, TagsField)]

    def _many_to_many(self):
        return [field.attribute for field in self.fields.values() if isinstance(field.widget, widgets.ManyToManyWidget)]

    def read_related(self, items):
        """Read what the rows of `items` show of other tables: their tags and the items their
        foreign keys point to, in a few queries for all of them (their many-to-many links
        are prefetched with them)."""
        for field in self.fields.values():
            if isinstance(field, LinkField):
                field.read_links(items)
            elif isinstance(field, TagsField):
                field.read_stored(self._meta.model, items)
        return items

    def get_queryset(self):
        """The items to import into (ItemsLoader then reads what they link to)."""
        return super().get_queryset().prefetch_related(*self._many_to_many())

    def iter_queryset(self, queryset):
        """The exported items, EXPORT_CHUNK_SIZE at a time, each chunk with what it links to read at once."""
        if not isinstance(queryset, QuerySet):
            yield from queryset
            return
        # The admin's list selects and prefetches through Django and taggit, one object per row
        # and link: read_related reads each linked item once.
        items = queryset.select_related(None).prefetch_related(None).prefetch_related(*self._many_to_many())
        chunk = []
        for item in items.iterator(chunk_size=EXPORT_CHUNK_SIZE):
            chunk.append(item)
            if len(chunk) == EXPORT_CHUNK_SIZE:
                yield from self.read_related(chunk)
                chunk = []
        yield from self.read_related(chunk)

    def export_resource(self, instance, selected_fields=None, **kwargs):
        """One exported row. As import-export's, but which fields (and which of them have a
        `dehydrate_` method) is worked out once per export rather than for every row."""
        key = tuple(selected_fields or ())
        if self._export_fields is None or self._export_fields[0] != key:
            export_fields = self.get_export_fields(selected_fields)
            self._export_fields = (key, [(field, self._dehydrate_method(field)) for field in export_fields])
        return [
            method(instance) if method else field.export(instance, **kwargs)
            for field, method in self._export_fields[1]
        ]

    def _dehydrate_method(self, field):
        method = field.get_dehydrate_method(self.get_field_name(field))
        return method if callable(method) else getattr(self, method, None)

    def required_columns(self):
        """The columns a file must have: what finds a row, and every field a new item needs."""
        model = self._meta.model
        needed = set(self.get_import_id_fields())
        for field in self.get_import_fields():
            try:
                model_field = model._meta.get_field(field.attribute)
            except FieldDoesNotExist:  # a column of the resource's own
                continue
            if model_field.concrete and not model_field.many_to_many and not model_field.blank:
                if not model_field.has_default():
                    needed.add(field.column_name)
        return [field.column_name for field in self.get_import_fields() if field.column_name in needed]

    def import_data(self, dataset, **kwargs):
        """Import the rows, unless the file lacks a column every row needs (then nothing is read)."""
        headers = [str(name) for name in dataset.headers or [] if name is not None]
        required = self.required_columns()
        missing = [name for name in required if name not in headers]
        if missing:
            result = self.get_result_class()()
            result.append_base_error(FileError(_missing_columns(self._meta.model, missing, required, headers)))
            return result
        result = super().import_data(dataset, **kwargs)
        result.encoding = getattr(dataset, "encoding", None)
        return result

    def import_data_inner(self, dataset, dry_run, *args, **kwargs):
        """The rows, in the import's transaction; the search rows they change are rewritten
        once, at the end, in the same transaction. A preview (dry run) is rolled back: its
        search rows are not rewritten at all."""
        try:
            with index.deferred():
                result = super().import_data_inner(dataset, dry_run, *args, **kwargs)
                if dry_run:
                    raise _PreviewOnly(result)  # deferred() drops the pending rewrites on the way out
        except _PreviewOnly as preview:
            result = preview.result
        return result

    def import_instance(self, instance, row, **kwargs):
        """Read the row; collect link errors and refuse a status change the user may not make."""
        stored = instance.status
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        # import-export reads many-to-many columns only after saving; check their slugs now,
        # so an unknown one is reported with the row's other errors in the preview.
        for field in self.get_import_fields():
            if isinstance(field.widget, widgets.ManyToManyWidget) and field.column_name in row:
                try:
                    field.clean(row)
                except ValueError as error:
                    errors.setdefault(field.attribute, []).append(ValidationError(str(error)))

        self._check_named_once(instance, kwargs.get("row_number"), errors)
        wanted = instance.status
        user = kwargs.get("user")
        if not workflow.may_change_status(user, self._meta.model, stored, wanted):
            errors.setdefault("status", []).append(ValidationError(
                gettext(
                    "Row %(row)s changes the status from “%(stored)s” to “%(wanted)s”: "
                    "only Publishers can publish or unpublish. Send it to review instead."
                ) % {"row": kwargs.get("row_number"), "stored": stored, "wanted": wanted}
            ))
        if errors:
            raise ValidationError(errors)
        instance.status = stored
        workflow.set_status(instance, wanted, user)
        # Read by validate_instance, which import-export calls only for a row that changes something.
        instance._import_row = (kwargs.get("row_number"), stored, user)

    def _check_named_once(self, instance, row_number, errors):
        """A second row about the same item is an error (rather than a duplicate the database refuses)."""
        id_fields = [self.fields[name] for name in self.get_import_id_fields()]
        key = tuple(getattr(instance, field.attribute) for field in id_fields)
        first = self._rows_by_item.setdefault(key, row_number)
        if first != row_number:
            named = ", ".join(f"{field.column_name} “{field.export(instance)}”" for field in id_fields)
            errors.setdefault(id_fields[0].attribute, []).append(ValidationError(
                gettext(
                    "Rows %(first)s and %(row)s are both about the %(model)s with %(named)s: "
                    "a file names each item once."
                )
                % {"first": first, "row": row_number, "model": self._meta.model._meta.verbose_name, "named": named}
            ))

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """Model validation, as import-export's (full_clean), without two queries per row
        that the import has already answered for the whole file:

        - a link that SlugWidget found in the database is not looked up again (a missing
          link, None, is still an error on its column);
        - the columns that find the row are not checked for uniqueness: the loader looked for
          every item of the file by them, so no other item has them, and an item named twice
          in the file is refused by `_check_named_once`.
        """
        if not self._meta.clean_model_instances:
            return super().validate_instance(instance, import_validation_errors, validate_unique)
        errors = dict(import_validation_errors or {})
        found = [
            field.attribute
            for field in self.get_import_fields()
            if isinstance(field, LinkField) and getattr(instance, field.key) is not None
        ]
        try:
            instance.full_clean(exclude=[*errors, *found], validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if validate_unique:
            identity = {self.fields[name].attribute for name in self.get_import_id_fields()}
            for check in (instance.validate_unique, instance.validate_constraints):
                try:
                    check(exclude={*errors, *identity})
                except ValidationError as error:
                    errors = error.update_error_dict(errors)
        errors = self._check_published_unchanged(instance, errors)
        if errors:
            raise ValidationError(errors)

    def _check_published_unchanged(self, instance, errors):
        """An Editor's row that changes a published item is refused: such a change waits for a
        Publisher (findings.revisions), which the item's form offers and an import cannot."""
        row_number, stored, user = getattr(instance, "_import_row", (None, None, None))
        if instance.pk is not None and workflow.must_propose(user, self._meta.model, stored):
            errors = {**errors, NON_FIELD_ERRORS: [ValidationError(
                gettext(
                    "Row %(row)s changes a published %(model)s: only Publishers can change published items by "
                    "import. Change it in its form instead, where the change waits for a Publisher."
                ) % {"row": row_number, "model": self._meta.model._meta.verbose_name}
            )]}
        return errors

    def before_save_instance(self, instance, row, **kwargs):
        instance._change_reason = f"Imported from {kwargs.get('file_name') or 'a file'}"

    def save_instance(self, instance, is_create, row, **kwargs):
        """Save the row's item; its history entry is written with the other rows', tags and all (after_import)."""
        instance.skip_history_when_saving = True
        try:
            super().save_instance(instance, is_create, row, **kwargs)
        finally:
            del instance.skip_history_when_saving
        if kwargs.get("using_transactions") or not kwargs.get("dry_run"):  # as import-export saves
            self._saved.append((instance, is_create))

    def after_import(self, dataset, result, **kwargs):
        """Every saved row's tags, then its history entry with them: a few queries for the whole file."""
        if self._saved:
            cache.bump()  # the tags below are written without signals
            tags_by_pk = self._save_tags()
            self._record_history(tags_by_pk, kwargs.get("user"))
            if len(self._saved) >= STATISTICS_AFTER and not kwargs.get("dry_run"):
                refresh_statistics()
            self._saved = []
        super().after_import(dataset, result, **kwargs)

    def _save_tags(self):
        """Give every saved row the tags its file says: {pk: [Tag]} of the rows that say some.

        Written directly to taggit's table, where taggit's manager would take some ten queries
        per row. Its m2m_changed signals are not sent: the two things they keep are the history
        entry's tags (_record_history) and the item's search row, which the import's deferred
        index rewrites anyway for every saved item.
        """
        model = self._meta.model
        tags_by_pk = {}
        for field in self.tag_fields():
            # A later row for the same item wins.
            pending = ((instance.pk, field.pending(instance)) for instance, _ in self._saved)
            names_by_pk = {pk: names for pk, names in pending if names is not None}
            tags = _tags_named({name for names in names_by_pk.values() for name in names})
            field_tags = {pk: [tags[name] for name in names] for pk, names in names_by_pk.items()}
            _link_tags(getattr(model, field.attribute).through, model, field_tags)
            tags_by_pk.update(field_tags)
        return tags_by_pk

    def _record_history(self, tags_by_pk, user):
        """One history entry per saved row, as a save would have written it, with the row's tags."""
        model = self._meta.model
        if not hasattr(model, "history"):
            return
        tag_fields = self.tag_fields()
        groups = defaultdict(list)  # {(new, tag names): instances}: one bulk insert each
        for instance, new in self._saved:
            if instance.pk in tags_by_pk:
                names = string_from_tags(tags_by_pk[instance.pk])
            else:
                names = ", ".join(tag_string(field.get_value(instance)) for field in tag_fields)
            groups[new, names].append(instance)
        for (new, names), instances in groups.items():
            model.history.bulk_history_create(
                instances, update=not new, default_user=user, custom_historical_attrs={"tag_names": names}
            )


def _missing_columns(model, missing, required, headers):
    quoted = ", ".join(f"“{name}”" for name in missing)
    found = ", ".join(f"“{name}”" for name in headers[:12]) or gettext("none")
    return gettext(
        "The file has no column %(missing)s, so nothing was imported. A file of %(models)s needs the columns "
        "%(required)s (its first line names them); the columns of this file are %(found)s. Export the list to "
        "get a file with every column."
    ) % {"missing": quoted, "models": model._meta.verbose_name_plural, "required": ", ".join(required), "found": found}


def _no_such(model, slugs):
    """The error for slugs of `model` that name nothing."""
    message = gettext("There is no %(model)s with the slug %(slugs)s.")
    return message % {"model": model._meta.verbose_name, "slugs": slugs}


def _chunks(values, size=QUERY_CHUNK_SIZE):
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _tags_named(names):
    """{name: Tag} for `names`, making the tags that do not exist yet; a name matches a tag
    whatever its case, as taggit matches it (TAGGIT_CASE_INSENSITIVE)."""
    tags = {}
    for chunk in _chunks(names):
        tags.update((tag.name, tag) for tag in Tag.objects.filter(name__in=chunk))
    for name in sorted(names - tags.keys()):
        tags[name] = Tag.objects.filter(name__iexact=name).order_by("pk").first() or Tag.objects.create(name=name)
    return tags


def _link_tags(through, model, tags_by_pk):
    """Make each item's tags (by pk) exactly the Tag objects given: add the missing links, remove the others."""
    content_type = ContentType.objects.get_for_model(model)
    stored = defaultdict(dict)  # {pk: {tag pk: link pk}}
    for chunk in _chunks(tags_by_pk):
        links = through.objects.filter(content_type=content_type, object_id__in=chunk)
        for link, item, tag in links.values_list("pk", "object_id", "tag_id"):
            stored[item][tag] = link
    added, removed = [], []
    for pk, tags in tags_by_pk.items():
        wanted = {tag.pk for tag in tags}
        added += [through(content_type=content_type, object_id=pk, tag_id=tag) for tag in wanted - stored[pk].keys()]
        removed += [link for tag, link in stored[pk].items() if tag not in wanted]
    for chunk in _chunks(removed):
        through.objects.filter(pk__in=chunk).delete()
    through.objects.bulk_create(added, batch_size=QUERY_CHUNK_SIZE)


# Kinds whose rows are found by their parent and position rather than by a slug.
IMPORT_ID_FIELDS = {
    ReportFact: ["report", "order"],
    InstitutionalTask: ["meeting", "order"],
    Slide: ["meeting", "number"],
}


@functools.cache
def resource_for(model):
    """The import and export resource of one kind curators edit."""
    import_id_fields = IMPORT_ID_FIELDS.get(model, ["slug"])
    meta = type("Meta", (), {
        "model": model,
        "import_id_fields": import_id_fields,
        # ItemsLoader finds rows by one column only.
        "instance_loader_class": ItemsLoader if len(import_id_fields) == 1 else ModelInstanceLoader,
    })
    return type(f"{model.__name__}Resource", (CuratedResource,), {"Meta": meta, "__module__": __name__})

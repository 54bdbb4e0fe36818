"""Bulk import and export of the curated content (django-import-export), for the admin.

A row is found by its slug (or, for kinds without one, by its parent and position); links
are written as the slugs of what they point to and tags as their names, so a file exported
from one database imports into another. Unchanged rows are skipped, so importing an export
again writes nothing. Publishing or unpublishing by import needs the publish permission,
as it does in the admin's forms.
"""
import functools
from datetime import datetime
from decimal import InvalidOperation

from django.core.exceptions import ValidationError
from import_export import fields, resources, widgets
from taggit.managers import TaggableManager

from . import workflow
from .models import InstitutionalTask, ReportFact, Slide


class SlugWidget(widgets.ForeignKeyWidget):
    """A link written as the slug of the item it points to; an unknown slug is a row error."""

    def __init__(self, model):
        super().__init__(model, field="slug")

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except self.model.DoesNotExist:
            raise ValueError(f"There is no {self.model._meta.verbose_name} with the slug “{value}”.") from None


class SlugsWidget(widgets.ManyToManyWidget):
    """Several links as comma-separated slugs; an unknown slug is a row error."""

    def __init__(self, model):
        super().__init__(model, separator=",", field="slug")

    def clean(self, value, row=None, **kwargs):
        found = super().clean(value, row, **kwargs)
        missing = set(_split_names(value)) - {item.slug for item in found}
        if missing:
            names = ", ".join(f"“{slug}”" for slug in sorted(missing))
            raise ValueError(f"There is no {self.model._meta.verbose_name} with the slug {names}.")
        return found

    def render(self, value, obj=None, **kwargs):
        return ", ".join(sorted(item.slug for item in value.all())) if value is not None else ""


class TagsWidget(widgets.Widget):
    """Tag names separated by commas, as the admin's tag actions read them."""

    def clean(self, value, row=None, **kwargs):
        return sorted(set(_split_names(value)), key=str.casefold)

    def render(self, value, obj=None, **kwargs):
        return ", ".join(value or [])


class TagsField(fields.Field):
    """An item's tags, by name; a name no item has yet becomes a new tag.

    import-export sets many-to-many fields by primary key, which a new tag name does not
    have yet; so the names read from a row wait on the instance, where the comparison with
    the stored tags (to skip unchanged rows) finds them, and are set once the row is saved.
    """

    def __init__(self, name):
        super().__init__(attribute=name, column_name=name, widget=TagsWidget())

    @property
    def _pending(self):
        return f"_imported_{self.attribute}"

    def get_value(self, instance):
        if hasattr(instance, self._pending):
            return getattr(instance, self._pending)
        if instance.pk is None:
            return []
        # `.all()`, not `.names()`: it uses the tags the admin's export queryset prefetched.
        return sorted((tag.name for tag in getattr(instance, self.attribute).all()), key=str.casefold)

    def save(self, instance, row, is_m2m=False, **kwargs):
        names = self.clean(row)
        if is_m2m:
            getattr(instance, self.attribute).set(names)
        else:
            setattr(instance, self._pending, names)


class IntegerWidget(widgets.IntegerWidget):
    """Whole numbers; other text is an error on its column, not a failure of the whole row."""

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except InvalidOperation:
            raise ValueError(f"“{value}” is not a whole number.") from None


class DateWidget(widgets.DateWidget):
    """Dates; spreadsheets give them back as datetimes at midnight, which would never compare equal."""

    def clean(self, value, row=None, **kwargs):
        value = super().clean(value, row, **kwargs)
        return value.date() if isinstance(value, datetime) else value


SHARED_LAST = ("source", "source_note", "status")


def _split_names(value):
    return [name.strip() for name in str(value or "").split(",") if name.strip()]


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

    @classmethod
    def field_from_django_field(cls, field_name, django_field, readonly):
        if isinstance(django_field, TaggableManager):
            return TagsField(field_name)
        if django_field.many_to_many:
            widget = SlugsWidget(django_field.related_model)
        elif django_field.many_to_one:
            widget = SlugWidget(django_field.related_model)
        else:
            return super().field_from_django_field(field_name, django_field, readonly)
        return fields.Field(attribute=field_name, column_name=field_name, widget=widget)

    def get_export_order(self):
        return self._reading_order(super().get_export_order())

    def get_import_order(self):
        return self._reading_order(super().get_import_order())

    def _reading_order(self, names):
        """What finds the row, then the kind's own fields, then the source and status all kinds share."""
        identity = self.get_import_id_fields()
        shared = [name for name in SHARED_LAST if name in names]
        own = [name for name in names if name not in identity and name not in shared]
        return (*identity, *own, *shared)

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

        wanted = instance.status
        user = kwargs.get("user")
        if not workflow.may_change_status(user, self._meta.model, stored, wanted):
            errors.setdefault("status", []).append(ValidationError(
                f"Row {kwargs.get('row_number')} changes the status from “{stored}” to “{wanted}”: "
                "only Publishers can publish or unpublish. Send it to review instead."
            ))
        if errors:
            raise ValidationError(errors)
        instance.status = stored
        workflow.set_status(instance, wanted, user)

    def before_save_instance(self, instance, row, **kwargs):
        instance._change_reason = f"Imported from {kwargs.get('file_name') or 'a file'}"
        # One history entry for the row, tags included: see save_m2m and findings.history.
        instance._tags_recorded_with_save = True

    def save_m2m(self, instance, row, **kwargs):
        """Set links, then tags, once the row's instance is saved."""
        super().save_m2m(instance, row, **kwargs)
        tag_fields = [field for field in self.get_import_fields() if isinstance(field, TagsField)]
        if not tag_fields or (kwargs.get("dry_run") and not kwargs.get("using_transactions")):
            return
        for field in tag_fields:
            self.import_field(field, instance, row, is_m2m=True)


# Kinds whose rows are found by their parent and position rather than by a slug.
IMPORT_ID_FIELDS = {
    ReportFact: ["report", "order"],
    InstitutionalTask: ["meeting", "order"],
    Slide: ["meeting", "number"],
}


@functools.cache
def resource_for(model):
    """The import and export resource of one kind curators edit."""
    meta = type("Meta", (), {"model": model, "import_id_fields": IMPORT_ID_FIELDS.get(model, ["slug"])})
    return type(f"{model.__name__}Resource", (CuratedResource,), {"Meta": meta, "__module__": __name__})

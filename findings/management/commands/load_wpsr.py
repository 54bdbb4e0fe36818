"""Load the WPSR 2023 content into an empty database, and never over existing content."""
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.base import DeserializationError
from django.db import DatabaseError, transaction

from findings.history import recorded_tags
from findings.models import Chapter, Contribution, Curated, Finding, Report, Source, Suggestion, Topic
from findings.search.index import rebuild_index
from findings.statistics import refresh_statistics

FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "wpsr2023.json"
CONTENT_MODELS = [Source, Report, Chapter, Contribution, Topic, Finding, Suggestion]


class Command(BaseCommand):
    help = "Load the WPSR 2023 fixtures into an empty database; refuse if content already exists."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing (and succeed) when the database already has content, as `make run` does.",
        )
        parser.add_argument("--fixture", default=str(FIXTURE), help="Fixture file to load.")

    def handle(self, *args, fixture, if_empty, **options):
        existing = [_counted(model) for model in CONTENT_MODELS if model.objects.exists()]
        if existing:
            summary = ", ".join(existing)
            message = f"The database already has content ({summary}); nothing was loaded, so no edit is lost."
            if if_empty:
                self.stdout.write(message)
                return
            raise CommandError(message + " Load into an empty database instead.")

        _validate_fixture(Path(fixture))
        try:
            # One transaction: if anything fails, nothing of the file stays.
            with transaction.atomic():
                call_command("loaddata", fixture, verbosity=0)
                _record_initial_history(Path(fixture).name)
                rebuild_index()
            refresh_statistics()
        except (DatabaseError, DeserializationError) as error:
            raise CommandError(f"{fixture}: nothing was loaded. {error}") from error
        counts = ", ".join(_counted(model) for model in CONTENT_MODELS)
        self.stdout.write(self.style.SUCCESS(f"Loaded WPSR 2023 content: {counts}."))


def _counted(model):
    """"1 report", "8 sources"."""
    count = model.objects.count()
    return f"{count} {model._meta.verbose_name if count == 1 else model._meta.verbose_name_plural}"


def _record_initial_history(fixture_name):
    """loaddata bypasses the history signals; give every loaded item its first history entry."""
    reason = f"Loaded from {fixture_name}"
    for model in apps.get_app_config("findings").get_models():
        if not issubclass(model, Curated):
            continue
        if not hasattr(model, "tags"):
            model.history.bulk_history_create(model.objects.all(), default_change_reason=reason)
            continue
        for obj in model.objects.prefetch_related("tags"):
            model.history.bulk_history_create(
                [obj], default_change_reason=reason, custom_historical_attrs={"tag_names": recorded_tags(obj)}
            )


def _validate_fixture(path: Path):
    """Check every record before writing any, so an error names its record on every database."""
    try:
        with path.open() as stream:
            records = list(serializers.deserialize("json", stream, handle_forward_references=True))
    except (OSError, DeserializationError) as error:
        raise CommandError(f"{path}: nothing was loaded. {error}") from error

    present = {(record.object._meta.label_lower, record.object.pk) for record in records}
    for number, record in enumerate(records, 1):
        obj = record.object
        name = f"record {number} ({obj._meta.label_lower} pk={obj.pk})"
        references = [
            (field.name, field.related_model, getattr(obj, field.attname))
            for field in obj._meta.concrete_fields
            if field.is_relation
        ]
        references += [
            (name_, obj._meta.get_field(name_).related_model, pk)
            for name_, pks in (record.m2m_data or {}).items()
            for pk in pks
        ]
        for field_name, model, pk in references:
            if pk is None or (model._meta.label_lower, pk) in present:
                continue
            if not model._default_manager.filter(pk=pk).exists():
                raise CommandError(
                    f"{path}: nothing was loaded. In {name}, {field_name}={pk!r} refers to a "
                    f"{model._meta.label_lower} that is neither in the file nor in the database."
                )
        try:
            obj.full_clean(
                exclude=[field.name for field in obj._meta.concrete_fields if field.is_relation],
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as error:
            raise CommandError(f"{path}: nothing was loaded. In {name}: {error.message_dict}") from error
    _check_unique_slugs(path, records)


def _check_unique_slugs(path, records):
    seen = {}
    for number, record in enumerate(records, 1):
        slug = getattr(record.object, "slug", None)
        if slug is None:
            continue
        key = (record.object._meta.label_lower, slug)
        if key in seen:
            raise CommandError(
                f"{path}: nothing was loaded. Record {number} ({key[0]} pk={record.object.pk}) "
                f"repeats the slug {slug!r} of record {seen[key]}."
            )
        seen[key] = number



"""Load the WPSR 2023 content into an empty database, and never over existing content."""
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from findings.models import Chapter, Contribution, Finding, Report, Source, Suggestion, Topic

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
        existing = {model._meta.verbose_name_plural: model.objects.count() for model in CONTENT_MODELS}
        existing = {name: count for name, count in existing.items() if count}
        if existing:
            summary = ", ".join(f"{count} {name}" for name, count in existing.items())
            message = f"The database already has content ({summary}); nothing was loaded, so no edit is lost."
            if if_empty:
                self.stdout.write(message)
                return
            raise CommandError(message + " Load into an empty database instead.")
        # loaddata runs in one transaction: a bad record rolls back the whole file and is named.
        with transaction.atomic():
            call_command("loaddata", fixture, verbosity=0)
        counts = ", ".join(f"{model.objects.count()} {model._meta.verbose_name_plural}" for model in CONTENT_MODELS)
        self.stdout.write(self.style.SUCCESS(f"Loaded WPSR 2023 content: {counts}."))

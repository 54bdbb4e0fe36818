"""Export the whole curated content as a JSON fixture that `load_wpsr --fixture` loads into an empty database."""
from pathlib import Path

from django.apps import apps
from django.core import serializers
from django.core.management.base import BaseCommand
from taggit.models import Tag, TaggedItem

from findings.models import Curated


def content_models():
    """Every kind curators edit (not django-simple-history's Historical* copies), then the tags."""
    curated = [model for model in apps.get_app_config("findings").get_models() if issubclass(model, Curated)]
    return [*curated, Tag, TaggedItem]


class Command(BaseCommand):
    help = "Write all the curated content, tags included, as a JSON fixture (to a file or stdout)."

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", help="File to write; standard output without it.")

    def handle(self, *args, output, **options):
        objects = list(_objects())
        data = serializers.serialize(
            "json",
            objects,
            indent=2,
            # Content types by app and model name, as in fixtures/wpsr2023.json: their ids differ between databases.
            use_natural_foreign_keys=True,
        )
        if output:
            Path(output).write_text(data + "\n", encoding="utf-8")
            self.stdout.write(self.style.SUCCESS(f"Wrote {len(objects)} records to {output}."))
        else:
            self.stdout.write(data)


def _objects():
    for model in content_models():
        for obj in model._default_manager.order_by("pk"):
            if isinstance(obj, Curated):
                # Users are not content, and an empty database has none to point to; when it was
                # published is kept, and who published it stays in this database's history.
                obj.published_by = None
            yield obj

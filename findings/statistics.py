"""Planner statistics after bulk writes.

PostgreSQL plans with the statistics it last gathered: after a bulk load, until autovacuum
catches up, it takes 10,000 findings for a handful and a two-tag filter can take seconds
instead of milliseconds. SQLite's planner likewise reads what ANALYZE stores.
"""
from django.db import connection


def content_tables():
    """The tables of the curated content, its history and search index, and the tags."""
    return [
        table
        for table in connection.introspection.django_table_names(only_existing=True)
        if table.startswith(("findings_", "taggit_"))
    ]


def refresh_statistics():
    """ANALYZE every content table (after `load_wpsr`, synthetic data, a large import)."""
    tables = ", ".join(connection.ops.quote_name(table) for table in content_tables())
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {tables}")
        else:
            cursor.execute("ANALYZE")

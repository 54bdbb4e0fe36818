"""Each database's own full-text machinery for SearchDocument.

PostgreSQL: a weighted tsvector kept by a trigger, a GIN index on it, and pg_trgm
with a trigram index on SearchTerm.word for "did you mean".
SQLite: an FTS5 table (porter stemming) over the same rows, kept by triggers.
"""
from django.db import migrations

POSTGRES_FORWARDS = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """
    CREATE FUNCTION findings_searchdocument_vector() RETURNS trigger AS $$
    BEGIN
      NEW.search_vector :=
        setweight(to_tsvector('english', coalesce(NEW.title, '')), 'A') ||
        setweight(to_tsvector('english', coalesce(NEW.body, '')), 'B') ||
        setweight(to_tsvector('english', coalesce(NEW.extra, '')), 'C');
      RETURN NEW;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER findings_searchdocument_vector_update
    BEFORE INSERT OR UPDATE OF title, body, extra ON findings_searchdocument
    FOR EACH ROW EXECUTE FUNCTION findings_searchdocument_vector()
    """,
    # The search page: ranked matches of the query against every item.
    "CREATE INDEX searchdocument_vector_gin ON findings_searchdocument USING gin (search_vector)",
    # "Did you mean": the closest indexed word by trigram similarity.
    "CREATE INDEX searchterm_word_trgm ON findings_searchterm USING gin (word gin_trgm_ops)",
]
POSTGRES_BACKWARDS = [
    "DROP INDEX IF EXISTS searchterm_word_trgm",
    "DROP INDEX IF EXISTS searchdocument_vector_gin",
    "DROP TRIGGER IF EXISTS findings_searchdocument_vector_update ON findings_searchdocument",
    "DROP FUNCTION IF EXISTS findings_searchdocument_vector()",
]

SQLITE_FORWARDS = [
    """
    CREATE VIRTUAL TABLE findings_searchdocument_fts USING fts5(
      title, body, extra,
      content='findings_searchdocument', content_rowid='id',
      tokenize='porter unicode61 remove_diacritics 2'
    )
    """,
    """
    CREATE TRIGGER findings_searchdocument_fts_insert AFTER INSERT ON findings_searchdocument BEGIN
      INSERT INTO findings_searchdocument_fts(rowid, title, body, extra)
      VALUES (new.id, new.title, new.body, new.extra);
    END
    """,
    """
    CREATE TRIGGER findings_searchdocument_fts_delete AFTER DELETE ON findings_searchdocument BEGIN
      INSERT INTO findings_searchdocument_fts(findings_searchdocument_fts, rowid, title, body, extra)
      VALUES ('delete', old.id, old.title, old.body, old.extra);
    END
    """,
    """
    CREATE TRIGGER findings_searchdocument_fts_update AFTER UPDATE ON findings_searchdocument BEGIN
      INSERT INTO findings_searchdocument_fts(findings_searchdocument_fts, rowid, title, body, extra)
      VALUES ('delete', old.id, old.title, old.body, old.extra);
      INSERT INTO findings_searchdocument_fts(rowid, title, body, extra)
      VALUES (new.id, new.title, new.body, new.extra);
    END
    """,
]
SQLITE_BACKWARDS = [
    "DROP TRIGGER IF EXISTS findings_searchdocument_fts_update",
    "DROP TRIGGER IF EXISTS findings_searchdocument_fts_delete",
    "DROP TRIGGER IF EXISTS findings_searchdocument_fts_insert",
    "DROP TABLE IF EXISTS findings_searchdocument_fts",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("findings", "0004_search_index")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES_FORWARDS, "sqlite": SQLITE_FORWARDS}),
            _run({"postgresql": POSTGRES_BACKWARDS, "sqlite": SQLITE_BACKWARDS}),
        )
    ]

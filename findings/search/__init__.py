"""Full-text search: `index` keeps one row per public item, `query` reads them with each
database's own engine (PostgreSQL full text, SQLite FTS5)."""
import re

# A word, as both the index and the queries read it: letters and digits, joined by ' or -.
WORD = re.compile(r"[^\W_]+(?:['-][^\W_]+)*")

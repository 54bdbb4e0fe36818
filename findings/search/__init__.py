"""Full-text search: `index` keeps one row per public item, `query` reads them with each
database's own engine (PostgreSQL full text, SQLite FTS5)."""
import re

# A word, as both the index and the queries read it: letters and digits, joined by ' or -.
WORD = re.compile(r"[^\W_]+(?:['-][^\W_]+)*")

# Words too common to search for, left out on both databases so that both answer the same (this
# is PostgreSQL's own English list, which its full-text search skips; SQLite's FTS5 would not).
COMMON_WORDS = frozenset("""
i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers
herself it its itself they them their theirs themselves what which who whom this that these those am is are
was were be been being have has had having do does did doing a an the and but if or because as until while of
at by for with about against between into through during before after above below to from up down in out on
off over under again further then once here there when where why how all any both each few more most other
some such no nor not only own same so than too very s t can will just don should now
""".split())

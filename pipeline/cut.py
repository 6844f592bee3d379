"""Supplied values shown to people are cut to a bounded length: in messages, findings, quarantine
examples and Great Expectations examples. A 200 MB value in one cell was once printed whole (200 MB
of console output, 4.5 GB peak); a person needs its start and its length, not all of it. This is
the only place that cuts, in Python and in SQL, so every path shows a long value the same way.
"""

MAX_VALUE_CHARS = 100  # of one supplied value
MAX_MESSAGE_CHARS = 1000  # of a message, whatever it quotes (a value is cut first, so only a backstop)


def cut(value: str, limit: int = MAX_VALUE_CHARS) -> str:
    """`value`, or its first `limit` characters and how long it was."""
    return value if len(value) <= limit else f"{value[:limit]}... ({len(value):,} characters)"


def cut_sql(expr: str, limit: int = MAX_VALUE_CHARS) -> str:
    """The SQL of cut() on a text expression (DuckDB)."""
    return (f"(case when length({expr}) > {limit} then left({expr}, {limit}) || '... (' || "
            f"format('{{:,}}', length({expr})) || ' characters)' else {expr} end)")

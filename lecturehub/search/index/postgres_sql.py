"""The postgres engine's table and SQL: DDL, the row of a slide, the WHERE of a query
(postgres_engine.py runs them; its docstring says how the matching stays exact)."""

from __future__ import annotations

import json
import re
from collections import defaultdict

from lecturehub.search.index.base import SearchQuery, SlideDoc, day_number, order_key, pack
from lecturehub.search.index.syntax import Any, Lit, Not, positive_literals
from lecturehub.search.index.text import (
    FIELD_SEP,
    gram_positions,
    literal_items,
    literal_pattern,
    normalized,
)

SCHEMA_VERSION = 1
TABLE = f"search_slides_v{SCHEMA_VERSION}"
TABLE_RE = re.compile(r"^search_slides_v\d+(_new)?$")
LOCK_CLASS = 0x4C48  # advisory locks of this engine: (LOCK_CLASS, lecture id); rebuild: -1
RANK_CAP = 1000  # rank by relevance when at most this many slides match
BATCH = 500
MAX_POSITION = 16383  # tsvector limits: positions up to 16383, 256 per lexeme
MAX_POSITIONS = 256
COLUMNS = (
    "lecture_id, slide, courseware_id, ord, day, series, category, department, speaker,"
    " hidden, doc, norm, grams, ranks"
)
VALUES = (
    "%(lecture_id)s, %(slide)s, %(courseware_id)s, %(ord)s, %(day)s, %(series)s, %(category)s,"
    " %(department)s, %(speaker)s, %(hidden)s, %(doc)s, %(norm)s,"
    " array_to_tsvector(%(grams)s::text[]), %(ranks)s::tsvector"
)


def ddl(table: str) -> list[str]:
    return [
        f"""CREATE TABLE IF NOT EXISTS {table} (
            lecture_id integer NOT NULL,
            slide integer NOT NULL,
            courseware_id integer NOT NULL,
            ord bigint NOT NULL,
            day integer NOT NULL,
            series text,
            category text,
            department text,
            speaker text,
            hidden boolean NOT NULL,
            doc text NOT NULL,
            norm text NOT NULL,
            grams tsvector NOT NULL,
            ranks tsvector NOT NULL,
            PRIMARY KEY (lecture_id, slide)
        ) WITH (toast_tuple_target = 128)""",
        *(
            f"ALTER TABLE {table} ALTER COLUMN {c} SET STORAGE EXTERNAL"
            for c in ("doc", "norm", "ranks")
        ),
    ]


def indexes(table: str) -> list[str]:
    return [
        f"CREATE INDEX IF NOT EXISTS {table}_grams ON {table} USING gin (grams)",
        f"CREATE INDEX IF NOT EXISTS {table}_ord ON {table} (ord)",
    ]


def _tsvector_text(positions: dict[str, list[str]]) -> str:
    return " ".join(f"'{t}':{','.join(p[:MAX_POSITIONS])}" for t, p in positions.items())


def row(doc: SlideDoc) -> dict:
    """The table row of one slide (the analysis runs here, before any lock is taken)."""
    content = FIELD_SEP.join((doc.slide_title, doc.text, doc.notes))
    grams = gram_positions(content)
    ranks: defaultdict[str, list[str]] = defaultdict(list)
    for token, positions in grams.items():
        ranks[token] += [str(min(p + 1, MAX_POSITION)) for p in positions]
    titles = FIELD_SEP.join((doc.slide_title, doc.lecture_title))
    for token, positions in gram_positions(titles).items():
        ranks[token] += [f"{min(p + 1, MAX_POSITION)}A" for p in positions]
    return {
        "lecture_id": doc.lecture_id,
        "slide": doc.slide,
        "courseware_id": doc.courseware_id,
        "ord": order_key(doc),
        "day": day_number(doc.date),
        "series": None if doc.series_id is None else str(doc.series_id),
        "category": doc.category or None,
        "department": doc.department or None,
        "speaker": doc.speaker or None,
        "hidden": bool(doc.hidden),
        "doc": json.dumps(pack(doc), ensure_ascii=False),
        "norm": normalized(content),
        "grams": list(grams),
        "ranks": _tsvector_text(ranks),
    }


# Queries -------------------------------------------------------------------------------------


class _Sql:
    """A WHERE clause being built: SQL text with %(pN)s placeholders and their values."""

    def __init__(self):
        self.params: dict[str, object] = {}

    def param(self, value) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f"%({name})s"


def _lexemes(items: list[tuple[str, bool]]) -> str:
    return "(" + " & ".join(f"'{t}':*" if prefix else f"'{t}'" for t, prefix in items) + ")"


def _compile(node, sql: _Sql) -> tuple[str, str | None]:
    """(tsquery every match satisfies, SQL check that makes it exact or None if the tsquery is
    exact already) of a pruned syntax tree."""
    if isinstance(node, Lit):
        items = literal_items(node.text)
        check = None
        if len(items) > 1:
            check = f"norm LIKE {sql.param('%' + literal_pattern(node.text) + '%')}"
        return _lexemes(items), check
    if isinstance(node, Any):
        parts = [_compile(n, sql) for n in node.nodes]
        pre = "(" + " | ".join(p for p, _ in parts) + ")"
        if all(c is None for _, c in parts):
            return pre, None
        return pre, "(" + " OR ".join(_exact(p, c, sql) for p, c in parts) + ")"
    pres, checks = [], []
    for n in node.nodes:
        p, c = _compile(n.node if isinstance(n, Not) else n, sql)
        if not isinstance(n, Not):
            pres.append(p)
            checks += [c] if c else []
        elif c is None:
            pres.append(f"!{p}")
        else:
            checks.append(f"NOT {_exact(p, c, sql)}")
    return "(" + " & ".join(pres) + ")", " AND ".join(checks) or None


def _exact(pre: str, check: str | None, sql: _Sql) -> str:
    match = f"grams @@ {sql.param(pre)}::tsquery"
    return f"({match} AND {check})" if check else match


def where_clause(tree, request: SearchQuery) -> tuple[str, dict, str | None]:
    """(WHERE clause, its parameters, the ranking tsquery or None)."""
    sql, conditions = _Sql(), []
    if tree is not None:
        pre, check = _compile(tree, sql)
        conditions.append(_exact(pre, check, sql))
    for field, value in request.terms().items():
        conditions.append(f"{field} = {sql.param(value)}")
    if request.day_range is not None:
        lo, hi = request.day_range
        conditions += [f"day >= {sql.param(lo)}"] if lo is not None else []
        conditions += [f"day <= {sql.param(hi)}"] if hi is not None else []
    if not request.include_hidden:
        conditions.append("NOT hidden")
    tokens = dict.fromkeys(
        f"'{t}':*" if p else f"'{t}'"
        for lit in positive_literals(tree)
        for t, p in literal_items(lit)
    )
    return " AND ".join(conditions) or "TRUE", sql.params, " | ".join(tokens) or None

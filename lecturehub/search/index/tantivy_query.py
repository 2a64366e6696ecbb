"""The tantivy engine's schema, documents and queries (tantivy_engine.py runs them).

Every slide is one document. "grams" holds text.gram_terms of title | text | notes, split on
spaces (tantivy numbers the tokens: consecutive tokens stand at consecutive positions, and
SEP_TOKEN between the fields stops a phrase from spanning two of them). A literal becomes a
term, a phrase query, a regex (a lone last character: any token starting with it) or a regex
phrase (tokens, then one starting with the last character), exactly text.literal_items.
"titles" (slide title | talk title) only adds to the score of a slide whose title holds a
literal. Filters are raw terms and a day range; "order" sorts by date; "data" stores the
SlideDoc (JSON) that hits are made from.
"""

from __future__ import annotations

import json

import tantivy
from tantivy import Occur, Query

from lecturehub.search.index.base import SearchQuery, SlideDoc, day_number, order_key, pack
from lecturehub.search.index.syntax import Any, Lit, Not, positive_literals
from lecturehub.search.index.text import FIELD_SEP, gram_terms, literal_items

TITLE_BOOST = 2.0


def make_schema() -> tantivy.Schema:
    b = tantivy.SchemaBuilder()
    b.add_integer_field("lecture", indexed=True, fast=True)
    b.add_text_field("deck", tokenizer_name="raw", index_option="basic")
    for name in ("category", "department", "speaker", "series"):
        b.add_text_field(name, tokenizer_name="raw", index_option="basic")
    b.add_integer_field("day", indexed=True, fast=True)
    b.add_boolean_field("hidden", indexed=True)
    b.add_integer_field("order", fast=True)
    b.add_text_field("grams", tokenizer_name="whitespace", index_option="position")
    b.add_text_field("titles", tokenizer_name="whitespace", index_option="position")
    b.add_bytes_field("data", stored=True)
    return b.build()


SCHEMA = make_schema()


def document(doc: SlideDoc) -> tantivy.Document:
    content = FIELD_SEP.join((doc.slide_title, doc.text, doc.notes))
    titles = FIELD_SEP.join((doc.slide_title, doc.lecture_title))
    return tantivy.Document(
        lecture=doc.lecture_id,
        deck=f"{doc.lecture_id}:{doc.courseware_id}",
        category=doc.category or "",
        department=doc.department or "",
        speaker=doc.speaker or "",
        series="" if doc.series_id is None else str(doc.series_id),
        day=day_number(doc.date),
        hidden=bool(doc.hidden),
        order=order_key(doc),
        grams=" ".join(gram_terms(content)),
        titles=" ".join(gram_terms(titles)),
        data=json.dumps(pack(doc), ensure_ascii=False).encode(),
    )


# Queries -------------------------------------------------------------------------------------


def literal_query(field: str, text: str) -> Query:
    """Exact match of a literal on a gram field (text.literal_items; never empty here)."""
    items = literal_items(text)
    words = [t for t, _ in items]
    if items[-1][1]:  # the last token is a prefix (a lone last character)
        if len(items) == 1:
            return Query.regex_query(SCHEMA, field, words[0] + ".*")
        return Query.regex_phrase_query(SCHEMA, field, [*words[:-1], words[-1] + ".*"])
    if len(words) == 1:
        return Query.term_query(SCHEMA, field, words[0])
    return Query.phrase_query(SCHEMA, field, words)


def compile_tree(node, field: str = "grams") -> Query:
    """A pruned syntax tree (syntax.parse) as a tantivy query."""
    if isinstance(node, Lit):
        return literal_query(field, node.text)
    if isinstance(node, Any):
        return Query.boolean_query([(Occur.Should, compile_tree(n, field)) for n in node.nodes])
    clauses = [
        (Occur.MustNot, compile_tree(n.node, field))
        if isinstance(n, Not)
        else (Occur.Must, compile_tree(n, field))
        for n in node.nodes
    ]
    if len(clauses) == 1 and clauses[0][0] == Occur.Must:
        return clauses[0][1]
    return Query.boolean_query(clauses)


def _filters(request: SearchQuery) -> list[tuple]:
    """Unscored Must/MustNot clauses of the filters and the hidden-slide mask."""
    clauses = [
        (Occur.Must, Query.const_score_query(Query.term_query(SCHEMA, f, v), 0.0))
        for f, v in request.terms().items()
    ]
    if request.day_range is not None:
        lo, hi = request.day_range
        day = Query.range_query(SCHEMA, "day", tantivy.FieldType.Integer, lo, hi)
        clauses.append((Occur.Must, Query.const_score_query(day, 0.0)))
    if not request.include_hidden:
        clauses.append((Occur.MustNot, Query.term_query(SCHEMA, "hidden", True)))
    return clauses


def search_query(tree, request: SearchQuery) -> Query:
    """The match (all slides when blank), the filters, and the title boost for relevance."""
    match = Query.all_query() if tree is None else compile_tree(tree)
    clauses = [(Occur.Must, match), *_filters(request)]
    literals = positive_literals(tree)
    if literals and request.sort == "relevance":
        titles = [literal_query("titles", t) for t in dict.fromkeys(literals)]
        boost = (
            titles[0]
            if len(titles) == 1
            else Query.boolean_query([(Occur.Should, q) for q in titles])
        )
        clauses.append((Occur.Should, Query.boost_query(boost, TITLE_BOOST)))
    return clauses[0][1] if len(clauses) == 1 else Query.boolean_query(clauses)

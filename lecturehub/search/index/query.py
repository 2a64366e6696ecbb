"""The parsed query (syntax.py) compiled to whoosh queries.

A literal is an exact match on the bigram field "grams" (text.literal_items): a Term, a prefix
(AnyStartingWith), a phrase of consecutive tokens (ExactPhrase) or a Sequence when a lone last
character follows other tokens. The literals' jieba words score optionally ("words" field).
"""

from __future__ import annotations

import functools

from whoosh import query as wq
from whoosh.matching import IntersectionMatcher, NullMatcher, WrappingMatcher
from whoosh.query.compound import PreloadedOr
from whoosh.searching import SearchContext

from lecturehub.search.index.analyzers import segment_words
from lecturehub.search.index.syntax import All, Any, Lit, Not, positive_literals
from lecturehub.search.index.text import literal_items


class ExactPhrase(wq.Phrase):
    """A phrase of consecutive tokens, matched by _PhraseMatcher instead of whoosh's SpanNear2."""

    def matcher(self, searcher, context=None):
        reader, field = searcher.reader(), searcher.schema[self.fieldname]
        words = [field.to_bytes(w) for w in self.words]
        if any((self.fieldname, w) not in reader for w in words):
            return NullMatcher()
        ms = [wq.Term(self.fieldname, w).matcher(searcher, context) for w in words]
        rarest_first = sorted(
            range(len(ms)), key=lambda i: reader.doc_frequency(self.fieldname, words[i])
        )
        return _PhraseMatcher(ms, rarest_first, self.boost)


class _PhraseMatcher(WrappingMatcher):
    """Intersection of the token matchers, kept only where the tokens stand at consecutive
    positions. No block-quality skipping: whoosh's span matchers inherit a skip_to_quality that
    does not re-check the phrase, and skipping saves little here while turning the exact hit
    count (the collector counts every match) into a loose estimate."""

    def __init__(self, ms, order, boost=1.0):
        """ms in phrase order; the intersection is built in `order` (rarest token first)."""
        super().__init__(functools.reduce(IntersectionMatcher, [ms[i] for i in order]), boost)
        self._ms, self._order = ms, order
        self._find()

    def _here(self) -> bool:
        starts = set(self._ms[0].value_as("positions"))
        for offset, m in enumerate(self._ms[1:], 1):
            starts.intersection_update([p - offset for p in m.value_as("positions")])
            if not starts:
                return False
        return True

    def _find(self) -> None:
        while self.child.is_active() and not self._here():
            self.child.next()

    def copy(self):
        return _PhraseMatcher([m.copy() for m in self._ms], self._order, self.boost)

    def replace(self, minquality=0):
        return self if self.is_active() else NullMatcher()

    def all_ids(self):
        while self.is_active():
            yield self.id()
            self.next()

    def next(self):
        self.child.next()
        self._find()

    def skip_to(self, id):
        self.child.skip_to(id)
        self._find()

    def supports_block_quality(self):
        return False


class AnyStartingWith(wq.Prefix):
    """Every token starting with a character (a lone CJK character anywhere in the text), as
    one preloaded, constant-score array union: whoosh's default tree of unions over the ~100
    expanded bigrams spends its time re-balancing for block quality."""

    def matcher(self, searcher, context=None):
        words = searcher.reader().expand_prefix(self.fieldname, self.text)
        terms = [wq.Term(self.fieldname, w) for w in words]
        if not terms:
            return NullMatcher()
        if len(terms) == 1:
            return terms[0].matcher(searcher, context)
        return PreloadedOr(terms, boost=self.boost).matcher(searcher, SearchContext(weighting=None))


class _NoQualitySkips(wq.WrappingQuery):
    """Turns block-quality skipping off for whoosh's Sequence (see _PhraseMatcher)."""

    def matcher(self, searcher, context=None):
        return _NoQualityMatcher(self.child.matcher(searcher, context))


class _NoQualityMatcher(WrappingMatcher):
    def supports_block_quality(self):
        return False

    def replace(self, minquality=0):
        return self if self.is_active() else NullMatcher()


def literal_query(fieldname: str, text: str) -> wq.Query | None:
    """Exact match of text on a bigram field: Term, Prefix, phrase or sequence; None if empty."""
    items = literal_items(text)  # (token, match as prefix)
    if not items:
        return None
    terms = [wq.Prefix(fieldname, t) if p else wq.Term(fieldname, t) for t, p in items]
    if len(terms) == 1:
        return AnyStartingWith(fieldname, items[0][0]) if items[0][1] else terms[0]
    if items[-1][1]:
        return _NoQualitySkips(wq.Sequence(terms))
    return ExactPhrase(fieldname, [t for t, _ in items])


def _compile(node) -> wq.Query | None:
    if isinstance(node, Lit):
        return literal_query("grams", node.text)
    if isinstance(node, Any):
        subs = [q for q in map(_compile, node.nodes) if q is not None]
        return wq.Or(subs) if len(subs) > 1 else (subs[0] if subs else None)
    pos = [q for n in node.nodes if not isinstance(n, Not) and (q := _compile(n)) is not None]
    neg = [q for n in node.nodes if isinstance(n, Not) and (q := _compile(n.node)) is not None]
    match = wq.And(pos) if len(pos) > 1 else (pos[0] if pos else None)
    return wq.AndNot(match, wq.Or(neg)) if match is not None and neg else match


def _boost_query(literals: list[str]) -> wq.Query | None:
    """Optional scoring by the literals' jieba words (title words weigh more, see analyzers.py);
    a literal that is a single token already scores through its bigram term."""
    multi = [t for t in literals if not isinstance(literal_query("grams", t), wq.Term)]
    words = dict.fromkeys(w for text in multi for w in segment_words(text))
    subs = [wq.Term("words", w) for w in words]
    return wq.Or(subs) if len(subs) > 1 else (subs[0] if subs else None)


def compile_query(tree: All | None) -> tuple[wq.Query, wq.Query, list[str]]:
    """(scored query, matching part, positive literals) of a parsed query; blank matches all."""
    if tree is None:
        return wq.Every(), wq.Every(), []
    match = _compile(tree)  # never None: syntax.parse refuses a query with nothing to match
    literals = positive_literals(tree)
    boost = _boost_query(literals)
    return (wq.AndMaybe(match, boost) if boost is not None else match), match, literals

"""The fast path of relevance search: an AND of plain terms, exact phrases and lone characters,
with optional exclusions (经济 发展, 人民群众, 乡村振兴 -河长制, 党).

whoosh's collector scores every match through a tree of matchers, several Python calls per
posting: ~25 ms per 10,000 matches, and a phrase checks positions for every document holding
all its tokens. Here, per segment, the postings of every token the query needs are read block
by block into {docnum: weight} dicts (phrase tokens also keep their position values), rarest
token first, later tokens only in blocks holding a remaining candidate (phrases.py). The
candidates are the intersection of the dicts' keys, then the filter and mask (cached sets),
then the phrase position check (exactly query._PhraseMatcher's rule), then the exclusions:
their count is the exact total. Each candidate's score adds up whoosh's own per-term BM25F
scorer._score(weight, length), looked up per (weight, length byte) through C-level map():

* a Term scores its weight; an ExactPhrase the sum over its tokens (all of their weights, as
  _PhraseMatcher's intersection does); AnyStartingWith scores 1 (PreloadedOr, unscored) when
  it expands to several tokens in a segment, else as that one Term;
* the jieba boost (AndMaybe's optional Or of "words" terms) adds the scores of the words the
  document has.

Order is whoosh's collector's: score desc, then docnum asc. Any other query (OR, sequences
such as 2023年, a repeated word, other fields, boosts) returns None from fast_plan() and takes the regular path.
"""

from __future__ import annotations

import heapq
import operator
from dataclasses import dataclass, field

from whoosh import query as wq

from lecturehub.search.index.phrases import PostingCache, ScoreTable, length_bytes, phrase_docs
from lecturehub.search.index.query import AnyStartingWith, ExactPhrase

FIELD = "grams"
WORDS = "words"


@dataclass(frozen=True)
class Plan:
    """items: ("term", text) | ("phrase", texts) | ("prefix", str), all required; words: the
    optional jieba scoring terms; exclude: a set query (Term/phrase/prefix under And/Or)."""

    items: tuple
    words: tuple[bytes, ...] = ()
    exclude: wq.Query | None = None


def _b(text) -> bytes:
    return text.encode() if isinstance(text, str) else text


def _unit(q: wq.Query):
    """The plan item of a grams Term / ExactPhrase / AnyStartingWith (unboosted), else None."""
    if getattr(q, "fieldname", None) != FIELD or q.boost != 1.0:
        return None
    if type(q) is wq.Term:
        return ("term", _b(q.text))
    if type(q) is ExactPhrase:
        return ("phrase", tuple(_b(w) for w in q.words))
    if type(q) is AnyStartingWith:
        return ("prefix", q.text)
    return None


def _items(q: wq.Query) -> list | None:
    if type(q) is wq.And and q.boost == 1.0:
        out = []
        for sub in q.subqueries:
            items = _items(sub)
            if items is None:
                return None
            out += items
        return out or None
    unit = _unit(q)
    return None if unit is None else [unit]


def _set_query_ok(q: wq.Query) -> bool:
    if type(q) in (wq.And, wq.Or):
        return bool(q.subqueries) and all(_set_query_ok(s) for s in q.subqueries)
    return getattr(q, "fieldname", None) == FIELD and _unit(q) is not None


def fast_plan(q: wq.Query) -> Plan | None:
    """The plan of a scored query (compile_query's first value) the fast path answers, else
    None."""
    words: tuple[bytes, ...] = ()
    if type(q) is wq.AndMaybe:
        q, boost = q.a, q.b
        subs = boost.subqueries if type(boost) is wq.Or else [boost]
        if (
            boost.boost != 1.0
            or not subs
            or any(type(s) is not wq.Term or s.fieldname != WORDS or s.boost != 1.0 for s in subs)
        ):
            return None
        words = tuple(_b(s.text) for s in subs)
    exclude = None
    if type(q) is wq.AndNot:
        q, exclude = q.a, q.b
        if not _set_query_ok(exclude):
            return None
    items = _items(q)
    if items is None or len(set(items)) < len(items):  # 经济 经济: whoosh's own quirks
        return None
    return Plan(tuple(items), words, exclude)


def _cached(searcher, key, make):
    cache = searcher.__dict__.setdefault("_lecturehub_cache", {})
    if key not in cache:
        cache[key] = make()
    return cache[key]


def _leaf_docs(searcher, sub, offset, q: wq.Query | None) -> set[int] | None:
    """Leaf docnums matching q (a filter or mask), cached on the searcher (one per refresh)."""
    if q is None:
        return None
    return _cached(
        searcher,
        ("docs", offset, repr(q)),
        lambda: {
            d - offset
            for d in searcher.docs_for_query(q)
            if offset <= d < offset + sub.reader().doc_count_all()
        },
    )


class _Leaf:
    """One segment's evaluation of a plan."""

    def __init__(self, searcher, sub, offset):
        self.searcher, self.sub, self.offset = searcher, sub, offset
        self.leaf = sub.reader()
        self.weights: dict[bytes, dict[int, float]] = {}
        self.values: dict[bytes, dict[int, bytes]] = {}
        options = getattr(searcher, "_lecturehub_posting_cache", {})
        self.cache = _cached(searcher, ("postings",), lambda: PostingCache(**options))

    def postings(self, field: str, text: bytes, values: bool = False, within=None):
        """phrases.read_postings of this segment, through the searcher's PostingCache."""
        return self.cache.read(self.leaf, (self.offset, field, text), field, text, values, within)

    def docs(self, texts, within=None) -> set[int]:
        """Live docnums having any of the grams texts."""
        out: set[int] = set()
        for text in texts:
            out.update(self.postings(FIELD, text, within=within)[0])
        return out

    def expand(self, text: str) -> list[bytes]:
        return list(self.leaf.expand_prefix(FIELD, text))

    def df(self, text: bytes) -> int:
        return self.leaf.doc_frequency(FIELD, text)

    def read_required(self, terms: dict[bytes, bool], unions: list[list[bytes]]):
        """Candidates holding every term (value: keep positions) and one token of each union,
        reading the rarest first; None when there are none."""
        units = [(self.df(t), 0, t) for t in terms] + [
            (sum(map(self.df, u)), 1, i) for i, u in enumerate(unions)
        ]
        cands: set[int] | None = None
        for _, kind, key in sorted(units):
            within = None if cands is None else sorted(cands)
            if kind == 0:
                w, v = self.postings(FIELD, key, terms[key], within)
                self.weights[key] = w
                if v is not None:
                    self.values[key] = v
                docs = w.keys()
            else:
                docs = self.docs(unions[key], within)
            cands = set(docs) if cands is None else cands & docs
            if not cands:
                return None
        return cands

    def phrase_match(self, texts, cands: set[int]) -> set[int]:
        """The candidates where texts stand in a row (values read here when not yet read)."""
        within = None
        for t in texts:
            if t not in self.values:
                within = within or sorted(cands)
                w, v = self.postings(FIELD, t, True, within)
                self.weights.setdefault(t, w)
                self.values[t] = v
            cands = cands & self.values[t].keys()
            if not cands:
                return set()
        return phrase_docs(cands, [self.values[t] for t in texts])

    def matching(self, q: wq.Query, cands: set[int]) -> set[int]:
        """The candidates matching a set query (exclusions)."""
        if type(q) is wq.And:
            for sub in q.subqueries:
                cands = self.matching(sub, cands)
            return cands
        if type(q) is wq.Or:
            out: set[int] = set()
            for sub in q.subqueries:
                out |= self.matching(sub, cands - out)
            return out
        kind, x = _unit(q)
        if kind == "phrase":
            return self.phrase_match(x, cands)
        texts = self.expand(x) if kind == "prefix" else [x]
        return cands & self.docs(texts, sorted(cands))

    def table(self, field: str, text: bytes) -> ScoreTable:
        scorer = self.searcher.weighting.scorer(self.sub, field, text)._score
        return ScoreTable(self.sub, field, scorer)

    def length_keys(self, field: str, docs: list[int]) -> list[int]:
        lens = _cached(
            self.searcher, ("lengths", self.offset, field), lambda: length_bytes(self.leaf, field)
        )
        if lens is None:
            return [-1 - d for d in docs]
        return list(map(lens.__getitem__, docs))

    def term_scores(self, field, text, weights, docs, lkeys) -> list[float]:
        table = self.table(field, text)
        return list(map(table.__getitem__, zip(map(weights.get, docs), lkeys, strict=True)))


def _add(a: list | None, b: list) -> list:
    return b if a is None else list(map(operator.add, a, b))


@dataclass
class _Needs:
    """What one segment must read for a plan: tokens (value: keep positions), unions of
    expanded prefixes, and the scored parts in plan order: ("term", text) | ("phrase", texts)
    | ("one", None) (an expanded prefix, unscored)."""

    terms: dict[bytes, bool] = field(default_factory=dict)
    unions: list[list[bytes]] = field(default_factory=list)
    scored: list[tuple] = field(default_factory=list)


def _needs(ev: _Leaf, plan: Plan) -> _Needs | None:
    """None when a prefix expands to nothing in this segment (no match)."""
    needs = _Needs()
    for kind, x in plan.items:
        if kind == "prefix":
            expanded = ev.expand(x)
            if not expanded:
                return None
            if len(expanded) > 1:
                needs.unions.append(expanded)
                needs.scored.append(("one", None))
                continue
            kind, x = "term", expanded[0]
        for t in x if kind == "phrase" else (x,):
            needs.terms[t] = needs.terms.get(t, False) or kind == "phrase"
        needs.scored.append((kind, x))
    return needs


def _matches(ev: _Leaf, plan: Plan, needs: _Needs, masks) -> set[int]:
    """The segment's docnums matching the plan within the filter, outside the mask."""
    cands = ev.read_required(needs.terms, needs.unions)
    if not cands:
        return set()
    filter_q, mask_q = masks
    allowed = _leaf_docs(ev.searcher, ev.sub, ev.offset, filter_q)
    if allowed is not None:
        cands &= allowed
    masked = _leaf_docs(ev.searcher, ev.sub, ev.offset, mask_q)
    if masked:
        cands -= masked
    for kind, x in needs.scored:
        if kind == "phrase" and cands:
            cands = phrase_docs(cands, [ev.values[t] for t in x])
    if cands and plan.exclude is not None:
        cands -= ev.matching(plan.exclude, cands)
    return cands


def _part(ev: _Leaf, kind: str, x, docs: list[int], lkeys: list[int]) -> list[float]:
    if kind == "one":
        return [1] * len(docs)
    if kind == "term":
        return ev.term_scores(FIELD, x, ev.weights[x], docs, lkeys)
    part = None  # _PhraseMatcher sums its tokens, rarest (in this segment) first
    for t in sorted(x, key=ev.df):
        part = _add(part, ev.term_scores(FIELD, t, ev.weights[t], docs, lkeys))
    return part


def _scores(ev: _Leaf, plan: Plan, needs: _Needs, docs: list[int]) -> list[float]:
    lkeys = ev.length_keys(FIELD, docs)
    total = None
    for kind, x in needs.scored:
        total = _add(total, _part(ev, kind, x, docs, lkeys))
    if plan.words:
        wkeys = ev.length_keys(WORDS, docs)
        for word in plan.words:
            w, _ = ev.postings(WORDS, word, within=docs)
            if w:
                total = _add(total, ev.term_scores(WORDS, word, w, docs, wkeys))
    return total


def _leaf_top(ev: _Leaf, plan: Plan, limit: int, masks):
    """(match count, [(score, -global docnum)] best first) of one segment."""
    needs = _needs(ev, plan)
    cands = _matches(ev, plan, needs, masks) if needs is not None else set()
    if not cands:
        return 0, []
    docs = sorted(cands)
    negs = [-ev.offset - d for d in docs]
    return len(docs), heapq.nlargest(limit, zip(_scores(ev, plan, needs, docs), negs, strict=True))


def top_docs(searcher, plan: Plan, limit: int, masks=(None, None)):
    """(exact match count, [(score, global docnum)] best first, at most limit); masks is
    (filter query or None, mask query or None)."""
    count, best = 0, []
    for sub, offset in searcher.leaf_searchers():
        n, top = _leaf_top(_Leaf(searcher, sub, offset), plan, limit, masks)
        if n:
            count += n
            best = heapq.nlargest(limit, best + top)
    return count, [(s, -neg) for s, neg in best]

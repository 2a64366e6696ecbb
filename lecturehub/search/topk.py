"""The fast path of relevance search for queries of plain terms (经济, 经济 发展, 5G 改革).

whoosh's collector scores every match through a tree of matchers, several Python calls per
posting: ~25 ms per 10,000 matches. A query that is a Term or an And of Terms of the "grams"
field (no phrase, no jieba boost, no OR/exclusion) is scored here instead from whole posting
blocks: each term's postings become a {docnum: weight} dict, the matches are the intersection
of their keys (exact count, filter and mask applied as sets), and each match's BM25F score is
whoosh's own scorer._score(weight, length), memoised per (weight, length byte). Scores and
order (score desc, then docnum asc) are those of whoosh's collector; other queries return None
and take the regular path.
"""

from __future__ import annotations

import heapq

from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN
from whoosh.util.numeric import byte_to_length

FIELD = "grams"
_LENGTHS = "_grams_len"  # whoosh3's per-document length column of the field


def plain_terms(q: wq.Query) -> list[bytes] | None:
    """The term texts of a Term or an And of Terms on FIELD (unboosted), else None."""
    subs = q.subqueries if type(q) is wq.And else [q]
    if not subs or any(type(s) is not wq.Term or s.fieldname != FIELD or s.boost != 1.0
                       for s in subs):  # fmt: skip
        return None
    texts = [s.text.encode() if isinstance(s.text, str) else s.text for s in subs]
    return list(dict.fromkeys(texts))


def _weights(leaf, text: bytes) -> dict[int, float]:
    """docnum -> weight of text's live postings in one segment."""
    if (FIELD, text) not in leaf:
        return {}
    m = leaf.postings(FIELD, text)
    inner = getattr(m, "child", m)  # FilterMatcher (deletions) around the W3 block matcher
    out: dict[int, float] = {}
    if all(hasattr(inner, a) for a in ("_read_ids", "_read_weights", "_next_block", "_i")):
        while inner.is_active():
            if inner._ids is None:
                inner._read_ids()
            if inner._weights is None:
                inner._read_weights()
            i = inner._i
            out.update(zip(inner._ids[i:], inner._weights[i:], strict=True))
            inner._next_block()
        if inner is not m and leaf.has_deletions():
            for docnum in leaf.deleted_docs_set:
                out.pop(docnum, None)
    else:
        while m.is_active():
            out[m.id()] = m.weight()
            m.next()
    return out


def _length_bytes(leaf) -> bytes | None:
    """The segment's length-byte column of FIELD in one read (None: use doc_field_length)."""
    try:
        col = leaf._perdoc._cached_reader(_LENGTHS, LENGTHS_COLUMN)
    except AttributeError:
        col = None
    if col is None or getattr(col, "_fixedlen", None) != 1:
        return None
    raw = col._dbfile.get(col._basepos, col._count)
    return bytes(raw) + bytes(max(0, leaf.doc_count_all() - len(raw)))


def _cached(searcher, key, make):
    cache = searcher.__dict__.setdefault("_lecturehub_cache", {})
    if key not in cache:
        cache[key] = make()
    return cache[key]


def _leaf_docs(searcher, sub, offset, q: wq.Query | None) -> set[int] | None:
    """Leaf docnums matching q (a filter or mask), cached on the searcher (one per refresh)."""
    if q is None:
        return None
    return _cached(searcher, ("docs", offset, repr(q)),
                   lambda: {d - offset for d in searcher.docs_for_query(q)
                            if offset <= d < offset + sub.reader().doc_count_all()})  # fmt: skip


def top_terms(searcher, texts: list[bytes], limit: int, filter_q=None, mask_q=None):
    """(exact match count, [(score, global docnum)] best first, at most limit)."""
    total, best = 0, []
    for sub, offset in searcher.leaf_searchers():
        leaf = sub.reader()
        pairs = sorted(((t, _weights(leaf, t)) for t in texts), key=lambda p: len(p[1]))
        dicts = [d for _, d in pairs]
        if not dicts[0]:
            continue
        cand = dicts[0].keys()
        for d in dicts[1:]:
            cand = cand & d.keys()
        cand = set(cand)
        allowed = _leaf_docs(searcher, sub, offset, filter_q)
        if allowed is not None:
            cand &= allowed
        masked = _leaf_docs(searcher, sub, offset, mask_q)
        if masked:
            cand -= masked
        if not cand:
            continue
        total += len(cand)
        lens = _cached(searcher, ("lengths", offset), lambda leaf=leaf: _length_bytes(leaf))
        parts = [(d, searcher.weighting.scorer(sub, FIELD, t)._score, {}) for t, d in pairs]

        def length(doc, leaf=leaf, lens=lens):
            lb = lens[doc] if lens is not None else 0
            return byte_to_length(lb) if lb else leaf.doc_field_length(doc, FIELD)

        def score(doc, parts=parts, lens=lens, length=length):
            lb, s = (lens[doc] if lens is not None else -doc - 1), 0.0
            for weights, scorer, memo in parts:
                w = weights[doc]
                v = memo.get((w, lb))
                if v is None:
                    v = memo[(w, lb)] = scorer(w, length(doc))
                s += v
            return s

        top = heapq.nlargest(limit, ((score(d), -d - offset) for d in cand))
        best = heapq.nlargest(limit, best + top)
    return total, [(s, -neg) for s, neg in best]

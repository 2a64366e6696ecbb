"""Block-wise posting reads and exact phrase checks for topk.py's fast path.

whoosh3 stores a term's postings in blocks of up to 128 (docnums, weights, values); a block's
header carries its highest docnum. read_postings() turns whole blocks into dicts at C speed and,
given the sorted candidates, skips blocks holding none of them without decoding their data.
phrase_docs() keeps the candidates where a phrase's tokens stand at consecutive positions,
exactly as query._PhraseMatcher decides.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections import OrderedDict
from itertools import accumulate
from pickle import loads

from whoosh.codec.whoosh3 import LENGTHS_COLUMN
from whoosh.system import _INT_SIZE
from whoosh.util.numeric import byte_to_length

_BLOCK_API = ("_read_data", "_read_ids", "_read_weights", "_read_values", "_next_block", "_i")


def read_postings(
    leaf, field: str, text: bytes, values: bool = False, within: list[int] | None = None
):
    """({docnum: weight}, {docnum: value bytes} or None) of text's live postings in one leaf.

    within (sorted docnums): blocks holding none of them are skipped unread, so the dicts then
    hold every posting of those docnums plus possibly some others."""
    weights: dict[int, float] = {}
    vals: dict[int, bytes] | None = {} if values else None
    if (field, text) not in leaf:
        return weights, vals
    m = leaf.postings(field, text)
    inner = getattr(m, "child", m)  # FilterMatcher (deletions) around the W3 block matcher
    if not all(hasattr(inner, a) for a in _BLOCK_API):
        _read_one_by_one(m, weights, vals, within)
        return weights, vals
    _read_blocks(inner, weights, vals, within)
    if inner is not m and leaf.has_deletions():
        for docnum in leaf.deleted_docs_set:
            weights.pop(docnum, None)
            if vals is not None:
                vals.pop(docnum, None)
    return weights, vals


def _read_one_by_one(m, weights: dict, vals: dict | None, within: list[int] | None) -> None:
    """Any matcher (not whoosh3's block matcher): posting by posting."""
    wanted = None if within is None else set(within)
    while m.is_active():
        d = m.id()
        if wanted is None or d in wanted:
            weights[d] = m.weight()
            if vals is not None:
                vals[d] = m.value()
        m.next()


def _read_blocks(inner, weights: dict, vals: dict | None, within: list[int] | None) -> None:
    """whoosh3's block matcher, whole blocks at a time, skipping those without a candidate."""
    j, n = 0, len(within) if within is not None else 0
    while inner.is_active():
        if within is not None:
            if j >= n:
                break
            maxid = inner._maxid
            if within[j] > maxid:  # no candidate in this block: skip its data
                inner._next_block()
                continue
            j = bisect_right(within, maxid, j)
        _take_block(inner, weights, vals)
        inner._next_block()


def _take_block(inner, weights: dict, vals: dict | None) -> None:
    if inner._ids is None:
        inner._read_ids()
    if inner._weights is None:
        inner._read_weights()
    i = inner._i
    ids = inner._ids[i:] if i else inner._ids
    weights.update(zip(ids, inner._weights[i:] if i else inner._weights, strict=True))
    if vals is not None:
        if inner._values is None:
            inner._read_values()
        vals.update(zip(ids, inner._values[i:] if i else inner._values, strict=True))


class PostingCache:
    """Decoded postings of common tokens (in at least min_docs documents of a segment): reading
    them (unpickling and unzipping every block) is most of a query's time. Kept on the searcher,
    so dropped with it when the index changes; docnums and weights as compact arrays (12 bytes
    a posting), position values only once asked for; at most budget bytes, least recently used
    out first."""

    def __init__(self, budget: int = 48 << 20, min_docs: int = 2000):
        self.budget, self.min_docs = budget, min_docs
        self._items: OrderedDict = OrderedDict()  # key -> (ids, weights, values, size)
        self._size = 0

    def read(
        self,
        leaf,
        key,
        field: str,
        text: bytes,
        values: bool = False,
        within: list[int] | None = None,
    ):
        """read_postings(), every posting of the segment when the token is common."""
        if leaf.doc_frequency(field, text) < self.min_docs:
            return read_postings(leaf, field, text, values, within)
        entry = self._items.get(key)
        if entry is not None and (entry[2] is not None or not values):
            self._items.move_to_end(key)
            ids, ws, vs, _ = entry
            return dict(zip(ids, ws, strict=True)), (
                dict(zip(ids, vs, strict=True)) if values else None
            )
        w, v = read_postings(leaf, field, text, values)
        vs = tuple(v.values()) if v is not None else None
        size = 12 * len(w) + (sum(map(len, vs)) + 40 * len(vs) if vs else 0)
        if entry is not None:
            self._size -= entry[3]
        self._items[key] = (array("i", w), array("d", w.values()), vs, size)
        self._size += size
        while self._size > self.budget and len(self._items) > 1:
            self._size -= self._items.popitem(last=False)[1][3]
        return w, v


def positions(value: bytes) -> list[int]:
    """The positions of a Positions-format posting value (formats.Positions.decode_positions)."""
    if not value.endswith(b"."):
        value += b"."
    return list(accumulate(loads(value[_INT_SIZE:])))


def phrase_docs(cands, vals: list[dict[int, bytes]]) -> set[int]:
    """The candidates where the tokens (value dicts in phrase order, holding every candidate)
    stand at consecutive positions."""
    first, rest = vals[0], list(enumerate(vals[1:], 1))
    out = set()
    for d in cands:
        starts = set(positions(first[d]))
        for offset, v in rest:
            starts.intersection_update([p - offset for p in positions(v[d])])
            if not starts:
                break
        else:
            out.add(d)
    return out


def length_bytes(leaf, field: str) -> bytes | None:
    """The leaf's length-byte column of field in one read (None: not a plain byte column)."""
    try:
        col = leaf._perdoc._cached_reader(f"_{field}_len", LENGTHS_COLUMN)
    except AttributeError:
        col = None
    if col is None or getattr(col, "_fixedlen", None) != 1:
        return None
    raw = col._dbfile.get(col._basepos, col._count)
    return bytes(raw) + bytes(max(0, leaf.doc_count_all() - len(raw)))


class ScoreTable(dict):
    """(weight, length key) -> scorer._score(weight, length), filled on first use; a length key
    is a length byte, or -1 - docnum when the leaf has no byte column. A missing weight (None)
    scores 0.0. Looked up through map() so the per-document work runs at C speed."""

    def __init__(self, sub, field: str, scorer):
        super().__init__()
        self._sub, self._field, self._scorer = sub, field, scorer

    def __missing__(self, key):
        w, lk = key
        if w is None:
            v = 0.0
        else:
            if lk >= 0:
                length = byte_to_length(lk) if lk else 1  # whoosh's dfl() default
            else:
                length = self._sub.doc_field_length(-1 - lk, self._field, 1)
            v = self._scorer(w, length)
        self[key] = v
        return v

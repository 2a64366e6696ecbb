"""Queries out: the search box syntax compiled to whoosh queries, hits and their snippets.

Syntax: words separated by spaces (or 、，；。！？) must all match; "…" is an exact phrase (it
may contain spaces; “…” and 「…」 work too); -word or -"…" excludes; OR between two terms
(upper case) matches either and binds tighter than the implicit AND (a OR b c = (a OR b) c);
parentheses group. CJK text matches exactly where those characters stand together (any
substring); Latin words and numbers match whole words, case-insensitively (5G does not match
5GB). Inside a word or phrase, punctuation and spaces only separate: GB/T 9704 matches the
tokens gb, t, 9704 in a row, and "推进 乡村" needs some break between 推进 and 乡村.

Errors (QueryError, message in Chinese): an unpaired quote or parenthesis, a query of only
exclusions, an exclusion beside OR, a query with nothing searchable in it, over 200 chars.
A blank query is not an error: parse() returns None and the index lists everything by date.
"""

from __future__ import annotations

import datetime
import functools
import html
import re
from collections.abc import Iterable
from dataclasses import dataclass

from whoosh import query as wq
from whoosh.matching import IntersectionMatcher, NullMatcher, WrappingMatcher
from whoosh.query.compound import PreloadedOr
from whoosh.searching import SearchContext

from lecturehub.search.index.analyzers import (
    CJK,
    WORD,
    SlideDoc,
    fold,
    pieces,
    segment_words,
)

MAX_QUERY_CHARS = 200
_QUERY_TABLE = str.maketrans(
    {
        **dict.fromkeys("“”„‟「」『』＂", '"'),
        "（": "(",
        "）": ")",
        "－": "-",
        **dict.fromkeys("，、；。！？\u3000", " "),
    }
)
_WORD_END = set(' \t\r\n"()')


@dataclass(frozen=True)
class Hit:
    lecture_id: int
    courseware_id: int
    slide: int
    slide_title: str
    snippet: str  # escaped HTML with <mark>…</mark>, at most 3 fragments
    lecture_title: str
    speaker: str
    department: str
    category: str
    date: datetime.date
    hidden: bool
    score: float


@dataclass(frozen=True)
class SearchResult:
    total: int  # exact number of matching slides
    page: int
    per_page: int
    hits: list[Hit]

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def group_by_lecture(hits: Iterable[Hit]) -> list[tuple[int, list[Hit]]]:
    """Hits grouped per talk, talks in order of their first hit, slides in hit order."""
    groups: dict[int, list[Hit]] = {}
    for hit in hits:
        groups.setdefault(hit.lecture_id, []).append(hit)
    return list(groups.items())


class QueryError(ValueError):
    """A malformed search query; .message is shown to the user (Chinese)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Lit:
    text: str


@dataclass(frozen=True)
class Not:
    node: object


@dataclass(frozen=True)
class All:
    nodes: tuple


@dataclass(frozen=True)
class Any:
    nodes: tuple


def _lex(q: str) -> list[tuple[str, str]]:
    out, i, n = [], 0, len(q)
    while i < n:
        c = q[i]
        if c.isspace():
            i += 1
        elif c == '"':
            end = q.find('"', i + 1)
            if end < 0:
                raise QueryError("引号没有配对，请检查查询中的引号。")
            out.append(("lit", q[i + 1 : end]))
            i = end + 1
        elif c in "()":
            out.append((c, c))
            i += 1
        elif c == "-" and i + 1 < n and not q[i + 1].isspace():
            out.append(("-", c))
            i += 1
        else:
            j = i
            while j < n and q[j] not in _WORD_END:
                j += 1
            word = q[i:j]
            out.append(("or", word) if word == "OR" else ("lit", word))
            i = j
    return out


class _Parser:
    """query := disj* ; disj := unit (OR unit)* ; unit := [-] (lit | '(' query ')')."""

    def __init__(self, tokens):
        self.tokens, self.i = tokens, 0

    def peek(self):
        return self.tokens[self.i][0] if self.i < len(self.tokens) else None

    def take(self):
        self.i += 1
        return self.tokens[self.i - 1]

    def query(self) -> All:
        nodes = []
        while self.peek() not in (None, ")"):
            if self.peek() == "or":  # a dangling OR is ignored
                self.take()
                continue
            nodes.append(self.disj())
        return All(tuple(nodes))

    def disj(self):
        nodes = [self.unit()]
        while self.peek() == "or":
            self.take()
            if self.peek() in (None, ")", "or"):
                break
            nodes.append(self.unit())
        if len(nodes) == 1:
            return nodes[0]
        if any(isinstance(n, Not) for n in nodes):
            raise QueryError("“OR”两边不能是排除词（以“-”开头的词）。")
        return Any(tuple(nodes))

    def unit(self):
        negate = False
        while self.peek() == "-":
            self.take()
            negate = not negate
        kind, text = self.take() if self.peek() is not None else (None, "")
        if kind == "(":
            node = self.query()
            if self.peek() != ")":
                raise QueryError("括号没有配对，请检查查询中的括号。")
            self.take()
        elif kind == "lit":
            node = Lit(text)
        else:
            raise QueryError("括号没有配对，请检查查询中的括号。")
        return Not(node) if negate else node


def parse(q: str) -> All | None:
    """The query tree of a search box string; None when the string is blank."""
    q = (q or "").translate(_QUERY_TABLE).strip()
    if not q:
        return None
    if len(q) > MAX_QUERY_CHARS:
        raise QueryError(f"查询内容过长（最多 {MAX_QUERY_CHARS} 个字符）。")
    parser = _Parser(_lex(q))
    tree = parser.query()
    if parser.peek() is not None:
        raise QueryError("括号没有配对，请检查查询中的括号。")
    return tree


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
    items: list[tuple[str, bool]] = []  # (token, match as prefix)
    runs = pieces(text)
    for i, (cjk, s) in enumerate(runs):
        last = i == len(runs) - 1
        if not cjk:
            items.append((s, False))
            continue
        items.extend((s[j : j + 2], False) for j in range(len(s) - 1))
        if len(s) == 1 or not last:  # a lone last char may begin a bigram in the text
            items.append((s[-1], len(s) == 1 and last))
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
    if neg and not pos:
        raise QueryError("不能只输入排除词（以“-”开头的词），请加上要搜索的字词。")
    match = wq.And(pos) if len(pos) > 1 else (pos[0] if pos else None)
    return wq.AndNot(match, wq.Or(neg)) if match is not None and neg else match


def positive_literals(node) -> list[str]:
    """The texts a matching slide may contain (everything not under an exclusion)."""
    if node is None or isinstance(node, Not):
        return []
    if isinstance(node, Lit):
        return [node.text] if pieces(node.text) else []
    return [t for n in node.nodes for t in positive_literals(n)]


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
    match = _compile(tree)
    if match is None:
        raise QueryError("查询中没有可以搜索的文字或数字。")
    literals = positive_literals(tree)
    boost = _boost_query(literals)
    return (wq.AndMaybe(match, boost) if boost is not None else match), match, literals


# Highlighting: find the literals in the stored text itself, the way the index matches them.

_SEP_ANY = f"[^{CJK}{WORD}]*"
_SEP_SOME = f"[^{CJK}{WORD}]+"


def highlight_patterns(literals: list[str]) -> list[re.Pattern]:
    """One regex per literal over folded text; separators as loose as the index is."""
    patterns = []
    for text in dict.fromkeys(literals):
        runs = pieces(text)
        parts = [re.escape(runs[0][1])]
        for (prev_cjk, _), (cjk, s) in zip(runs, runs[1:], strict=False):
            parts += [_SEP_SOME if prev_cjk == cjk else _SEP_ANY, re.escape(s)]
        head = "" if runs[0][0] else f"(?<![{WORD}])"
        tail = "" if runs[-1][0] else f"(?![{WORD}])"
        patterns.append(re.compile(head + "".join(parts) + tail))
    return patterns


def match_spans(text: str, patterns: list[re.Pattern]) -> list[tuple[int, int]]:
    """Merged, sorted (start, end) spans of all pattern matches in text."""
    folded = fold(text)
    spans = sorted(m.span() for p in patterns for m in p.finditer(folded) if m.end() > m.start())
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def _squash(text: str) -> str:
    return html.escape(re.sub(r"\s+", " ", text))


def _windows(spans, size: int, context: int, max_len: int):
    windows: list[list] = []  # [start, end, spans]
    for s, e in spans:
        lo, hi = max(0, s - context), min(size, e + context)
        if windows and lo <= windows[-1][1] and hi - windows[-1][0] <= max_len:
            windows[-1][1] = hi
            windows[-1][2].append((s, e))
        else:
            windows.append([lo, hi, [(s, e)]])
    return windows


def snippet(text: str, spans, *, fragments: int = 3, context: int = 30, fallback: int = 80) -> str:
    """Escaped HTML: up to `fragments` windows of ~context chars around <mark>ed spans."""
    if not spans:
        return _squash(text[:fallback]) + ("…" if len(text) > fallback else "")
    out = []
    for lo, hi, marks in _windows(spans, len(text), context, 4 * context + 40)[:fragments]:
        parts, cur = ["…" if lo > 0 else ""], lo
        for s, e in marks:
            parts += [_squash(text[cur:s]), "<mark>", _squash(text[s:e]), "</mark>"]
            cur = e
        parts += [_squash(text[cur:hi]), "…" if hi < len(text) else ""]
        out.append("".join(parts))
    return " ".join(out).replace("… …", "…")


def make_hit(doc: SlideDoc, score: float, patterns: list[re.Pattern]) -> Hit:
    """A hit whose snippet comes from the slide text, or from the notes if only they match."""
    text, spans = doc.text, match_spans(doc.text, patterns) if patterns else []
    if patterns and not spans and doc.notes:
        notes_spans = match_spans(doc.notes, patterns)
        if notes_spans:
            text, spans = doc.notes, notes_spans
    return Hit(
        lecture_id=doc.lecture_id,
        courseware_id=doc.courseware_id,
        slide=doc.slide,
        slide_title=doc.slide_title,
        snippet=snippet(text, spans),
        lecture_title=doc.lecture_title,
        speaker=doc.speaker,
        department=doc.department,
        category=doc.category,
        date=doc.date,
        hidden=doc.hidden,
        score=score,
    )

"""The whoosh index format: the schema, building and reading segments.

Matching field ("grams"): the exact stream of CJK bigrams and words of text.py, with positions.

Scoring field ("words"): jieba.cut_for_search (HMM off: a third faster to index, unknown words
split into characters, which scoring skips) with the policy-term user dictionary.
"""

from __future__ import annotations

import collections
import functools
import logging
import multiprocessing
import queue
import re
import shutil
import tempfile
import threading
import traceback
from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

import jieba
from whoosh import index as wix
from whoosh.analysis import Token, Tokenizer
from whoosh.codec.whoosh3 import W3Codec, W3FieldWriter
from whoosh.columns import NumericColumn
from whoosh.fields import BOOLEAN, COLUMN, ID, NUMERIC, STORED, TEXT, Schema
from whoosh.reading import EmptyReader, MultiReader, SegmentReader
from whoosh.system import pack_uint
from whoosh.writing import SegmentWriter

from lecturehub.search.index.base import SlideDoc, day_number, order_key, pack
from lecturehub.search.index.text import CJK, FIELD_SEP, WORD, fold, gram_positions, gram_tokens

INDEX_NAME = "MAIN"
BUILD_CHUNK = 500  # slides per job of a parallel build
TITLE_WEIGHT = 2.0  # extra BM25 tf of a slide-title word (half that for the talk title)
USER_DICT = Path(__file__).resolve().parent / "data" / "policy_terms.txt"

_SCORING_WORD_RE = re.compile(f"[{WORD}]|.*[{CJK}].*[{CJK}]")
_jieba_lock = threading.Lock()
_jieba_ready = False


def ensure_jieba(cache_dir: str | Path | None = None) -> None:
    """Load jieba's dictionary and our user dictionary once per process (thread-safe)."""
    global _jieba_ready
    if _jieba_ready:
        return
    with _jieba_lock:
        if _jieba_ready:
            return
        jieba.setLogLevel(logging.WARNING)
        jieba.dt.tmp_dir = str(cache_dir or tempfile.gettempdir())
        jieba.initialize()
        jieba.load_userdict(str(USER_DICT))
        _jieba_ready = True


@functools.lru_cache(maxsize=4096)
def segment_words(text: str) -> tuple[str, ...]:
    """jieba.cut_for_search of the folded text, keeping Latin/digit words and CJK words of two
    or more characters (single characters are left to the exact field); cached."""
    ensure_jieba()
    return tuple(
        w for w in jieba.cut_for_search(fold(text), HMM=False) if _SCORING_WORD_RE.match(w)
    )


@dataclass(frozen=True)
class Prepared:
    """Postings computed ahead of the writer lock: (term bytes, freq, weight, value bytes)."""

    items: tuple[tuple[bytes, int, float, bytes], ...]


_TOKEN_DEFAULTS = {
    "positions": False,
    "chars": False,
    "keeporiginal": False,
    "removestops": True,
    "start_pos": 0,
    "start_char": 0,
    "mode": "",
}


def _token(options: dict) -> tuple[Token, dict]:
    """The reusable Token of a tokenizer call and the call's options with whoosh's defaults."""
    opts = {**_TOKEN_DEFAULTS, **options}
    extra = {k: v for k, v in opts.items() if k not in _TOKEN_DEFAULTS}
    token = Token(
        opts["positions"],
        opts["chars"],
        removestops=opts["removestops"],
        mode=opts["mode"],
        **extra,
    )
    return token, opts


class GramTokenizer(Tokenizer):
    """The matching stream as whoosh Tokens (indexing itself uses the faster gram_positions)."""

    def __call__(self, value, **options):
        """whoosh's Tokenizer call: positions, chars, keeporiginal, start_pos, start_char, …"""
        t, opts = _token(options)
        positions, chars, keeporiginal = opts["positions"], opts["chars"], opts["keeporiginal"]
        start_pos, start_char = opts["start_pos"], opts["start_char"]
        for text, pos, startchar, endchar in gram_tokens(value):
            t.text, t.boost, t.stopped = text, 1.0, False
            if keeporiginal:
                t.original = text
            if positions:
                t.pos = start_pos + pos
            if chars:
                t.startchar, t.endchar = start_char + startchar, start_char + endchar
            yield t


class JiebaTokenizer(Tokenizer):
    """jieba.cut_for_search words as whoosh Tokens (frequency only, no positions)."""

    def __call__(self, value, **options):
        t, opts = _token(options)
        positions, start_pos = opts["positions"], opts["start_pos"]
        for i, word in enumerate(segment_words(value)):
            t.text, t.boost, t.stopped = word, 1.0, False
            if positions:
                t.pos = start_pos + i
            yield t


class GramField(TEXT):
    """Positions field fed by gram_positions; accepts a str or a Prepared value."""

    def __init__(self):
        super().__init__(analyzer=GramTokenizer(), phrase=True)

    def prepare(self, text: str, extra: tuple[tuple[str, float], ...] = ()) -> Prepared:
        """Postings of text; each token also found in an (extra text, weight) pair weighs more."""
        encode, boost = self.format.encode, self.format.field_boost
        positions = gram_positions(text)
        weights = {w: float(len(p)) for w, p in positions.items()}
        for extra_text, weight in extra:
            for w, p in gram_positions(extra_text).items():
                if w in weights:
                    weights[w] += weight * len(p)
        return Prepared(
            tuple((w.encode(), len(p), boost * weights[w], encode(p)) for w, p in positions.items())
        )

    def index(self, value, **kwargs):
        return (value if isinstance(value, Prepared) else self.prepare(value)).items


class WordsField(TEXT):
    """Frequency field of jieba words; accepts a str or a Prepared value."""

    def __init__(self):
        super().__init__(analyzer=JiebaTokenizer(), phrase=False)

    def prepare(self, parts: list[tuple[str, float]]) -> Prepared:
        """Postings of (text, weight) parts: a word's weight (its BM25 tf) sums its parts'."""
        freqs: Counter[str] = Counter()
        weights: defaultdict[str, float] = defaultdict(float)
        for text, weight in parts:
            for word in segment_words(text):
                freqs[word] += 1
                weights[word] += weight
        boost = self.format.field_boost
        return Prepared(
            tuple((w.encode(), f, boost * weights[w], pack_uint(f)) for w, f in freqs.items())
        )

    def index(self, value, **kwargs):
        return (value if isinstance(value, Prepared) else self.prepare([(value, 1.0)])).items


# What one slide becomes in the index ---------------------------------------------------------


def make_schema() -> Schema:
    """grams matches (exact), words scores, data holds the SlideDoc; the rest filter/sort."""
    return Schema(
        lecture=ID(),
        deck=ID(),
        category=ID(),
        department=ID(),
        speaker=ID(),
        series=ID(),
        day=NUMERIC(int, bits=32, shift_step=8),
        hidden=BOOLEAN(),
        order=COLUMN(NumericColumn("q")),
        grams=GramField(),
        words=WordsField(),
        data=STORED(),
    )


SCHEMA = make_schema()


def document(doc: SlideDoc) -> dict:
    """The whoosh fields of one slide; the analysis runs here, before any lock is taken."""
    content = FIELD_SEP.join((doc.slide_title, doc.text, doc.notes))
    words = [(content, 1.0), (doc.slide_title, TITLE_WEIGHT), (doc.lecture_title, TITLE_WEIGHT / 2)]
    return dict(
        lecture=str(doc.lecture_id),
        deck=f"{doc.lecture_id}:{doc.courseware_id}",
        category=doc.category or None,
        department=doc.department or None,
        speaker=doc.speaker or None,
        series=None if doc.series_id is None else str(doc.series_id),
        day=day_number(doc.date),
        hidden=bool(doc.hidden),
        order=order_key(doc),
        grams=SCHEMA["grams"].prepare(content, words[1:]),
        words=SCHEMA["words"].prepare(words),
        data=pack(doc),
    )


# Building a generation (rebuild) -------------------------------------------------------------


class _CachedLengths:
    """The segment's field lengths, each read once: whoosh looks one up per posting."""

    def __init__(self, lengths):
        self._read, self._cache = lengths.doc_field_length, {}

    def doc_field_length(self, docnum, fieldname, default=0):
        key = (docnum, fieldname)
        length = self._cache.get(key)
        if length is None:
            length = self._cache[key] = self._read(docnum, fieldname, default)
        return length


class _BuildFieldWriter(W3FieldWriter):
    def add_postings(self, schema, lengths, items):
        return super().add_postings(schema, lengths and _CachedLengths(lengths), items)


class _BuildCodec(W3Codec):
    def field_writer(self, storage, segment):
        return _BuildFieldWriter(self, storage, segment)


def build_codec() -> W3Codec:
    return _BuildCodec(compression=1)  # fastest zlib level: same size as the default here


def segment_worker(path: str, jobs, results, limitmb: int) -> None:
    """(Process) index chunks of SlideDocs from jobs into one segment; put (count, seg, error)."""
    try:
        ix = wix.open_dir(path, indexname=INDEX_NAME, schema=SCHEMA)
        writer = SegmentWriter(ix, _lk=False, limitmb=limitmb, codec=build_codec())
        count = 0
        for chunk in iter(jobs.get, None):
            for doc in chunk:
                writer.add_document(**document(doc))
            count += len(chunk)
        # Neither cancel() nor _finish(): they delete the temp dir the other workers share.
        if not count:
            writer._close_segment()
            results.put((0, None, None))
            return
        results.put((count, writer._finalize_segment(), None))  # as whoosh's MpWriter does
    except BaseException as exc:
        results.put((0, None, "".join(traceback.format_exception(exc))))


def _patient(op, workers) -> object:
    """Run a queue put/get with 1 s timeouts until it succeeds; raise if the workers died."""
    while True:
        try:
            return op()
        except (queue.Full, queue.Empty):
            if not any(w.is_alive() for w in workers):
                raise RuntimeError("index build worker processes died") from None


def build_parallel(path: Path, docs, progress, procs: int, limitmb: int) -> int:
    """Index docs in `procs` spawned processes, one segment each, committed together."""
    ctx = multiprocessing.get_context("spawn")
    jobs, results = ctx.Queue(maxsize=2 * procs), ctx.Queue()
    args = (str(path), jobs, results, limitmb)
    workers = [ctx.Process(target=segment_worker, args=args, daemon=True) for _ in range(procs)]
    for w in workers:
        w.start()
    try:
        sent, docs = 0, iter(docs)
        while chunk := list(islice(docs, BUILD_CHUNK)):
            _patient(lambda c=chunk: jobs.put(c, timeout=1), workers)
            sent += len(chunk)
            if progress is not None:
                progress(sent)
        for _ in workers:
            _patient(lambda: jobs.put(None, timeout=1), workers)
        outcomes = [_patient(lambda: results.get(timeout=1), workers) for _ in workers]
    finally:
        for w in workers:
            w.join(timeout=5)
            if w.is_alive():
                w.terminate()
    errors = [error for _, _, error in outcomes if error]
    if errors:
        raise RuntimeError(f"index build failed: {errors[0]}")
    writer = wix.open_dir(str(path), indexname=INDEX_NAME, schema=SCHEMA).writer()
    writer.segments.extend(seg for _, seg, _ in outcomes if seg is not None)
    writer.commit(merge=False)  # also deletes files of no segment (an idle worker's)
    shutil.rmtree(path / f"{INDEX_NAME}.tmp", ignore_errors=True)
    return sum(count for count, _, _ in outcomes)


def build_serial(path: Path, docs, progress, limitmb: int) -> int:
    writer = wix.open_dir(str(path), indexname=INDEX_NAME, schema=SCHEMA).writer(
        limitmb=limitmb, codec=build_codec()
    )
    count = 0
    try:
        for doc in docs:
            writer.add_document(**document(doc))
            count += 1
            if progress is not None and count % BUILD_CHUNK == 0:
                progress(count)
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    if progress is not None:
        progress(count)
    return count


# Reading the index ----------------------------------------------------------------------------


def open_reader(ix, old):
    """A reader of the latest TOC reusing old's segment readers whose deletions are unchanged."""
    toc = wix.TOC.read(ix.storage, INDEX_NAME, schema=SCHEMA)
    reusable = {}
    if old is not None:
        reusable = {r.segment().segment_id(): r for r, _ in old.leaf_readers() if r.segment()}
    readers = []
    for seg in toc.segments:
        r = reusable.get(seg.segment_id())
        if r is not None and set(r.segment().deleted_docs()) == set(seg.deleted_docs()):
            del reusable[seg.segment_id()]
        else:
            r = SegmentReader(ix.storage, SCHEMA, seg, generation=toc.generation)
        readers.append(r)
    for r in reusable.values():
        r.close()
    if len(readers) > 1:
        return MultiReader(readers, generation=toc.generation), toc.generation
    return (readers[0] if readers else EmptyReader(SCHEMA)), toc.generation


def live_decks(reader) -> dict[int, int]:
    decks = {}
    for term in reader.lexicon("deck"):
        if reader.postings("deck", term).is_active():  # postings skip deleted docs
            lecture, courseware = term.decode().split(":")
            decks[int(lecture)] = int(courseware)
    return decks


def probe(reader) -> None:
    """Read each segment's stored fields, lengths and column (first, middle, last document) and
    postings from the start and the very end of its postings file; raises if anything is broken."""
    for leaf, _ in reader.leaf_readers():
        n = leaf.doc_count_all()
        for docnum in {0, n // 2, n - 1} if n else ():
            leaf.stored_fields(docnum)
            leaf.doc_field_length(docnum, "grams")
            leaf.column_reader("order")[docnum]
        for term in islice(leaf.lexicon("grams"), 50):
            list(leaf.postings("grams", term).all_ids())
        last = collections.deque(leaf.lexicon("words"), maxlen=1)  # last field: ends the file
        if last:
            list(leaf.postings("words", last[0]).all_ids())

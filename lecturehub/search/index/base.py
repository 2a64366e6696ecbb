"""What every engine shares: the documents, the request, the results and the engine protocol.

A slide goes in as a ``SlideDoc``; a search comes in as a ``SearchQuery`` (the query text, the
filters, sort and page: one frozen value instead of a dozen arguments) and goes out as a
``SearchResult`` of ``Hit``s. An ``Engine`` (whoosh, tantivy, postgres) stores the documents and
finds the matching ones (``Found``: the exact total and the page's documents with their
scores); parsing the query and highlighting the hits happen once, above the engines
(``SlideIndex``), so they behave the same everywhere.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import NamedTuple, Protocol

SORTS = ("relevance", "date")


class QueryError(ValueError):
    """A malformed search query; .message is shown to the user (Chinese)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class IndexUnavailableError(RuntimeError):
    """The index cannot be opened (missing, old schema, corrupt files): rebuild it."""


class IndexBusyError(TimeoutError):
    """No write lock within writer_timeout (other writers keep the index busy)."""


@dataclass(frozen=True)
class SlideDoc:
    """One slide of the current courseware version of a talk."""

    lecture_id: int
    courseware_id: int
    slide: int
    slide_title: str
    text: str
    notes: str
    hidden: bool
    lecture_title: str
    speaker: str
    department: str
    category: str
    date: datetime.date
    series_id: int


@dataclass(frozen=True)
class TalkMeta:
    """The talk-level fields every slide of a talk carries (names, not ids)."""

    lecture_title: str
    speaker: str
    department: str
    category: str
    date: datetime.date
    series_id: int | None

    def apply(self, doc: SlideDoc) -> SlideDoc:
        return dataclasses.replace(doc, **dataclasses.asdict(self))


@dataclass(frozen=True)
class SearchQuery:
    """One search: the box's text, the filters, the order and the page."""

    text: str = ""
    category: str | None = None
    department: str | None = None
    speaker: str | None = None
    series_id: int | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    include_hidden: bool = True

    def __post_init__(self):
        if self.sort not in SORTS or self.page < 1 or self.per_page < 1:
            raise ValueError("sort must be relevance|date, page and per_page >= 1")

    @property
    def limit(self) -> int:
        """How many best documents the page needs (it shows the last per_page of them)."""
        return self.page * self.per_page

    @property
    def offset(self) -> int:
        return self.limit - self.per_page

    def terms(self) -> dict[str, str]:
        """The exact-value filters in use: field name -> value (series as text)."""
        values = {
            "category": self.category,
            "department": self.department,
            "speaker": self.speaker,
            "series": None if self.series_id is None else str(self.series_id),
        }
        return {k: v for k, v in values.items() if v is not None}

    @property
    def day_range(self) -> tuple[int | None, int | None] | None:
        """(first, last) day numbers of the date filter, None when there is none."""
        if self.date_from is None and self.date_to is None:
            return None
        return tuple(d and day_number(d) for d in (self.date_from, self.date_to))


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


@dataclass(frozen=True)
class IndexStatus:
    state: str  # "ok" | "missing" | "corrupt"
    decks: dict[int, int] = dataclasses.field(default_factory=dict)  # lecture_id -> courseware_id
    doc_count: int = 0
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.state == "ok"


class Found(NamedTuple):
    """An engine's answer: the exact number of matches and the page's (score, document)s."""

    total: int
    rows: list[tuple[float, SlideDoc]]


Progress = Callable[[int], None]


class Engine(Protocol):
    """What an engine does; SlideIndex adds the query syntax and the highlighting."""

    name: str

    def add_deck(self, slides: list[SlideDoc]) -> None:
        """Replace every slide of the talk by these (one talk, atomically)."""

    def remove_deck(self, lecture_id: int) -> None: ...

    def update_meta(self, lecture_id: int, meta: TalkMeta) -> int:
        """Set the talk's fields on its indexed slides; returns how many (0: not indexed)."""

    def find(self, tree, request: SearchQuery) -> Found:
        """The matches of a parsed, validated query tree (None: every slide, newest first)."""

    def indexed_decks(self) -> dict[int, int]:
        """lecture_id -> courseware_id of every talk in the index."""

    def rebuild(self, docs: Iterable[SlideDoc], progress: Progress | None = None) -> int:
        """Index docs beside the live index, then swap it in; returns the count."""

    def check(self) -> IndexStatus:
        """ok / missing / corrupt; never raises."""

    def close(self) -> None: ...


def day_number(d: datetime.date) -> int:
    return d.year * 10000 + d.month * 100 + d.day


def order_key(doc: SlideDoc) -> int:
    """Sort key for "newest first": date desc, then talk, then slide ascending."""
    lecture = min(max(doc.lecture_id, 0), 10**9 - 1)
    return (doc.date.toordinal() - 700_000) * 10**13 + lecture * 10**4 + 9999 - min(doc.slide, 9999)


def pack(doc: SlideDoc) -> tuple:
    """A SlideDoc as a tuple of JSON-friendly values (the date as ISO text)."""
    values = [getattr(doc, name) for name in _SLIDE_FIELDS]
    values[_DATE_AT] = doc.date.isoformat()
    return tuple(values)


_SLIDE_FIELDS = tuple(f.name for f in dataclasses.fields(SlideDoc))
_DATE_AT = _SLIDE_FIELDS.index("date")


def unpack(values) -> SlideDoc:
    doc = SlideDoc(*values)
    return dataclasses.replace(doc, date=datetime.date.fromisoformat(doc.date))


def group_by_lecture(hits: Iterable[Hit]) -> list[tuple[int, list[Hit]]]:
    """Hits grouped per talk, talks in order of their first hit, slides in hit order."""
    groups: dict[int, list[Hit]] = {}
    for hit in hits:
        groups.setdefault(hit.lecture_id, []).append(hit)
    return list(groups.items())


def single_lecture(slides: list[SlideDoc]) -> int:
    lecture_ids = {s.lecture_id for s in slides}
    if len(lecture_ids) != 1:
        raise ValueError("add_deck needs the slides of exactly one lecture")
    return lecture_ids.pop()

"""The search request: query string arguments checked once for the page and the API.

Names (the API contract): q, category, department, speaker, series, from, to, sort, page,
per_page. Anything malformed is a ServiceError "bad_query" (400) with a Chinese message.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from lecturehub.core.errors import ServiceError
from lecturehub.schedule.models import CATEGORIES

MAX_PER_PAGE = 100
MAX_PAGE = 1000
SORTS = {"relevance": "相关度", "date": "时间"}
FILTER_ARGS = ("category", "department", "speaker", "series", "from", "to")


def bad_query(message: str) -> ServiceError:
    return ServiceError(message, "bad_query", 400)


@dataclass(frozen=True)
class SearchParams:
    q: str = ""
    category: str | None = None
    department: str | None = None
    speaker: str | None = None
    series_id: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20

    @property
    def blank(self) -> bool:
        return not self.q.strip()

    def index_filters(self) -> dict:
        """Keyword arguments of SlideIndex.search (and services.search) for the filters."""
        return {
            "category": self.category,
            "department": self.department,
            "speaker": self.speaker,
            "series_id": self.series_id,
            "date_from": self.date_from,
            "date_to": self.date_to,
        }

    def args(self) -> dict[str, str]:
        """The query string of these parameters (defaults left out), for links."""
        values = {
            "q": self.q,
            "category": self.category,
            "department": self.department,
            "speaker": self.speaker,
            "series": self.series_id,
            "from": self.date_from,
            "to": self.date_to,
            "sort": None if self.sort == "relevance" else self.sort,
            "page": None if self.page == 1 else self.page,
        }
        return {k: str(v) for k, v in values.items() if v not in (None, "")}

    def active_filters(self) -> list[str]:
        """The names of the filter arguments in use, in form order."""
        return [name for name in FILTER_ARGS if name in self.args()]

    def without(self, name: str) -> dict[str, str]:
        """The query string with one filter dropped, back on page 1."""
        return {k: v for k, v in self.args().items() if k not in (name, "page")}

    def replace(self, **changes) -> SearchParams:
        return dataclasses.replace(self, **changes)


def _text(args: Mapping, name: str) -> str | None:
    value = (args.get(name) or "").strip()
    return value or None


def _int(args: Mapping, name: str, label: str, default: int | None) -> int | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise bad_query(f"{label}必须是正整数。")
    return int(raw)


def _date(args: Mapping, name: str, label: str) -> dt.date | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise bad_query(f"{label}格式应为 YYYY-MM-DD。") from None


def _category(args: Mapping) -> str | None:
    category = _text(args, "category")
    if category is not None and category not in CATEGORIES:
        raise bad_query(f"讲学类别必须是：{'、'.join(CATEGORIES)}。")
    return category


def _sort(args: Mapping) -> str:
    sort = _text(args, "sort") or "relevance"
    if sort not in SORTS:
        raise bad_query("排序方式必须是 relevance（相关度）或 date（时间）。")
    return sort


def parse(args: Mapping, per_page: int = 20) -> SearchParams:
    """SearchParams from request.args; per_page is capped at MAX_PER_PAGE."""
    params = SearchParams(
        q=(args.get("q") or "").strip(),
        category=_category(args),
        department=_text(args, "department"),
        speaker=_text(args, "speaker"),
        series_id=_int(args, "series", "系列", None),
        date_from=_date(args, "from", "开始日期"),
        date_to=_date(args, "to", "结束日期"),
        sort=_sort(args),
        page=_int(args, "page", "页码", 1),
        per_page=min(_int(args, "per_page", "每页条数", per_page), MAX_PER_PAGE),
    )
    if params.page > MAX_PAGE:
        raise bad_query(f"页码不能超过 {MAX_PAGE}。")
    if params.date_from and params.date_to and params.date_from > params.date_to:
        raise bad_query("开始日期不能晚于结束日期。")
    return params

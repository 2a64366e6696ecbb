"""Planning a term: sessions of a series for a date range, skipping statutory holidays.

Holidays come from ``chinesecalendar``. ``get_holiday_detail`` says ``True`` for ordinary
weekends too, so a *statutory* holiday is a day off that carries a holiday name. Years the
installed package does not know raise ``NotImplementedError``: those sessions are still
generated, and the result carries a warning so 党政办 checks them by hand.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import chinese_calendar
from sqlalchemy import or_, select

from lecturehub.core.errors import ServiceError
from lecturehub.extensions import db
from lecturehub.schedule.models import Series, Session

MAX_RANGE_DAYS = 366 * 2
HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


@dataclass(frozen=True)
class Skipped:
    date: dt.date
    series: Series
    reason: str


@dataclass
class GenerationResult:
    created: list[Session] = field(default_factory=list)
    existing: list[Session] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    unknown_years: set[int] = field(default_factory=set)

    @property
    def warnings(self) -> list[str]:
        return [unknown_year_warning(year) for year in sorted(self.unknown_years)]


def unknown_year_warning(year: int) -> str:
    return (
        f"{year} 年的法定节假日尚未收录（chinesecalendar 需要更新），"
        "这些日期未排除节假日，请人工核对"
    )


def holiday_name(day: dt.date) -> str | None:
    """The Chinese name of the statutory holiday on ``day``; None on a working day or weekend.

    Raises ``NotImplementedError`` for a year the installed chinesecalendar does not know.
    """
    is_holiday, name = chinese_calendar.get_holiday_detail(day)
    if is_holiday and name:
        return HOLIDAY_NAMES_ZH.get(name, name)
    return None


def check_not_holiday(day: dt.date) -> None:
    """Refuse a date that is a statutory holiday (unknown years pass: nothing to check)."""
    try:
        name = holiday_name(day)
    except NotImplementedError:
        return
    if name:
        raise ServiceError(f"{day.isoformat()} 是法定节假日（{name}），不安排活动。", "holiday")


def validate_range(start: dt.date | None, end: dt.date | None) -> None:
    if start is None or end is None:
        raise ServiceError("请填写开始和结束日期（格式 YYYY-MM-DD）。", "bad_range")
    if end < start:
        raise ServiceError("结束日期不能早于开始日期。", "bad_range")
    if (end - start).days > MAX_RANGE_DAYS:
        raise ServiceError("日期范围不能超过两年。", "range_too_long")


def in_summer(series: Series, day: dt.date) -> bool:
    if series.summer_start_time is None:
        return False
    return series.summer_from <= day.strftime("%m-%d") <= series.summer_to


def start_time_for(series: Series, day: dt.date) -> dt.time:
    """The series' start on ``day``: the summer time between summer_from and summer_to."""
    return series.summer_start_time if in_summer(series, day) else series.start_time


def _dates(start: dt.date, end: dt.date, weekdays: list[int]):
    day = start
    while day <= end:
        if day.weekday() in weekdays:
            yield day
        day += dt.timedelta(days=1)


def _taken_dates(series: Series, start: dt.date, end: dt.date) -> dict[dt.date, Session]:
    """Regular sessions of the series by original date and by current date (moved ones too)."""
    begin = dt.datetime.combine(start, dt.time.min)
    finish = dt.datetime.combine(end, dt.time.max)
    rows = db.session.scalars(
        select(Session).where(
            Session.series_id == series.id,
            or_(Session.date.between(start, end), Session.moved_from.between(begin, finish)),
        )
    )
    taken: dict[dt.date, Session] = {}
    for row in rows:
        if not row.is_extra:
            taken.setdefault(row.date, row)
            if row.moved_from is not None:
                taken.setdefault(row.moved_from.date(), row)
    return taken


def _starts_taken(series: Series, start: dt.date, end: dt.date) -> set[dt.datetime]:
    query = select(Session.starts_at).where(
        Session.series_id == series.id, Session.date.between(start, end)
    )
    return set(db.session.scalars(query))


def _plan_series(series: Series, start: dt.date, end: dt.date, result: GenerationResult):
    taken = _taken_dates(series, start, end)
    starts = _starts_taken(series, start, end)
    for day in _dates(start, end, series.weekday_list):
        if day in taken:
            result.existing.append(taken[day])
            continue
        try:
            name = holiday_name(day)
        except NotImplementedError:
            name = None
            result.unknown_years.add(day.year)
        if name:
            result.skipped.append(Skipped(day, series, f"法定节假日（{name}）"))
            continue
        starts_at = dt.datetime.combine(day, start_time_for(series, day))
        if starts_at in starts:
            result.skipped.append(Skipped(day, series, "该时间已有一场临时活动"))
            continue
        session = Session(
            series=series,
            date=day,
            starts_at=starts_at,
            venue=series.venue,
            duration_minutes=series.duration_minutes,
        )
        db.session.add(session)
        result.created.append(session)


def generate_sessions(
    start: dt.date | None, end: dt.date | None, series: list[Series]
) -> GenerationResult:
    """Create the missing sessions of ``series`` in [start, end]; never changes or deletes any.

    Idempotent: a series already having a regular session on a date (where it is now or where
    it was before a move) gets nothing new there.
    """
    validate_range(start, end)
    result = GenerationResult()
    for one in series:
        _plan_series(one, start, end, result)
    db.session.commit()
    result.created.sort(key=lambda s: s.starts_at)
    result.skipped.sort(key=lambda s: (s.date, s.series.id))
    return result

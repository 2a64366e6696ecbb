"""Planning a term: weekdays, seasonal start times, statutory holidays, idempotency."""

from __future__ import annotations

import datetime as dt

import pytest

from lecturehub.core.errors import ServiceError
from lecturehub.schedule import services
from lecturehub.schedule.models import Session
from tests.factories.schedule import generate, lecture_series, make_lecture


def _starts(kind: str, start: str, end: str) -> list[dt.datetime]:
    sessions = services.list_sessions(
        dt.date.fromisoformat(start), dt.date.fromisoformat(end), kind=kind
    )
    return [s.starts_at for s in sessions]


def test_national_day_week_has_no_sessions_and_lectures_are_on_mon_and_wed(db):
    result = generate("2026-09-28", "2026-10-12")
    assert _starts("lecture", "2026-09-28", "2026-10-12") == [
        dt.datetime(2026, 9, 28, 19, 0),
        dt.datetime(2026, 9, 30, 19, 0),
        dt.datetime(2026, 10, 12, 19, 0),
    ]
    assert [(s.date.isoformat(), s.reason) for s in result.skipped] == [
        ("2026-10-01", "法定节假日（国庆节）"),
        ("2026-10-05", "法定节假日（国庆节）"),
        ("2026-10-06", "法定节假日（国庆节）"),
        ("2026-10-07", "法定节假日（国庆节）"),
    ]
    assert result.warnings == []


def test_training_starts_at_six_in_summer_and_half_past_six_in_winter(db):
    generate("2026-09-28", "2026-10-12")
    assert _starts("training", "2026-09-28", "2026-10-12") == [
        dt.datetime(2026, 9, 29, 6, 0),
        dt.datetime(2026, 10, 8, 6, 30),
    ]


def test_venues_and_durations_come_from_the_series(db):
    generate("2026-09-28", "2026-09-29")
    sessions = services.list_sessions(dt.date(2026, 9, 28), dt.date(2026, 9, 29))
    assert [(s.venue, s.duration_minutes) for s in sessions] == [
        ("乡文化乐园", 60),
        ("乡文化乐园广场", 30),
    ]


def test_second_generation_creates_nothing(db):
    first = generate("2026-09-28", "2026-10-12")
    again = generate("2026-09-28", "2026-10-12")
    assert (len(first.created), len(again.created), len(again.existing)) == (5, 0, 5)
    assert db.session.query(Session).count() == 5


def test_generation_does_not_recreate_a_moved_session_nor_delete_a_talk(db):
    lecture = make_lecture("2026-12-07")
    services.move_session(
        lecture.session,
        services.SessionMove(dt.date(2026, 12, 8), dt.time(19, 0), "会议冲突"),
        now=dt.datetime(2026, 11, 1),
    )
    result = generate("2026-12-07", "2026-12-09", "lecture")
    assert [s.date for s in result.created] == [dt.date(2026, 12, 9)]
    assert db.session.query(Session).count() == 2
    assert lecture.session.date == dt.date(2026, 12, 8)


def test_unknown_year_is_generated_with_a_warning(db):
    result = generate("2026-12-28", "2027-01-06", "lecture")
    assert [s.date.isoformat() for s in result.created] == [
        "2026-12-28",
        "2026-12-30",
        "2027-01-04",
        "2027-01-06",
    ]
    assert result.warnings == [
        "2027 年的法定节假日尚未收录（chinesecalendar 需要更新），这些日期未排除节假日，请人工核对"
    ]


def test_holiday_names_are_translated(db):
    result = generate("2026-02-16", "2026-02-18", "lecture")
    assert [(s.date.isoformat(), s.reason) for s in result.skipped] == [
        ("2026-02-16", "法定节假日（春节）"),
        ("2026-02-18", "法定节假日（春节）"),
    ]


def test_reversed_range_is_refused_and_creates_nothing(db):
    with pytest.raises(ServiceError) as refused:
        generate("2026-10-12", "2026-09-28")
    assert refused.value.message == "结束日期不能早于开始日期。"
    assert db.session.query(Session).count() == 0


def test_range_longer_than_two_years_is_refused(db):
    with pytest.raises(ServiceError) as refused:
        generate("2024-01-01", "2026-03-01")
    assert refused.value.message == "日期范围不能超过两年。"
    assert db.session.query(Session).count() == 0


def test_cli_prints_created_and_skipped(runner, db):
    result = runner.invoke(
        args=[
            "schedule",
            "generate",
            "--from",
            "2026-09-28",
            "--to",
            "2026-10-12",
            "--series",
            str(lecture_series().id),
        ]
    )
    assert result.exit_code == 0, result.output
    assert "新建  2026年9月28日（周一） 19:00  每周两课  乡文化乐园" in result.output
    assert "跳过  2026-10-05  每周两课  法定节假日（国庆节）" in result.output
    assert "共新建 3 场，已存在 0 场，跳过 2 场。" in result.output


def test_cli_refuses_a_reversed_range(runner, db):
    result = runner.invoke(
        args=["schedule", "generate", "--from", "2026-10-12", "--to", "2026-09-28"]
    )
    assert result.exit_code == 2
    assert "结束日期不能早于开始日期" in result.output
    assert db.session.query(Session).count() == 0

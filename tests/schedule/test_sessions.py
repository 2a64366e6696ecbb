"""Changes to sessions: cancel, move, one-off sessions, series settings."""

from __future__ import annotations

import datetime as dt

import pytest

from lecturehub.core.errors import ServiceError
from lecturehub.schedule import services
from lecturehub.schedule.models import Session
from tests.factories.schedule import generate, make_lecture, make_session, training_series

BEFORE = dt.datetime(2026, 11, 1, 9, 0)


def test_moved_session_keeps_its_talk_and_its_deadline_follows(db):
    lecture = make_lecture("2026-12-07")
    session = services.move_session(
        lecture.session,
        services.SessionMove(
            dt.date(2026, 12, 8), dt.time(19, 30), "与县里会议冲突", venue="乡政府会议室"
        ),
        now=BEFORE,
    )
    db.session.expire_all()
    assert session.lecture.id == lecture.id
    assert (session.starts_at, session.venue, session.display_status) == (
        dt.datetime(2026, 12, 8, 19, 30),
        "乡政府会议室",
        "moved",
    )
    assert session.moved_from == dt.datetime(2026, 12, 7, 19, 0)
    assert (session.sequence, lecture.deadline) == (1, dt.datetime(2026, 12, 6, 18, 0))


def test_moving_onto_another_session_of_the_same_series_is_refused(db):
    generate("2026-12-07", "2026-12-09", "lecture")
    monday = make_session("2026-12-07")
    with pytest.raises(ServiceError) as refused:
        services.move_session(
            monday, services.SessionMove(dt.date(2026, 12, 9), dt.time(15, 0), "调整"), now=BEFORE
        )
    assert refused.value.message == "每周两课在 2026-12-09 已有一场活动，不能调整到同一天。"
    db.session.expire_all()
    assert (monday.starts_at, monday.moved_from) == (dt.datetime(2026, 12, 7, 19, 0), None)


def test_moving_onto_a_holiday_is_refused(db):
    session = make_session("2026-09-30")
    with pytest.raises(ServiceError) as refused:
        services.move_session(
            session,
            services.SessionMove(dt.date(2026, 10, 2), dt.time(19, 0), "调整"),
            now=dt.datetime(2026, 9, 1),
        )
    assert refused.value.message == "2026-10-02 是法定节假日（国庆节），不安排活动。"
    db.session.expire_all()
    assert session.date == dt.date(2026, 9, 30)


def test_moving_needs_a_reason(db):
    session = make_session("2026-12-07")
    with pytest.raises(ServiceError) as refused:
        services.move_session(
            session, services.SessionMove(dt.date(2026, 12, 8), dt.time(19, 0), " "), now=BEFORE
        )
    assert refused.value.code == "missing_reason"


def test_cancelled_session_keeps_its_reason_and_bumps_sequence(db):
    session = make_session("2026-12-08", kind="training")
    services.cancel_session(session, "暴雨预警", now=BEFORE)
    db.session.expire_all()
    assert (session.display_status, session.change_reason, session.sequence) == (
        "cancelled",
        "暴雨预警",
        1,
    )


def test_a_past_session_cannot_be_cancelled(db):
    session = make_session("2026-12-08", kind="training")
    with pytest.raises(ServiceError):
        services.cancel_session(session, "补记", now=dt.datetime(2027, 1, 1))
    assert session.status == "scheduled"


def test_extra_session_has_its_own_title(db):
    spec = services.ExtraSession(
        training_series(),
        dt.date(2026, 12, 12),
        dt.time(8, 30),
        "双拥运动会",
        venue="乡中心学校操场",
        duration_minutes=180,
    )
    extra = services.add_extra_session(spec, now=BEFORE)
    assert (extra.label, extra.is_extra, extra.ends_at) == (
        "双拥运动会",
        True,
        dt.datetime(2026, 12, 12, 11, 30),
    )


def test_series_change_applies_to_future_unmoved_sessions_only(db):
    generate("2026-11-02", "2026-11-30", "training")
    moved = make_session("2026-11-26", kind="training")
    services.move_session(
        moved, services.SessionMove(dt.date(2026, 11, 27), dt.time(7, 0), "改期"), now=BEFORE
    )
    series = training_series()
    values = {name: getattr(series, name) for name in services.SERIES_FIELDS}
    values.update(start_time=dt.time(7, 0), venue="乡政府大院", weekdays=[1, 3])
    changed = services.update_series(series, now=dt.datetime(2026, 11, 20, 12, 0), **values)
    starts = {s.date.isoformat(): (s.starts_at.time(), s.venue) for s in db.session.query(Session)}
    assert changed == 1
    assert starts["2026-11-17"] == (dt.time(6, 30), "乡文化乐园广场")  # already held
    assert starts["2026-11-24"] == (dt.time(7, 0), "乡政府大院")
    assert starts["2026-11-27"] == (dt.time(7, 0), "乡文化乐园广场")  # moved: kept its own


def test_series_settings_refuse_bad_input(db):
    series = training_series()
    values = {name: getattr(series, name) for name in services.SERIES_FIELDS}
    with pytest.raises(ServiceError) as refused:
        services.update_series(series, **dict(values, weekdays=[], venue="x"))
    assert refused.value.code == "bad_weekdays"
    with pytest.raises(ServiceError) as refused:
        services.update_series(series, **dict(values, weekdays=[1], summer_from="13-40"))
    assert refused.value.code == "bad_season"

"""Absence is computed: expected people × session, with leave, exemptions and exclusions — and
only at a session with at least one record (``recorded``); one nobody recorded is 待补录."""

from __future__ import annotations

import datetime as dt

from lecturehub.attendance import exemptions, records
from lecturehub.attendance import leave as leave_service
from lecturehub.core.timeutil import now
from tests.factories import make_user
from tests.factories.attendance import (
    T0,
    approved_leave,
    ask_leave,
    exempt,
    make_leader,
    make_session,
    series_of,
    sign_in,
)

AFTER = T0 + dt.timedelta(hours=2)
TRAINING_AT = dt.datetime(2026, 11, 24, 6, 30)


def _statuses(session, now):
    return {user.login: cell.status for user, cell in records.session_sheet(session, now).rows}


def held(session, login: str = "witness"):
    """Someone signs in by QR: the session is recorded (absences count)."""
    return sign_in(session, make_user(login), session.starts_at)


def test_not_signed_in_is_pending_while_the_window_is_open_then_absent(app):
    session = make_session(T0)
    make_user("zhang")
    held(session)
    assert _statuses(session, T0)["zhang"] == "pending"
    assert _statuses(session, T0 + dt.timedelta(minutes=30))["zhang"] == "absent"


def test_a_session_nobody_recorded_makes_nobody_absent(app):
    session = make_session(T0)
    make_user("zhang"), make_user("li")
    closed = T0 + dt.timedelta(minutes=30)
    sheet = records.session_sheet(session, closed)
    assert (sheet.state, set(_statuses(session, closed).values())) == ("unrecorded", {"unrecorded"})
    assert sheet.counts.as_dict() == records.Counts().as_dict()  # counts for nobody
    assert records.absences_in_year(2026, now=closed) == {}


def test_statuses_and_counts_of_a_session(app):
    leader = make_leader()
    session = make_session(T0)
    on_time, late, away, missing = (make_user(x) for x in ("ontime", "late", "away", "missing"))
    sign_in(session, on_time, T0 - dt.timedelta(minutes=5))
    sign_in(session, late, T0 + dt.timedelta(minutes=7))
    approved_leave(away, session, leader)
    sheet = records.session_sheet(session, AFTER)
    statuses = {u.login: c.status for u, c in sheet.rows}
    assert {k: statuses[k] for k in ("ontime", "late", "away", "missing")} == {
        "ontime": "present",
        "late": "late",
        "away": "excused",
        "missing": "absent",
    }
    assert sheet.counts.as_dict() == {
        "expected": 5,
        "present": 1,
        "late": 1,
        "excused": 1,
        "exempt": 0,
        "absent": 2,
        "pending": 0,
    }  # leader absent too


def test_pending_or_refused_leave_does_not_excuse(app):
    leader = make_leader()
    session = make_session(T0)
    asked, refused = make_user("asked"), make_user("refused")
    ask_leave(asked, session)
    leave_service.decide(
        ask_leave(refused, session), leader, False, "工作需要", now=T0 - dt.timedelta(days=1)
    )
    held(session)
    statuses = _statuses(session, AFTER)
    assert (statuses["asked"], statuses["refused"]) == ("absent", "absent")


def test_range_leave_excuses_every_session_in_it(app):
    leader = make_leader()
    user = make_user("trip")
    monday, wednesday = make_session(T0), make_session(T0 + dt.timedelta(days=2))
    later = make_session(T0 + dt.timedelta(days=7))
    ask = leave_service.LeaveAsk(
        series_of(),
        "公假",
        "出差三天",
        date_from=T0.date(),
        date_to=T0.date() + dt.timedelta(days=2),
    )
    request = leave_service.request_leave(user, ask, now=T0 - dt.timedelta(days=3))
    leave_service.decide(request, leader, True, now=T0 - dt.timedelta(days=2))
    held(later)
    end = T0 + dt.timedelta(days=8)
    assert [_statuses(s, end)["trip"] for s in (monday, wednesday, later)] == [
        "excused",
        "excused",
        "absent",
    ]


def test_exempt_people_are_not_expected_at_training(app):
    inspector = make_user("ducha", roles=["inspector"])
    user = make_user("sick")
    training = make_session(TRAINING_AT, kind="training")
    lecture = make_session(T0)
    exempt(user, inspector, dt.date(2026, 11, 1), dt.date(2026, 12, 31))
    sign_in(training, inspector), sign_in(lecture, inspector)
    sheet = records.session_sheet(training, TRAINING_AT + dt.timedelta(hours=1))
    assert _statuses(training, TRAINING_AT + dt.timedelta(hours=1))["sick"] == "exempt"
    assert sheet.counts.expected == 1  # the inspector; the exempt person is not expected
    assert _statuses(lecture, AFTER)["sick"] == "absent"


def test_exclusion_removes_a_person_from_the_expected_list(app):
    admin = make_user("boss", roles=["admin"])
    seconded = make_user("seconded")
    session = make_session(T0)
    exemptions.add_exclusion(seconded, series_of(), dt.date(2026, 11, 1), None, "借调县委办", admin)
    sign_in(session, admin)
    assert "seconded" not in _statuses(session, AFTER)
    assert records.session_sheet(session, AFTER).counts.expected == 1


def test_who_is_expected_follows_the_account_on_the_sessions_date(app):
    """Active at the start: expected. Deactivated before it: not. Created after it: only
    where a record names them."""
    past = make_session(T0)
    coming = make_session(now().replace(second=0) + dt.timedelta(days=3))
    make_user("gone", active=False)  # in post since 2020, deactivated today
    make_user("newcomer", since=None)  # an account created today
    held(past)
    assert _statuses(past, AFTER)["gone"] == "absent"  # still in post on T0
    assert "gone" not in _statuses(coming, coming.starts_at)
    assert "newcomer" not in _statuses(past, AFTER)
    assert _statuses(coming, coming.starts_at)["newcomer"] == "pending"


def test_user_history_lists_my_sessions_with_status(app):
    user = make_user("me")
    first, second = make_session(T0), make_session(T0 + dt.timedelta(days=2))
    sign_in(first, user, T0)
    held(second)
    history = records.user_history(
        user, dt.date(2026, 11, 1), dt.date(2026, 11, 30), now=T0 + dt.timedelta(days=3)
    )
    assert [(s.id, c.status) for s, c in history] == [(first.id, "present"), (second.id, "absent")]


def test_person_report_counts_by_series(app):
    inspector = make_user("ducha", roles=["inspector"])
    user = make_user("me")
    lecture, training = make_session(T0), make_session(TRAINING_AT, kind="training")
    sign_in(lecture, user, T0 + dt.timedelta(minutes=3))
    held(training)
    exempt(user, inspector, dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    report = records.person_report(
        dt.date(2026, 11, 1), dt.date(2026, 11, 30), now=dt.datetime(2026, 11, 26)
    )
    row = next(r for r in report.rows if r.user.login == "me")
    assert row.by_series[lecture.series_id].as_dict() == {
        "expected": 1,
        "present": 0,
        "late": 1,
        "excused": 0,
        "exempt": 0,
        "absent": 0,
        "pending": 0,
    }
    assert (row.by_series[training.series_id].exempt, row.total.expected) == (1, 1)
    assert report.grand_total.absent == 3  # the inspector missed both, the witness the talk

"""Roll call (点名), corrections with their audit trail, and the "多次缺席" flag."""

from __future__ import annotations

import datetime as dt

from lecturehub.attendance import records, rollcall
from lecturehub.attendance.models import AttendanceCorrection, AttendanceRecord
from lecturehub.schedule.models import KIND_TRAINING
from tests.conftest import service_error
from tests.factories import make_user
from tests.factories.attendance import MIN, correct, make_leader, make_session, sign_in

RUN = dt.datetime(2026, 11, 24, 6, 30)


def test_leader_ticks_names_present_late_absent(app):
    leader = make_leader("training")
    session = make_session(RUN, kind="training")
    a, b, c = make_user("a"), make_user("b"), make_user("c")
    count = rollcall.roll_call(
        session, {a.id: "present", b.id: "late", c.id: "absent"}, leader, now=RUN + 5 * MIN
    )
    statuses = {
        u.login: (cell.status, cell.late_minutes)
        for u, cell in records.session_sheet(session, RUN + 5 * MIN).rows
    }
    assert count == 3
    assert [statuses[x] for x in "abc"] == [("present", 0), ("late", 5), ("absent", 0)]


def test_all_present_marks_everyone_still_pending(app):
    leader = make_leader("training")
    session = make_session(RUN, kind="training")
    early = make_user("early")
    sign_in(session, early, RUN - 10 * MIN)
    make_user("x"), make_user("y")
    assert rollcall.mark_all_present(session, leader, now=RUN) == 3  # x, y and the leader
    assert records.session_sheet(session, RUN).counts.present == 4


def test_roll_call_by_someone_who_does_not_lead_the_series_is_refused(app, db):
    make_leader("training")
    other = make_leader("lecture")
    session = make_session(RUN, kind="training")
    user = make_user()
    assert (
        service_error(
            lambda: rollcall.roll_call(session, {user.id: "present"}, other, now=RUN)
        ).status
        == 403
    )
    assert db.session.query(AttendanceRecord).count() == 0


def test_roll_call_cannot_silently_change_a_record(app):
    leader = make_leader("training")
    session = make_session(RUN, kind="training")
    user = make_user("zhang", "张三")
    sign_in(session, user, RUN)
    error = service_error(
        lambda: rollcall.roll_call(session, {user.id: "absent"}, leader, now=RUN + MIN)
    )
    assert error.message == "张三 已有记录，如需修改请点“更正”并填写原因。"


def test_correction_without_a_reason_is_refused_and_changes_nothing(app, db):
    leader = make_leader()
    session = make_session()
    user = make_user()
    error = service_error(lambda: correct(session, user, "present", leader, reason="  "))
    assert (error.code, error.message) == ("reason_required", "更正记录必须填写原因。")
    assert db.session.query(AttendanceRecord).count() == 0


def test_every_correction_is_kept_with_who_when_old_new_why(app, db):
    leader = make_leader()
    admin = make_user("boss", roles=["admin"])
    session = make_session()
    user = make_user()
    sign_in(session, admin)  # the session was recorded: the user counts as absent
    first_at = session.starts_at + dt.timedelta(days=1)
    correct(session, user, "late", leader, "手机没电，现场确认迟到", late_minutes=10, at=first_at)
    correct(session, user, "present", admin, "核实为准时到场", at=first_at + dt.timedelta(hours=1))
    trail = db.session.query(AttendanceCorrection).order_by(AttendanceCorrection.id).all()
    assert [
        (c.by_id, c.at, c.old_status, c.new_status, c.new_late_minutes, c.reason) for c in trail
    ] == [
        (leader.id, first_at, "absent", "late", 10, "手机没电，现场确认迟到"),
        (admin.id, first_at + dt.timedelta(hours=1), "late", "present", 0, "核实为准时到场"),
    ]
    record = db.session.query(AttendanceRecord).filter_by(user_id=user.id).one()
    assert (record.status, record.late_minutes, len(record.corrections)) == ("present", 0, 2)


def test_scanning_after_being_marked_absent_is_kept_as_a_correction(app):
    leader = make_leader()
    session = make_session()
    user = make_user()
    rollcall.roll_call(session, {user.id: "absent"}, leader, now=session.starts_at)
    record, already = sign_in(session, user, session.starts_at + 4 * MIN)
    assert (record.status, record.late_minutes, already) == ("late", 4, False)
    assert [(c.old_status, c.new_status, c.reason) for c in record.corrections] == [
        ("absent", "late", "本人到场扫码签到")
    ]


def _three_lectures():
    """Three lectures, each recorded (a witness signed in at each)."""
    day = dt.datetime(2026, 11, 2, 19, 0)
    sessions = [make_session(day + dt.timedelta(days=7 * i)) for i in range(3)]
    witness = make_user("witness")
    for session in sessions:
        sign_in(session, witness)
    return sessions


def test_three_unexcused_absences_flag_the_person_with_the_sessions(app):
    sessions = _three_lectures()
    user = make_user("often")
    at = dt.datetime(2026, 11, 26)
    assert records.absence_flags(2026, [user], now=at) == {user.id: sessions}


def test_two_absences_do_not_flag(app):
    sessions = _three_lectures()
    user = make_user("twice")
    sign_in(sessions[1], user)
    assert records.absence_flags(2026, [user], now=dt.datetime(2026, 11, 26)) == {}


def test_the_flag_clears_itself_when_a_record_is_corrected(app):
    leader = make_leader()
    sessions = _three_lectures()
    user = make_user("often")
    at = dt.datetime(2026, 11, 26)
    assert user.id in records.absence_flags(2026, [user], now=at)
    correct(sessions[0], user, "present", leader, "签到机故障，现场确认到场", at=at)
    assert records.absence_flags(2026, [user], now=at) == {}


def test_the_flag_count_is_a_setting(app):
    app.config["ABSENCE_FLAG_COUNT"] = 2
    sessions = _three_lectures()
    user = make_user()
    sign_in(sessions[0], user)
    assert records.absence_flags(2026, [user], now=dt.datetime(2026, 11, 26)) == {
        user.id: sessions[1:]
    }


def test_a_leader_cannot_correct_their_own_record(app, db):
    leader = make_leader(KIND_TRAINING)
    session = make_session(kind=KIND_TRAINING)
    error = service_error(lambda: correct(session, leader, "present", by=leader))
    assert (error.status, error.code) == (403, "own_record")
    assert db.session.query(AttendanceRecord).count() == 0

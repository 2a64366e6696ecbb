"""补录 and bulk marks: everyone or a selection present / late / absent / excused in one step
with one reason, "其余全部到场 / 其余全部缺席", and every change in the audit trail."""

from __future__ import annotations

import datetime as dt

from lecturehub.attendance import records, rollcall
from lecturehub.attendance.models import AttendanceCorrection, AttendanceRecord
from lecturehub.schedule import services as schedule_services
from tests.conftest import service_error
from tests.factories import bearer, make_token, make_user
from tests.factories.attendance import MIN, make_leader, make_session, open_session, sign_in

RUN = dt.datetime(2026, 11, 24, 6, 30)
LATER = RUN + dt.timedelta(days=1)


def _put(client, session, body, headers):
    return client.put(f"/api/v1/sessions/{session.id}/attendance", json=body, headers=headers)


def _statuses(session, at=LATER):
    return {u.login: c.status for u, c in records.session_sheet(session, at).rows}


def test_backfill_one_step_with_the_rest_present_and_a_trail(app, db):
    admin = make_user("boss", roles=["admin"])
    session = make_session(RUN, kind="training")
    away, late, rest = make_user("away"), make_user("late"), [make_user(f"r{i}") for i in range(3)]
    step = rollcall.Marks({away.id: "absent", late.id: "late"}, "present", "按现场签到表补录")
    count = rollcall.record_marks(session, step, admin, now=LATER)
    statuses = _statuses(session)
    assert count == 6  # away, late, three others and the admin
    assert (statuses["away"], statuses["late"], {statuses[u.login] for u in rest}) == (
        "absent",
        "late",
        {"present"},
    )
    assert records.session_sheet(session, LATER).state == "recorded"
    trail = db.session.query(AttendanceCorrection).filter_by(new_status="absent").one()
    assert (trail.by_id, trail.at, trail.old_status, trail.reason) == (
        admin.id,
        LATER,
        "unrecorded",
        "按现场签到表补录",
    )
    assert db.session.query(AttendanceCorrection).count() == 6


def test_the_rest_absent_as_well(app):
    leader = make_leader("training")
    session = make_session(RUN, kind="training")
    here, gone = make_user("here"), make_user("gone")
    step = rollcall.Marks({here.id: "present", leader.id: "present"}, "absent", "点名表补录")
    rollcall.record_marks(session, step, leader, now=LATER)
    assert (_statuses(session)["here"], _statuses(session)["gone"]) == ("present", "absent")
    assert records.absences_in_year(2026, [gone], now=LATER) == {gone.id: [session]}


def test_backfill_needs_a_reason_and_names_somebody(app, db):
    admin = make_user("boss", roles=["admin"])
    session = make_session(RUN, kind="training")
    no_reason = service_error(
        lambda: rollcall.record_marks(session, rollcall.Marks(rest="present"), admin, now=LATER)
    )
    nobody = service_error(
        lambda: rollcall.record_marks(session, rollcall.Marks(reason="补录"), admin, now=LATER)
    )
    assert (no_reason.code, no_reason.message) == (
        "reason_required",
        "补录或修改考勤记录必须填写原因。",
    )
    assert nobody.code == "no_marks"
    assert db.session.query(AttendanceRecord).count() == 0


def test_bulk_correction_changes_records_and_keeps_old_to_new(app, db):
    leader = make_leader("training")
    session = make_session(RUN, kind="training")
    a, b = make_user("a"), make_user("b")
    rollcall.roll_call(session, {a.id: "absent", b.id: "absent"}, leader, now=RUN)
    step = rollcall.Marks({a.id: "excused", b.id: "excused"}, reason="县里临时抽调，补批公假")
    assert rollcall.record_marks(session, step, leader, now=LATER) == 2
    assert (_statuses(session)["a"], _statuses(session)["b"]) == ("excused", "excused")
    trail = db.session.query(AttendanceCorrection).order_by(AttendanceCorrection.id).all()
    assert [(c.old_status, c.new_status, c.by_id) for c in trail] == [
        ("absent", "excused", leader.id),
        ("absent", "excused", leader.id),
    ]


def test_an_account_created_after_the_session_counts_only_where_marked(app):
    admin = make_user("boss", roles=["admin"])
    session = make_session(RUN, kind="training")
    other = make_session(RUN + dt.timedelta(days=2), kind="training")
    newcomer = make_user("newcomer", since=None)
    rollcall.record_marks(
        session, rollcall.Marks({newcomer.id: "present"}, "present", "补录"), admin, now=LATER
    )
    after_other = LATER + dt.timedelta(days=2)
    rollcall.record_marks(
        other, rollcall.Marks(rest="absent", reason="补录"), admin, now=after_other
    )
    assert _statuses(session)["newcomer"] == "present"
    assert "newcomer" not in _statuses(other, after_other)


def test_a_lone_correction_at_an_unrecorded_session_is_refused(app, db):
    admin = make_user("boss", roles=["admin"])
    session = make_session(RUN, kind="training")
    user = make_user()
    fix = rollcall.Correction("present", 0, "现场确认")
    error = service_error(lambda: rollcall.correct(session, user, fix, admin, now=LATER))
    assert error.code == "session_unrecorded"
    assert db.session.query(AttendanceRecord).count() == 0


def test_the_api_records_with_marks_and_a_reason(app, client, db):
    leader = make_leader("training")
    session = make_session(RUN, kind="training")
    user, other = make_user("zhang"), make_user("li")
    body = {
        "marks": [{"user": user.id, "status": "late"}, {"user": other.id, "status": "excused"}],
        "rest": "present",
        "reason": "按现场签到表补录",
    }
    response = _put(client, session, body, bearer(make_token(leader)))
    assert response.status_code == 200
    sheet = response.get_json()
    assert (sheet["session_id"], sheet["attendance_state"]) == (session.id, "recorded")
    people = {p["user"]["login"]: p["status"] for p in sheet["people"]}
    assert (people["zhang"], people["li"]) == ("late", "excused")
    assert sheet["counts"]["absent"] == 0


def test_the_api_refuses_without_reason_others_and_bad_bodies(app, client, db):
    make_leader("training")
    other_leader = make_leader("lecture")
    admin = bearer(make_token(make_user("boss", roles=["admin"])))
    session = make_session(RUN, kind="training")
    user = make_user("zhang")
    marks = [{"user": user.id, "status": "present"}]
    no_reason = _put(client, session, {"marks": marks}, admin)
    assert (no_reason.status_code, no_reason.get_json()["error"]["code"]) == (
        422,
        "reason_required",
    )
    wrong = _put(client, session, {"marks": marks, "reason": "x"}, bearer(make_token(other_leader)))
    assert (wrong.status_code, wrong.get_json()["error"]["code"]) == (403, "not_series_leader")
    member = _put(client, session, {"marks": marks, "reason": "x"}, bearer(make_token(user)))
    assert member.status_code == 403
    bad = _put(
        client, session, {"marks": [{"user": user.id, "status": "gone"}], "reason": "x"}, admin
    )
    assert (bad.status_code, bad.get_json()["error"]["code"]) == (422, "bad_status")
    shape = _put(client, session, {"marks": "everyone", "reason": "x"}, admin)
    assert shape.status_code == 400
    assert db.session.query(AttendanceRecord).count() == 0


def test_a_void_session_takes_no_marks(app, client):
    admin = make_user("boss", roles=["admin"])
    session = make_session(RUN, kind="training")
    sign_in(session, make_user(), RUN)
    schedule_services.void_session(session, "误建", admin)
    response = _put(
        client, session, {"rest": "present", "reason": "补录"}, bearer(make_token(admin))
    )
    assert (response.status_code, response.get_json()["error"]["code"]) == (422, "session_void")


def test_the_record_page_marks_a_selection_and_the_rest(app, client, auth, db):
    make_user("boss", roles=["admin"])
    session = make_session(RUN, kind="training")
    a = make_user("a")
    make_user("b")
    auth.login("boss")
    page = client.get(f"/sessions/{session.id}/record").get_data(as_text=True)
    assert 'data-testid="unrecorded-notice"' in page and "其余全部缺席" in page
    response = auth.post(
        f"/sessions/{session.id}/record",
        {"users": [str(a.id)], "status": "absent", "rest": "present", "reason": "补录"},
    )
    assert response.status_code == 302
    assert (_statuses(session)["a"], _statuses(session)["b"]) == (
        "absent",
        "present",
    )


def test_the_record_page_says_why_it_refuses(app, client, auth, db):
    make_user("boss", roles=["admin"])
    session = make_session(RUN, kind="training")
    make_user("a")
    auth.login("boss")
    response = auth.post(f"/sessions/{session.id}/record", {"rest": "present", "reason": ""})
    assert response.status_code == 422
    assert "补录或修改考勤记录必须填写原因。" in response.get_data(as_text=True)
    assert db.session.query(AttendanceRecord).count() == 0


def test_roll_call_rest_absent_button(app, client, auth):
    make_leader("training", login="chu")
    session = open_session("training")
    here = make_user("here")
    make_user("gone")
    sign_in(session, here, session.starts_at - 5 * MIN)
    auth.login("chu")
    page = client.get(f"/sessions/{session.id}/roll-call").get_data(as_text=True)
    assert "其余全部缺席" in page
    response = auth.post(f"/sessions/{session.id}/roll-call/all-absent")
    assert response.status_code == 302
    statuses = {u.login: c.status for u, c in records.session_sheet(session).rows}
    assert (statuses["here"], statuses["gone"], statuses["chu"]) == ("present", "absent", "absent")

"""The attendance API: check-in, records, leave and decisions, with their role checks."""

from __future__ import annotations

import datetime as dt

from lecturehub.attendance import signin
from lecturehub.attendance.models import AttendanceRecord, LeaveRequest
from lecturehub.core.timeutil import now
from tests.conftest import csrf_token
from tests.factories import bearer, make_token, make_user
from tests.factories.attendance import (
    T0,
    ask_leave,
    make_leader,
    make_session,
    open_session,
    sign_in,
)


def _checkin(client, session, token, headers):
    return client.post(
        f"/api/v1/sessions/{session.id}/checkin", json={"token": token}, headers=headers
    )


def test_checkin_with_a_bearer_token_then_again(app, client, db):
    user = make_user("zhang", "张三")
    session = open_session()
    headers = bearer(make_token(user))
    before = now().replace(microsecond=0)
    first = _checkin(client, session, signin.make_token(session), headers)
    after = now()
    assert first.status_code == 201
    body = first.get_json()
    assert (body["session_id"], body["user"]["name"], body["status"], body["late_minutes"]) == (
        session.id,
        "张三",
        "present",
        0,
    )
    checked_in_at = dt.datetime.fromisoformat(body["checked_in_at"])
    assert checked_in_at.utcoffset() == dt.timedelta(hours=8)
    assert before <= checked_in_at.replace(tzinfo=None) <= after
    again = _checkin(client, session, signin.make_token(session), headers)
    assert again.status_code == 200
    assert again.get_json()["already"] is True
    assert db.session.query(AttendanceRecord).count() == 1


def test_checkin_with_the_session_cookie_needs_csrf(app, client, auth):
    make_user("zhang")
    session = open_session()
    auth.login("zhang")
    token = signin.make_token(session)
    refused = _checkin(client, session, token, {})
    assert (refused.status_code, refused.get_json()["error"]["code"]) == (400, "csrf_failed")
    ok = _checkin(client, session, token, {"X-CSRFToken": csrf_token(client, "/")})
    assert ok.status_code == 201


def test_checkin_with_a_bad_token_is_a_json_error(app, client, db):
    session = open_session()
    response = _checkin(client, session, "forged", bearer(make_token(make_user())))
    assert response.status_code == 422
    assert response.get_json() == {
        "error": {"code": "token_invalid", "message": "二维码无效，请扫描现场屏幕上的二维码。"}
    }
    assert db.session.query(AttendanceRecord).count() == 0


def test_checkin_outside_the_window_is_a_json_error(app, client):
    session = make_session(now().replace(second=0) + dt.timedelta(hours=3))
    response = _checkin(
        client, session, signin.make_token(session), bearer(make_token(make_user()))
    )
    assert (response.status_code, response.get_json()["error"]["code"]) == (422, "signin_not_open")


def test_session_attendance_for_its_leader_but_not_another(app, client):
    leader, other = make_leader(), make_leader("training")
    session = make_session(T0)
    sign_in(session, make_user("zhang"))
    ok = client.get(f"/api/v1/sessions/{session.id}/attendance", headers=bearer(make_token(leader)))
    assert ok.status_code == 200
    assert ok.get_json()["counts"]["present"] == 1
    refused = client.get(
        f"/api/v1/sessions/{session.id}/attendance", headers=bearer(make_token(other))
    )
    assert (refused.status_code, refused.get_json()["error"]["code"]) == (403, "forbidden")


def test_a_member_reads_only_their_own_records(app, client):
    me, someone = make_user("me"), make_user("someone")
    session = make_session(T0)
    sign_in(session, me)
    headers = bearer(make_token(me))
    mine = client.get("/api/v1/attendance?from=2026-11-01&to=2026-11-30", headers=headers)
    assert (mine.status_code, [r["status"] for r in mine.get_json()["records"]]) == (
        200,
        ["present"],
    )
    refused = client.get(f"/api/v1/attendance?user={someone.id}", headers=headers)
    assert (refused.status_code, refused.get_json()["error"]) == (
        403,
        {"code": "forbidden", "message": "普通干部只能查看自己的出勤记录。"},
    )
    inspector = bearer(make_token(make_user(roles=["inspector"])))
    theirs = client.get(
        f"/api/v1/attendance?user={someone.id}&from=2026-11-01&to=2026-11-30", headers=inspector
    )
    assert (theirs.status_code, [r["status"] for r in theirs.get_json()["records"]]) == (
        200,
        ["absent"],
    )


def test_post_leave_then_the_leader_decides(app, client):
    leader = make_leader()
    user = make_user("zhang")
    session = make_session(now().replace(second=0, microsecond=0) + dt.timedelta(days=3))
    body = {
        "series": session.series_id,
        "session": session.id,
        "type": "事假",
        "reason": "孩子生病",
    }
    created = client.post("/api/v1/leave", json=body, headers=bearer(make_token(user)))
    assert created.status_code == 201
    leave = created.get_json()
    assert (leave["status"], leave["late"], leave["type"]) == ("pending", False, "事假")
    decided = client.post(
        f"/api/v1/leave/{leave['id']}/decision",
        json={"approve": True, "comment": "同意"},
        headers=bearer(make_token(leader)),
    )
    assert (decided.status_code, decided.get_json()["status"]) == (200, "approved")


def test_post_leave_for_a_past_session_is_refused(app, client, db):
    session = make_session(T0)
    body = {"series": session.series_id, "session": session.id, "type": "事假", "reason": "x"}
    response = client.post("/api/v1/leave", json=body, headers=bearer(make_token(make_user())))
    assert (response.status_code, response.get_json()["error"]["code"]) == (422, "leave_past")
    assert db.session.query(LeaveRequest).count() == 0


def test_decision_by_a_leader_of_another_series_is_refused(app, client, db):
    make_leader()
    other = make_leader("training")
    session = make_session(now().replace(second=0, microsecond=0) + dt.timedelta(days=3))
    leave = ask_leave(make_user(), session, at=now())
    response = client.post(
        f"/api/v1/leave/{leave.id}/decision",
        json={"approve": True},
        headers=bearer(make_token(other)),
    )
    assert (response.status_code, response.get_json()["error"]["code"]) == (
        403,
        "not_series_leader",
    )
    db.session.refresh(leave)
    assert leave.status == "pending"


def test_an_admin_who_is_not_a_leader_may_not_decide(app, client):
    make_leader()
    admin = make_user(roles=["admin"])
    session = make_session(now().replace(second=0, microsecond=0) + dt.timedelta(days=3))
    leave = ask_leave(make_user(), session, at=now())
    response = client.post(
        f"/api/v1/leave/{leave.id}/decision",
        json={"approve": False},
        headers=bearer(make_token(admin)),
    )
    assert (response.status_code, response.get_json()["error"]) == (
        403,
        {
            "code": "not_series_leader",
            "message": "只有“每周两课”的牵头领导（彭宗惠）可以审批此请假。",
        },
    )


def test_screen_data_has_the_qr_and_counts(app, client):
    admin = make_user(roles=["admin"])
    session = open_session()
    sign_in(session, make_user("zhang", "张三"), now())
    state = client.get(
        f"/api/v1/sessions/{session.id}/signin-screen", headers=bearer(make_token(admin))
    ).get_json()
    url, token = state["checkin_url"].split("?t=")
    assert url == f"http://localhost/checkin/{session.id}"
    signin.read_token(token, session, now())  # raises unless a valid token of this session
    assert state["qr_svg"] == signin.qr_svg(state["checkin_url"])
    assert ([p["name"] for p in state["signed_in"]], state["state"]) == (["张三"], "open")

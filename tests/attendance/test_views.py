"""Pages: the phone sign-in page, the screen, roll call, leave queue, 督查, home card, panel."""

from __future__ import annotations

import datetime as dt
import re

from lecturehub.attendance import signin
from lecturehub.attendance.models import AttendanceRecord, LeaveRequest
from lecturehub.core.timeutil import now
from tests.factories import make_user
from tests.factories.attendance import ask_leave, make_leader, make_session, open_session


def test_checkin_page_sends_anonymous_users_to_login_and_back(app, client):
    session = open_session()
    response = client.get(f"/checkin/{session.id}?t=abc")
    assert response.status_code == 302
    assert "/login?next=/checkin/" in response.headers["Location"]


def test_checkin_page_without_javascript_signs_in(app, client, auth, db):
    make_user("zhang")
    session = open_session()
    auth.login("zhang")
    token = signin.make_token(session)
    response = auth.post(f"/checkin/{session.id}", {"t": token})
    assert response.status_code == 200
    assert "签到成功" in response.get_data(as_text=True)
    assert db.session.query(AttendanceRecord).count() == 1
    again = auth.post(f"/checkin/{session.id}", {"t": token})
    assert again.status_code == 200
    assert "已签到" in again.get_data(as_text=True)


def test_screen_shows_a_qr_and_the_checkin_url(app, client, auth):
    make_user("boss", roles=["admin"])
    session = open_session()
    auth.login("boss")
    html = client.get(f"/sessions/{session.id}/signin-screen").get_data(as_text=True)
    url = re.search(r'data-checkin-url="([^"]+)"', html).group(1)
    page_url, token = url.split("?t=")
    assert page_url == f"http://localhost/checkin/{session.id}"
    signin.read_token(token, session, now())  # raises unless a valid token of this session
    assert f'<div class="qr" id="qr" data-testid="qr">{signin.qr_svg(url)}</div>' in html


def test_a_leader_of_another_series_cannot_open_the_screen(app, client, auth):
    make_leader("training", login="chu")
    session = open_session("lecture")
    auth.login("chu")
    assert client.get(f"/sessions/{session.id}/signin-screen").status_code == 403


def test_roll_call_page_records_ticks(app, client, auth, db):
    make_leader("training", login="chu")
    user = make_user("zhang")
    session = open_session("training")
    auth.login("chu")
    assert "保存点名" in client.get(f"/sessions/{session.id}/roll-call").get_data(as_text=True)
    response = auth.post(f"/sessions/{session.id}/roll-call", {f"mark-{user.id}": "present"})
    assert response.status_code == 302
    assert db.session.query(AttendanceRecord).one().status == "present"


def test_correction_page_refuses_a_missing_reason(app, client, auth, db):
    make_leader(login="peng")
    user = make_user("zhang")
    session = make_session(dt.datetime(2026, 11, 2, 19, 0))
    auth.login("peng")
    response = auth.post(
        f"/sessions/{session.id}/records/{user.id}/correct", {"status": "present", "reason": ""}
    )
    assert response.status_code == 422
    assert "更正记录必须填写原因。" in response.get_data(as_text=True)
    assert db.session.query(AttendanceRecord).count() == 0


def test_leave_form_and_the_leaders_queue(app, client, auth, db):
    make_leader(login="peng")
    make_user("zhang", "张三")
    session = make_session(now().replace(second=0) + dt.timedelta(days=3))
    auth.login("zhang")
    response = auth.post(
        "/attendance/leave/new",
        {
            "session": session.id,
            "series": session.series_id,
            "leave_type": "病假",
            "reason": "发烧",
        },
    )
    assert response.status_code == 302
    auth.logout()
    auth.login("peng")
    queue = client.get("/attendance/leave/queue").get_data(as_text=True)
    assert "张三" in queue and "发烧" in queue
    leave = db.session.query(LeaveRequest).one()
    auth.post(f"/attendance/leave/{leave.id}/decide", {"decision": "approve", "comment": "好"})
    db.session.refresh(leave)
    assert leave.status == "approved"


def test_leave_form_for_a_past_session_shows_the_message(app, client, auth, db):
    make_user("zhang")
    session = make_session(dt.datetime(2026, 11, 2, 19, 0))
    auth.login("zhang")
    response = auth.post(
        "/attendance/leave/new",
        {
            "session": 0,
            "series": session.series_id,
            "date_from": "2026-11-02",
            "date_to": "2026-11-02",
            "leave_type": "事假",
            "reason": "补请",
        },
    )
    assert response.status_code == 422
    assert "不能为已经过去的日期请假。" in response.get_data(as_text=True)
    assert db.session.query(LeaveRequest).count() == 0


def test_my_attendance_and_audit_pages_render(app, client, auth):
    make_user("ducha", roles=["inspector"])
    make_session(dt.datetime(2026, 11, 2, 19, 0))
    auth.login("ducha")
    assert "我的考勤" in client.get("/attendance").get_data(as_text=True)
    audit = client.get("/attendance/audit?period=2026-11").get_data(as_text=True)
    assert "关庙乡干部“双提升”行动出勤情况（2026年11月）" in audit


def test_inspector_is_read_only_except_exemptions(app, client, auth):
    make_user("ducha", roles=["inspector"])
    session = make_session(dt.datetime(2026, 11, 2, 19, 0))
    auth.login("ducha")
    assert client.get(f"/sessions/{session.id}/attendance").status_code == 200
    assert client.get(f"/sessions/{session.id}/roll-call").status_code == 403
    assert client.get("/attendance/exclusions").status_code == 403
    assert client.get("/attendance/exemptions/new").status_code == 200


def test_home_card_shows_pending_leave_for_the_leader(app, client, auth):
    make_leader(login="peng")
    session = make_session(now().replace(second=0) + dt.timedelta(days=3))
    ask_leave(make_user(), session, at=now())
    auth.login("peng")
    assert "1 条请假待您审批" in client.get("/").get_data(as_text=True)


def test_session_page_shows_the_attendance_panel(app, client, auth):
    make_user("boss", roles=["admin"])
    session = open_session()
    auth.login("boss")
    html = client.get(f"/sessions/{session.id}").get_data(as_text=True)
    assert 'data-testid="attendance-panel"' in html
    assert f"/sessions/{session.id}/signin-screen" in html

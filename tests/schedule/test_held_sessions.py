"""Creating a session after the fact (补录) only on purpose; a held session is never moved or
cancelled, only voided (作废) — which counts it for nobody, keeps its records and can be undone;
every change is in the session's audit trail. Services, API and pages."""

from __future__ import annotations

import datetime as dt

from lecturehub.attendance import records
from lecturehub.attendance.models import AttendanceRecord
from lecturehub.core import signals
from lecturehub.core.timeutil import now
from lecturehub.schedule import services
from lecturehub.schedule.models import Session, SessionEvent
from tests.conftest import service_error
from tests.factories import bearer, make_token, make_user
from tests.factories.attendance import make_session, series_of, sign_in

PAST = dt.datetime(2026, 11, 21, 8, 30)  # a Saturday already gone


def _iso(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S+08:00")


def _future(days: int = 10) -> dt.datetime:
    return dt.datetime.combine(now().date() + dt.timedelta(days=days), dt.time(8, 30))


def _admin(client):
    return bearer(make_token(make_user("boss", roles=["admin"])))


def _post(client, headers, **body):
    body = {"series": series_of("training").id, "title": "双拥运动会", **body}
    return client.post("/api/v1/sessions", json=body, headers=headers)


# --- creating: 补录 only on purpose -------------------------------------------------------------


def test_the_api_creates_a_session_shaped_like_the_list_items(app, client):
    admin = _admin(client)
    start = _future()
    response = _post(client, admin, start=_iso(start), duration_minutes=180)
    assert response.status_code == 201
    body = response.get_json()
    listed = client.get(
        f"/api/v1/sessions?from={start.date()}&to={start.date()}", headers=admin
    ).get_json()["sessions"]
    assert listed == [body]
    assert (body["start"], body["title"], body["attendance_state"]) == (
        _iso(start),
        "双拥运动会",
        "upcoming",
    )


def test_a_past_start_without_backfill_is_refused_in_chinese(app, client, db):
    response = _post(client, _admin(client), start=_iso(PAST))
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "past_session" and "补录" in error["message"]
    assert db.session.query(Session).count() == 0


def test_a_backfilled_session_starts_unrecorded_and_makes_nobody_absent(app, client, db):
    """The issue: a past one-off marked all 41 people 缺席 and flagged 34 of them."""
    people = [make_user(f"m{i:02d}") for i in range(41)]
    for _ in range(2):  # two absences each already
        held = make_session(PAST - dt.timedelta(days=30 + 7 * _))
        sign_in(held, make_user(f"w{_}"), held.starts_at)
    response = _post(client, _admin(client), start=_iso(PAST), backfill=True)
    assert response.status_code == 201
    assert response.get_json()["attendance_state"] == "unrecorded"
    session = db.session.get(Session, response.get_json()["id"])
    assert session.backfill is True
    assert records.absence_flags(2026, people) == {}
    assert [e.action for e in session.events] == ["backfill"]


def test_backfill_is_only_for_the_past(app, client):
    response = _post(client, _admin(client), start=_iso(_future()), backfill=True)
    assert (response.status_code, response.get_json()["error"]["code"]) == (422, "not_past")


def test_the_api_refuses_bad_input_and_non_admins(app, client):
    admin = _admin(client)
    bad = _post(client, admin, start="next monday")
    assert (bad.status_code, bad.get_json()["error"]["code"]) == (422, "bad_start")
    no_series = _post(client, admin, start=_iso(_future()), series="x")
    assert no_series.status_code == 422
    member = bearer(make_token(make_user("zhang")))
    assert _post(client, member, start=_iso(_future())).status_code == 403


def test_the_form_refuses_a_past_start_unless_backfill_is_chosen(app, client, auth, db):
    make_user("admin1", roles=["admin"])
    auth.login("admin1")
    form = {
        "series": str(series_of("training").id),
        "title": "防汛应急演练",
        "date": PAST.date().isoformat(),
        "time": "08:30",
        "duration": "120",
    }
    refused = auth.post("/admin/schedule/extra", form)
    assert refused.status_code == 422
    assert "开始时间已经过去" in refused.get_data(as_text=True)
    assert db.session.query(Session).count() == 0
    created = auth.post("/admin/schedule/extra", {**form, "backfill": "y"})
    session = db.session.query(Session).one()
    assert created.status_code == 302
    assert created.headers["Location"].endswith(f"/sessions/{session.id}/record")
    assert session.backfill and services.get_session(session.id).events[0].by.login == "admin1"


# --- a held session: not moved, not cancelled; voided -------------------------------------------


def _held(at: dt.datetime = PAST):
    session = make_session(at, kind="training")
    sign_in(session, make_user("zhang"), at)
    return session


def test_a_session_with_attendance_cannot_be_moved(app, client, db):
    session = _held()
    response = client.patch(
        f"/api/v1/sessions/{session.id}", json={"start": _iso(_future())}, headers=_admin(client)
    )
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "session_has_attendance"
    db.session.expire_all()
    assert (session.starts_at, session.moved_from) == (PAST, None)
    error = service_error(
        lambda: services.move_session(
            session, services.SessionMove(_future().date(), dt.time(8), "改期")
        )
    )
    assert error.status == 409


def test_a_session_with_attendance_cannot_be_cancelled(app):
    session = _held(now().replace(second=0) - dt.timedelta(minutes=5))  # in progress
    error = service_error(lambda: services.cancel_session(session, "下雨"))
    assert (error.status, error.code) == (409, "session_has_attendance")


def test_a_session_without_attendance_moves_through_the_api(app, client):
    session = make_session(_future(), kind="training")
    target = _future(12).replace(hour=7)
    response = client.patch(
        f"/api/v1/sessions/{session.id}",
        json={"start": _iso(target), "reason": "场地冲突"},
        headers=_admin(client),
    )
    assert response.status_code == 200
    body = response.get_json()
    assert (body["start"], body["status"], body["change_reason"]) == (
        _iso(target),
        "moved",
        "场地冲突",
    )
    assert [e.action for e in session.events] == ["created", "moved"]


def test_void_counts_for_nobody_keeps_the_records_and_can_be_undone(app, client, db):
    absent = make_user("absent")
    session = _held()
    later = PAST + dt.timedelta(days=1)
    assert records.absences_in_year(2026, [absent], now=later) == {absent.id: [session]}
    admin = _admin(client)
    url = f"/api/v1/sessions/{session.id}"
    voided = client.patch(url, json={"void": True, "reason": "当天改开全乡大会"}, headers=admin)
    assert (voided.status_code, voided.get_json()["attendance_state"]) == (200, "void")
    assert records.absences_in_year(2026, [absent]) == {}
    assert records.session_sheet(session).counts.as_dict() == records.Counts().as_dict()
    assert db.session.query(AttendanceRecord).count() == 1  # kept, for the audit
    undone = client.patch(url, json={"void": False}, headers=admin)
    assert (undone.status_code, undone.get_json()["attendance_state"]) == (200, "recorded")
    assert records.absences_in_year(2026, [absent]) == {absent.id: [session]}
    trail = db.session.query(SessionEvent).filter_by(session_id=session.id).all()
    assert [(e.action, e.reason, e.by.login) for e in trail[-2:]] == [
        ("voided", "当天改开全乡大会", "boss"),
        ("unvoided", "", "boss"),
    ]
    assert trail[-1].detail == "原作废原因：当天改开全乡大会"


def test_void_needs_a_reason_and_a_session_that_has_begun(app, client):
    admin = _admin(client)
    held, coming = _held(), make_session(_future(), kind="training")
    no_reason = client.patch(f"/api/v1/sessions/{held.id}", json={"void": True}, headers=admin)
    assert (no_reason.status_code, no_reason.get_json()["error"]["code"]) == (
        422,
        "missing_reason",
    )
    early = client.patch(
        f"/api/v1/sessions/{coming.id}", json={"void": True, "reason": "x"}, headers=admin
    )
    assert (early.status_code, early.get_json()["error"]["code"]) == (422, "session_not_held")
    not_void = client.patch(f"/api/v1/sessions/{held.id}", json={"void": False}, headers=admin)
    assert not_void.status_code == 409
    member = bearer(make_token(make_user("member")))
    assert client.patch(f"/api/v1/sessions/{held.id}", json={}, headers=member).status_code == 403
    empty = client.patch(f"/api/v1/sessions/{held.id}", json={}, headers=admin)
    assert (empty.status_code, empty.get_json()["error"]["code"]) == (422, "nothing_to_change")


def test_the_session_page_offers_void_for_a_held_session_and_no_move(app, client, auth):
    make_user("admin1", roles=["admin"])
    session = _held()
    auth.login("admin1")
    page = client.get(f"/sessions/{session.id}").get_data(as_text=True)
    assert 'data-testid="void-link"' in page
    assert (
        f"/sessions/{session.id}/move" not in page and f"/sessions/{session.id}/cancel" not in page
    )
    response = auth.post(f"/sessions/{session.id}/void", {"reason": "误建的活动"})
    assert response.status_code == 302
    page = client.get(f"/sessions/{session.id}").get_data(as_text=True)
    assert 'data-testid="badge-void"' in page and "撤销作废" in page
    assert "作废" in page and "误建的活动" in page  # in the notice and in the audit trail
    auth.post(f"/sessions/{session.id}/unvoid")
    assert services.get_session(session.id).voided is False


def test_the_move_form_on_a_held_session_says_why_not(app, client, auth):
    make_user("admin1", roles=["admin"])
    session = _held()
    auth.login("admin1")
    response = auth.post(
        f"/sessions/{session.id}/move",
        {"date": _future().date().isoformat(), "time": "08:30", "venue": "", "reason": "改期"},
    )
    assert response.status_code == 422  # the form again, with the reason
    assert "已有考勤记录" in response.get_data(as_text=True)


def test_changes_are_signalled_for_whoever_tells_the_attendees(app):
    admin = make_user("boss", roles=["admin"])
    heard = []

    def receiver(session, change, reason, **_kwargs):
        heard.append((session.id, change, reason))

    signals.session_changed.connect(receiver)
    try:
        session = _held()
        services.void_session(session, "误建", admin)
        services.unvoid_session(session, admin)
        coming = make_session(_future(), kind="training")
        services.move_session(coming, services.SessionMove(_future(11).date(), dt.time(7), "改期"))
        services.cancel_session(coming, "暴雨")
    finally:
        signals.session_changed.disconnect(receiver)
    assert heard == [
        (session.id, "voided", "误建"),
        (session.id, "unvoided", ""),
        (coming.id, "moved", "改期"),
        (coming.id, "cancelled", "暴雨"),
    ]

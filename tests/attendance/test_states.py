"""The attendance state of a session — upcoming, open, unrecorded, recorded, void — in the
service, the API, the session page, the admin's dashboard and the lead leader's page."""

from __future__ import annotations

import datetime as dt

from lecturehub.attendance import records, rollcall, services
from lecturehub.core.timeutil import now
from lecturehub.schedule import services as schedule_services
from tests.factories import bearer, make_token, make_user
from tests.factories.attendance import MIN, T0, make_leader, make_session, open_session, sign_in

TRAINING_AT = dt.datetime(2026, 11, 24, 6, 30)


def _state(session, at):
    return services.attendance_state(session, at)


def test_a_session_goes_upcoming_open_then_unrecorded_or_recorded(app):
    quiet, held = make_session(T0), make_session(T0 + dt.timedelta(days=2))
    user = make_user("zhang")
    opens = T0 - 30 * MIN
    assert [_state(quiet, at) for at in (opens - MIN, opens, T0 + 29 * MIN, T0 + 30 * MIN)] == [
        "upcoming",
        "open",
        "open",
        "unrecorded",
    ]
    sign_in(held, user, held.starts_at)
    assert _state(held, held.starts_at + MIN) == "open"  # sign-in still possible
    assert _state(held, held.starts_at + 30 * MIN) == "recorded"


def test_a_roll_call_records_the_session(app):
    leader = make_leader("training")
    session = make_session(TRAINING_AT, kind="training")
    user = make_user()
    rollcall.roll_call(session, {user.id: "absent"}, leader, now=TRAINING_AT)
    assert _state(session, TRAINING_AT + dt.timedelta(hours=1)) == "recorded"


def test_cancelled_and_voided_sessions_count_for_nobody(app):
    admin = make_user("boss", roles=["admin"])
    cancelled = make_session(now() + dt.timedelta(days=3))
    schedule_services.cancel_session(cancelled, "暴雨预警")
    held = make_session(T0)
    sign_in(held, make_user("zhang"), T0)
    schedule_services.void_session(held, "误建的活动", admin)
    assert (_state(cancelled, now()), _state(held, now())) == ("void", "void")


def test_a_morning_training_without_roll_call_adds_no_absence_to_anyone(app):
    """The issue: nobody ran the roll call, and 40/40 were absent. Now: 待补录, nobody absent."""
    make_leader("training")
    session = make_session(TRAINING_AT, kind="training")
    people = [make_user(f"m{i:02d}") for i in range(40)]
    after = TRAINING_AT + dt.timedelta(hours=3)
    sheet = records.session_sheet(session, after)
    assert (sheet.state, sheet.counts.absent, len(sheet.named("unrecorded"))) == (
        "unrecorded",
        0,
        41,
    )
    assert records.absence_flags(2026, people, now=after) == {}
    assert services.unrecorded_sessions(after) == [session]


def test_the_api_carries_the_state_in_the_list_and_the_item(app, client):
    member = bearer(make_token(make_user("member")))
    past = make_session(T0)
    coming = open_session()
    listed = client.get("/api/v1/sessions?from=2026-11-23&to=2026-11-23", headers=member)
    assert [s["attendance_state"] for s in listed.get_json()["sessions"]] == ["unrecorded"]
    one = client.get(f"/api/v1/sessions/{coming.id}", headers=member)
    assert one.status_code == 200
    assert (one.get_json()["id"], one.get_json()["attendance_state"]) == (coming.id, "open")
    item = client.get(f"/api/v1/sessions/{past.id}", headers=member).get_json()
    assert item == listed.get_json()["sessions"][0]
    missing = client.get("/api/v1/sessions/999999", headers=member)
    assert (missing.status_code, missing.get_json()["error"]["code"]) == (404, "session_not_found")


def test_session_page_shows_the_state_and_one_click_to_record(app, client, auth):
    make_user("boss", roles=["admin"])
    make_user("member")
    session = make_session(T0)
    auth.login("member")
    page = client.get(f"/sessions/{session.id}").get_data(as_text=True)
    assert 'data-state="unrecorded"' in page and "待补录" in page
    assert f"/sessions/{session.id}/record" not in page
    auth.logout()
    auth.login("boss")
    page = client.get(f"/sessions/{session.id}").get_data(as_text=True)
    assert f'href="/sessions/{session.id}/record" data-testid="backfill-link"' in page


def test_dashboard_and_the_lead_leaders_page_list_what_to_record(app, client, auth):
    make_user("boss", roles=["admin"])
    make_leader("training", login="chu")
    training = make_session(now().replace(second=0) - dt.timedelta(days=2), kind="training")
    lecture = make_session(now().replace(second=0) - dt.timedelta(days=3))
    sign_in(lecture, make_user("zhang"), lecture.starts_at)  # recorded: not listed
    auth.login("boss")
    dashboard = client.get("/admin/schedule").get_data(as_text=True)
    assert dashboard.count('data-testid="backfill-link"') == 1
    assert f"/sessions/{training.id}/record" in dashboard
    auth.logout()
    auth.login("chu")
    mine = client.get("/attendance/my-series").get_data(as_text=True)
    assert "待补录（1）" in mine and f"/sessions/{training.id}/record" in mine

"""iCalendar feeds: parseable, Asia/Shanghai times, cancellations, reminders, who may fetch."""

from __future__ import annotations

import datetime as dt

import icalendar

from lecturehub.auth.services import feed_token_for
from lecturehub.schedule import feeds, services
from tests.factories import make_user
from tests.factories.schedule import make_lecture, make_session, upcoming_weekday


def _events(body: bytes) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(body)
    return {str(e["uid"]): e for e in calendar.walk("VEVENT")}


def test_personal_feed_has_sessions_in_shanghai_time_and_own_deadline(client, db):
    speaker = make_user("speaker", "讲课人")
    day = upcoming_weekday(0)
    lecture = make_lecture(day, speaker=speaker)
    training = make_session(day + dt.timedelta(days=1), kind="training")
    response = client.get(f"/calendar/{feed_token_for(speaker)}.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    body = response.get_data()
    assert f"DTSTART;TZID=Asia/Shanghai:{day:%Y%m%d}T190000".encode() in body
    assert b"BEGIN:VTIMEZONE" in body and b"TZID:Asia/Shanghai" in body
    events = _events(body)
    talk = events[f"session-{lecture.session.id}@lecturehub"]
    assert talk.decoded("dtstart") == dt.datetime.combine(day, dt.time(19, 0), feeds.timeutil.TZ)
    assert talk["summary"] == "【我主讲】每周两课：全民健身与乡村文化振兴"
    assert str(talk.walk("VALARM")[0]["trigger"].to_ical(), "ascii") == "-PT1H"
    morning = events[f"session-{training.id}@lecturehub"]
    assert str(morning.walk("VALARM")[0]["trigger"].to_ical(), "ascii") == "-PT30M"
    assert f"deadline-{lecture.id}@lecturehub" in events


def test_cancelled_and_moved_sessions_carry_status_and_sequence(client, db):
    day = upcoming_weekday(1)
    cancelled = make_session(day, kind="training")
    moved = make_session(day + dt.timedelta(days=1))
    services.cancel_session(cancelled, "暴雨预警")
    services.move_session(
        moved, services.SessionMove(moved.date, dt.time(19, 30), "场地维修", venue="会议室")
    )
    events = _events(feeds.build_calendar(feeds.feed_sessions(), "全部"))
    gone = events[f"session-{cancelled.id}@lecturehub"]
    assert (str(gone["status"]), gone["sequence"], gone.walk("VALARM")) == ("CANCELLED", 1, [])
    changed = events[f"session-{moved.id}@lecturehub"]
    assert (str(changed["status"]), changed["sequence"], str(changed["location"])) == (
        "CONFIRMED",
        1,
        "会议室",
    )
    assert "调整原因：场地维修" in str(changed["description"])


def test_unknown_personal_token_is_404(client, db):
    assert client.get("/calendar/not-a-token.ics").status_code == 404


def test_everyone_feed_needs_sign_in_or_the_secret_token(app, client, auth, db):
    make_session(upcoming_weekday(0))
    assert client.get("/schedule/calendar.ics").status_code == 302
    assert client.get("/calendar/all/wrong.ics").status_code == 404
    with app.test_request_context():
        token = feeds.all_feed_token()
    assert client.get(f"/calendar/all/{token}.ics").status_code == 200
    make_user("member")
    auth.login("member")
    response = client.get("/schedule/calendar.ics")
    assert response.status_code == 200
    assert len(_events(response.get_data())) == 1

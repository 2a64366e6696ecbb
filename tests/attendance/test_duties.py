"""Leave against duties: a speaker's leave from their own talk warns the lead leader before
deciding (讲课人请假，讲学需调整); once approved, the dashboard shows 需调整 until the speaker or
the date of the talk changes."""

from __future__ import annotations

import datetime as dt

from lecturehub.attendance import leave as leave_service
from lecturehub.core import signals
from lecturehub.core.timeutil import now
from lecturehub.schedule import lectures
from lecturehub.schedule import services as schedule_services
from tests.factories import bearer, make_token, make_user
from tests.factories.attendance import make_leader
from tests.factories.schedule import make_lecture, upcoming_weekday


def _talk(speaker):
    return make_lecture(upcoming_weekday(0), speaker=speaker)


def _ask(user, talk):
    ask = leave_service.LeaveAsk(
        talk.session.series, "公假", "到县里参加培训", session=talk.session
    )
    return leave_service.request_leave(user, ask)


def test_the_speakers_leave_names_the_talk_and_warns(app, client):
    speaker = make_user("speaker", "张讲")
    talk = _talk(speaker)
    response = client.post(
        "/api/v1/leave",
        json={
            "series": talk.session.series_id,
            "session": talk.session.id,
            "type": "公假",
            "reason": "培训",
        },
        headers=bearer(make_token(speaker)),
    )
    body = response.get_json()
    assert response.status_code == 201
    assert (body["warning"], body["duty_lectures"]) == ("讲课人请假，讲学需调整", [talk.id])
    other = make_user("listener")
    plain = leave_service.leave_dict(_ask(other, talk))
    assert (plain["warning"], plain["duty_lectures"]) == (None, [])


def test_the_lead_leader_is_warned_before_deciding(app, client, auth):
    make_leader("lecture", login="peng")
    speaker = make_user("speaker", "张讲")
    talk = _talk(speaker)
    _ask(speaker, talk)
    auth.login("peng")
    page = client.get("/attendance/leave/queue").get_data(as_text=True)
    assert 'data-testid="duty-warning"' in page
    assert "讲课人请假，讲学需调整" in page and talk.display_title in page


def _dashboard(client, auth) -> str:
    auth.login("boss")
    html = client.get("/admin/schedule").get_data(as_text=True)
    auth.logout()
    return html


def test_an_approved_speakers_leave_shows_needs_change_until_the_speaker_changes(app, client, auth):
    leader = make_leader("lecture")
    make_user("boss", roles=["admin"])
    speaker, stand_in = make_user("speaker", "张讲"), make_user("standin", "李替")
    talk = _talk(speaker)
    leave_service.decide(_ask(speaker, talk), leader, True, "同意")
    assert 'data-testid="needs-change"' in _dashboard(client, auth)
    lectures.update_lecture(talk, {"speaker": stand_in})
    assert 'data-testid="needs-change"' not in _dashboard(client, auth)


def test_moving_the_talk_to_another_day_clears_needs_change(app, client, auth):
    leader = make_leader("lecture")
    make_user("boss", roles=["admin"])
    speaker = make_user("speaker")
    talk = _talk(speaker)
    leave = leave_service.decide(_ask(speaker, talk), leader, True, "同意")
    sessions = [talk.session]
    assert leave_service.talks_needing_change(sessions) == {talk.session.id: leave}
    new_day = talk.session.date + dt.timedelta(days=2)
    schedule_services.move_session(
        talk.session, schedule_services.SessionMove(new_day, dt.time(19), "讲课人请假，改期")
    )
    assert leave_service.talks_needing_change(sessions) == {}
    assert 'data-testid="needs-change"' not in _dashboard(client, auth)


def test_leave_events_are_signalled_with_the_duties(app):
    leader = make_leader("lecture")
    speaker = make_user("speaker")
    talk = _talk(speaker)
    heard = []

    def requested(leave, duty, **_kwargs):
        heard.append(("requested", leave.user_id, [t.id for t in duty]))

    def decided(leave, approved, duty, **_kwargs):
        heard.append(("decided", approved, [t.id for t in duty]))

    signals.leave_requested.connect(requested)
    signals.leave_decided.connect(decided)
    try:
        leave = _ask(speaker, talk)
        leave_service.decide(leave, leader, False, "请安排好讲学", now=now())
    finally:
        signals.leave_requested.disconnect(requested)
        signals.leave_decided.disconnect(decided)
    assert heard == [("requested", speaker.id, [talk.id]), ("decided", False, [talk.id])]

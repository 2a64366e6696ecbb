"""The speaker's workflow: 接受 / 婉拒 (a decline tells the admins and shows 需调整 until a new
speaker is set), 催办 from the courseware overview and the talk page, an upload over one hour,
and leave: the request to the lead leader, the decision to the requester."""

from __future__ import annotations

from lecturehub.attendance import leave as leave_service
from lecturehub.core.timeutil import now as local_now
from lecturehub.notifications import outbox, workflow
from lecturehub.notifications.models import TalkAssignment
from tests.conftest import csrf_token, service_error
from tests.factories import bearer, make_token
from tests.factories.attendance import ask_leave, make_leader
from tests.factories.courseware import deck_file, post_deck
from tests.factories.notifications import person, rows, talk_ahead
from tests.factories.schedule import make_session, upcoming_weekday


def test_the_speaker_accepts_by_api(app, client):
    speaker = person("wangm", "王明")
    talk = talk_ahead(speaker)
    response = client.post(
        f"/api/v1/lectures/{talk.id}/response",
        json={"accept": True},
        headers=bearer(make_token(speaker)),
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body == {
        "lecture_id": talk.id,
        "speaker": {"id": speaker.id, "name": "王明"},
        "response": "accepted",
        "reason": "",
        "responded_at": body["responded_at"],
    }
    assert rows("talk_declined") == []


def test_declining_needs_a_reason_and_a_refusal_changes_nothing(app, client):
    speaker = person("wangm", "王明")
    talk = talk_ahead(speaker)
    headers = bearer(make_token(speaker))
    for body in ({"accept": False}, {"accept": False, "reason": "  "}):
        refused = client.post(f"/api/v1/lectures/{talk.id}/response", json=body, headers=headers)
        assert (refused.status_code, refused.get_json()) == (
            422,
            {
                "error": {
                    "code": "reason_required",
                    "message": "婉拒时请填写理由，党政办据此另行安排。",
                }
            },
        )
    bad = client.post(
        f"/api/v1/lectures/{talk.id}/response", json={"accept": "no"}, headers=headers
    )
    assert (bad.status_code, bad.get_json()["error"]["code"]) == (400, "bad_request")
    assert workflow.current_assignment(talk).response == ""


def test_only_the_talks_speaker_may_answer(app, client):
    talk = talk_ahead(person("wangm", "王明"))
    other = person("lisi", "李四")
    response = client.post(
        f"/api/v1/lectures/{talk.id}/response",
        json={"accept": True},
        headers=bearer(make_token(other)),
    )
    assert (response.status_code, response.get_json()) == (
        403,
        {"error": {"code": "not_speaker", "message": "只有本场讲学的讲课人可以接受或婉拒。"}},
    )


def test_a_decline_tells_the_admins_and_shows_needs_change_until_a_new_speaker(app, client, auth):
    admin = person("kongr", "孔锐", roles=["admin"], email="")
    speaker = person("wangm", "王明")
    talk = talk_ahead(speaker, days=5)
    declined = client.post(
        f"/api/v1/lectures/{talk.id}/response",
        json={"accept": False, "reason": "当天在县委党校培训"},
        headers=bearer(make_token(speaker)),
    )
    assert declined.get_json()["response"] == "declined"
    [notice] = rows("talk_declined", "in_app")
    assert (notice.user_id, notice.title) == (admin.id, "讲课人婉拒：《乡村振兴政策解读》")
    assert "理由：当天在县委党校培训" in notice.body
    auth.login("kongr")
    page = client.get("/admin/schedule").get_data(as_text=True)
    assert 'data-testid="needs-change-declined">需调整：王明婉拒（当天在县委党校培训）<' in page
    overview = client.get("/courseware").get_data(as_text=True)
    assert "需调整：讲课人已婉拒" in overview
    new = person("lisi", "李四")
    api = app.test_client()  # a script with a token, not the signed-in browser
    patched = api.patch(
        f"/api/v1/lectures/{talk.id}",
        json={"speaker": "lisi"},
        headers=bearer(make_token(admin)),
    )
    assert patched.status_code == 200
    assert "needs-change-declined" not in client.get("/admin/schedule").get_data(as_text=True)
    [assigned] = rows("talk_assigned", "in_app", new)
    assert assigned.title == "讲学安排：《乡村振兴政策解读》"
    # the first speaker again: a new assignment, no old decline carried over
    api.patch(
        f"/api/v1/lectures/{talk.id}", json={"speaker": "wangm"}, headers=bearer(make_token(admin))
    )
    assert workflow.declined([talk.id]) == {}
    assert TalkAssignment.query.filter_by(lecture_id=talk.id).count() == 3


def test_the_speaker_answers_on_the_page_from_the_emails_link(app, client, auth):
    speaker = person("wangm", "王明")
    talk = talk_ahead(speaker)
    auth.login("wangm")
    page = client.get(f"/lectures/{talk.id}/response")
    assert page.status_code == 200
    assert "尚未答复" in page.get_data(as_text=True)
    missing = auth.post(f"/lectures/{talk.id}/response", {"decline": "婉拒", "reason": ""})
    assert missing.status_code == 422
    assert "婉拒时请填写理由" in missing.get_data(as_text=True)
    done = auth.post(f"/lectures/{talk.id}/response", {"accept": "接受"})
    assert (done.status_code, done.headers["Location"]) == (302, f"/lectures/{talk.id}")
    talk_page = client.get(f"/lectures/{talk.id}").get_data(as_text=True)
    assert "您已接受这次讲学安排" in talk_page


def test_chase_by_api_is_202_and_a_second_within_ten_minutes_is_409(app, client, smtp):
    admin = person("kongr", "孔锐", roles=["admin"])
    talk = talk_ahead(person("wangm", "王明"))
    outbox.drain()
    headers = bearer(make_token(admin))
    first = client.post(f"/api/v1/lectures/{talk.id}/chase", headers=headers)
    assert first.status_code == 202
    assert first.get_json()["speaker"] == {"id": talk.speaker_id, "name": "王明"}
    again = client.post(f"/api/v1/lectures/{talk.id}/chase", headers=headers)
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "chased_recently"
    outbox.drain()
    chases = [m for m in smtp.received if m.subject.startswith("催办")]
    assert [m.rcpt_tos for m in chases] == [["wangm@example.cn"]]
    assert "孔锐（党政办）提醒您" in chases[0].text
    member = client.post(
        f"/api/v1/lectures/{talk.id}/chase", headers=bearer(make_token(talk.speaker))
    )
    assert member.status_code == 403


def test_chase_is_refused_without_a_speaker_or_after_the_start(app):
    admin = person("kongr", "孔锐", roles=["admin"])
    nobody = talk_ahead(None)
    error = service_error(lambda: workflow.chase(nobody, admin))
    assert (error.code, error.message) == ("no_speaker", "尚未确定讲课人，无法催办。")
    talk = talk_ahead(person("wangm", "王明"), days=8)
    error = service_error(lambda: workflow.chase(talk, admin, at=talk.starts_at))
    assert error.code == "talk_started"
    assert rows("chase") == []


def test_the_overview_and_the_talk_page_chase_and_say_when_it_was_last_sent(app, client, auth):
    person("kongr", "孔锐", roles=["admin"])
    talk = talk_ahead(person("wangm", "王明"))
    auth.login("kongr")
    overview = client.get("/courseware").get_data(as_text=True)
    assert f'data-testid="last-chase-{talk.id}">尚未催办<' in overview
    sent = client.post(
        f"/lectures/{talk.id}/chase",
        data={"csrf_token": csrf_token(client, "/courseware"), "next": "/courseware"},
    )
    assert (sent.status_code, sent.headers["Location"]) == (302, "/courseware")
    [chase] = rows("chase", "in_app")
    stamp = f"{chase.created_at.month}月{chase.created_at.day}日"
    assert "上次催办：" in client.get("/courseware").get_data(as_text=True)
    talk_page = client.get(f"/lectures/{talk.id}").get_data(as_text=True)
    assert f'data-testid="last-chase-{talk.id}">上次催办：' in talk_page
    assert stamp in talk_page
    outside = client.post(
        f"/lectures/{talk.id}/chase",
        data={"csrf_token": csrf_token(client), "next": "https://evil.example/"},
    )
    assert outside.headers["Location"] == f"/lectures/{talk.id}"  # no open redirect
    assert len(rows("chase", "in_app")) == 1  # and the second was refused (10 minutes)


def test_an_upload_over_one_hour_tells_the_speaker_with_the_first_advice(app, client, tmp_path):
    speaker = person("wangm", "王明")
    talk = talk_ahead(speaker)
    admin = person("kongr", "孔锐", roles=["admin"])
    deck = deck_file(tmp_path / "long.pptx", count=70, chars_per_note=180)
    response = post_deck(client, talk.id, deck, bearer(make_token(admin)))
    assert (response.status_code, response.get_json()["verdict"]) == (201, "over")
    [message] = rows("verdict_over", "in_app")
    assert message.user_id == speaker.id
    assert message.title == "课件超时：《乡村振兴政策解读》"
    assert message.body.startswith(
        "您的讲学《乡村振兴政策解读》新上传的课件预计 70 分钟，超出 10 分钟。"
    )
    assert "\n建议：预计讲课 1 小时 10 分，超过 1 小时 的时限 10 分钟。删去第" in message.body
    short = deck_file(tmp_path / "short.pptx", count=5)
    post_deck(client, talk.id, short, bearer(make_token(admin)))
    assert len(rows("verdict_over", "in_app")) == 1  # a deck within the limit: no message


def test_a_leave_request_tells_the_lead_leader_and_the_decision_the_requester(app, client):
    leader = make_leader("lecture")
    cadre = person("wangm", "王明")
    session = make_session(upcoming_weekday(0))
    request = ask_leave(cadre, session, at=local_now())
    [asked] = rows("leave_requested", "in_app")
    assert (asked.user_id, asked.title) == (leader.id, "请假申请：王明")
    assert asked.url == "/attendance/leave/queue"
    leave_service.decide(request, leader, False, "本次讲学与您部门工作相关，请参加")
    [decided] = rows("leave_decided", "in_app")
    assert decided.user_id == cadre.id
    assert decided.title.startswith("请假未批准：每周两课 ")
    assert decided.body.endswith("意见：本次讲学与您部门工作相关，请参加\n请按时参加。")
    assert decided.event_at == session.starts_at


def test_the_lead_leaders_own_leave_goes_to_the_admins(app):
    leader = make_leader("lecture")
    admin = person("kongr", "孔锐", roles=["admin"])
    session = make_session(upcoming_weekday(0))
    ask_leave(leader, session, at=local_now())
    assert [r.user_id for r in rows("leave_requested", "in_app")] == [admin.id]


def test_a_past_or_cancelled_talk_asks_no_answer(app):
    speaker = person("wangm", "王明")
    past = talk_ahead(speaker, days=-3)
    assert rows("talk_assigned") == []
    error = service_error(lambda: workflow.respond(past, speaker, True))
    assert error.code == "talk_started"

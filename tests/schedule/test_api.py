"""The schedule API contract: sessions, talks, errors, roles."""

from __future__ import annotations

import datetime as dt

from lecturehub.schedule import services
from lecturehub.schedule.models import Lecture, Session
from tests.factories import bearer, make_token, make_user
from tests.factories.schedule import generate, make_lecture

TALK = {
    "date": "2026-12-07",
    "title": "高标准农田建设政策解读",
    "speaker": "speaker",
    "department": "农业农村服务中心",
    "category": "最新政策和文件解读",
    "abstract": "**要点**",
}


def _admin():
    return bearer(make_token(make_user("boss", roles=["admin"])))


def test_sessions_list_has_the_documented_fields(client, db):
    speaker = make_user("speaker", "张讲")
    generate("2026-12-07", "2026-12-08")
    make_lecture("2026-12-07", speaker=speaker)
    member = bearer(make_token(make_user("member")))
    response = client.get("/api/v1/sessions?from=2026-12-07&to=2026-12-08", headers=member)
    assert response.status_code == 200
    first, second = response.get_json()["sessions"]
    assert first == {
        "id": first["id"],
        "series": {"id": 1, "name": "每周两课"},
        "start": "2026-12-07T19:00:00+08:00",
        "end": "2026-12-07T20:00:00+08:00",
        "venue": "乡文化乐园",
        "status": "scheduled",
        "title": None,
        "change_reason": None,
        "lecture": {
            "id": first["lecture"]["id"],
            "title": "全民健身与乡村文化振兴",
            "speaker": {"id": speaker.id, "login": "speaker", "name": "张讲"},
            "department": "文化站",
            "category": "业务知识讲解",
            "deadline": "2026-12-05T18:00:00+08:00",
        },
        "attendance_state": first["attendance_state"],
    }
    assert first["attendance_state"] in ("upcoming", "open", "unrecorded")
    assert (second["start"], second["lecture"]) == ("2026-12-08T06:30:00+08:00", None)


def test_sessions_filter_by_series(client, db):
    generate("2026-12-07", "2026-12-08")
    member = bearer(make_token(make_user("member")))
    response = client.get("/api/v1/sessions?from=2026-12-07&to=2026-12-08&series=2", headers=member)
    assert response.status_code == 200
    assert [s["series"]["name"] for s in response.get_json()["sessions"]] == ["每周两操"]


def test_sessions_refuse_a_reversed_or_too_long_range(client, db):
    member = bearer(make_token(make_user("member")))
    reversed_ = client.get("/api/v1/sessions?from=2026-12-08&to=2026-12-01", headers=member)
    assert (reversed_.status_code, reversed_.get_json()["error"]["message"]) == (
        422,
        "结束日期不能早于开始日期。",
    )
    long = client.get("/api/v1/sessions?from=2026-01-01&to=2028-06-01", headers=member)
    assert (long.status_code, long.get_json()["error"]["code"]) == (422, "range_too_long")


def test_admin_posts_a_talk_on_a_date_without_a_session(client, db):
    make_user("speaker")
    response = client.post("/api/v1/lectures", json=TALK, headers=_admin())
    assert response.status_code == 201
    body = response.get_json()
    lecture = db.session.get(Lecture, body["id"])
    assert body == {
        "id": lecture.id,
        "session_id": lecture.session_id,
        "starts_at": "2026-12-07T19:00:00+08:00",
        "deadline": "2026-12-05T18:00:00+08:00",
    }
    assert (lecture.session.is_extra, lecture.speaker.login, lecture.abstract_md) == (
        False,
        "speaker",
        "**要点**",
    )


def test_posting_on_a_date_with_a_talk_is_409(client, db):
    make_user("speaker")
    headers = _admin()
    client.post("/api/v1/lectures", json=TALK, headers=headers)
    again = client.post("/api/v1/lectures", json=dict(TALK, title="另一个"), headers=headers)
    assert again.status_code == 409
    assert again.get_json()["error"] == {
        "code": "lecture_exists",
        "message": "2026-12-07 已经安排了讲学。",
    }
    assert db.session.query(Lecture).count() == 1


def test_posting_on_a_holiday_is_refused(client, db):
    make_user("speaker")
    response = client.post("/api/v1/lectures", json=dict(TALK, date="2026-10-05"), headers=_admin())
    assert response.status_code == 422
    assert (
        response.get_json()["error"]["message"] == "2026-10-05 是法定节假日（国庆节），不安排活动。"
    )
    assert db.session.query(Session).count() == 0


def test_posting_with_an_inactive_speaker_or_bad_category_changes_nothing(client, db):
    make_user("speaker", active=False)
    headers = _admin()
    inactive = client.post("/api/v1/lectures", json=TALK, headers=headers)
    assert (inactive.status_code, inactive.get_json()["error"]["code"]) == (422, "inactive_speaker")
    make_user("other")
    bad = client.post(
        "/api/v1/lectures", json=dict(TALK, speaker="other", category="闲谈"), headers=headers
    )
    assert (bad.status_code, bad.get_json()["error"]["code"]) == (422, "bad_category")
    assert (db.session.query(Session).count(), db.session.query(Lecture).count()) == (0, 0)


def test_post_on_a_tuesday_creates_a_one_off_lecture_session(client, db):
    make_user("speaker")
    response = client.post("/api/v1/lectures", json=dict(TALK, date="2026-12-08"), headers=_admin())
    assert response.status_code == 201
    session = services.get_session(response.get_json()["session_id"])
    assert (session.is_extra, session.starts_at) == (True, dt.datetime(2026, 12, 8, 19, 0))


def test_member_reads_a_talk_and_admin_patches_it(client, db):
    lecture = make_lecture("2026-12-07")
    member = bearer(make_token(make_user("member")))
    got = client.get(f"/api/v1/lectures/{lecture.id}", headers=member).get_json()
    assert (got["title"], got["abstract_html"], got["session_id"]) == (
        "全民健身与乡村文化振兴",
        "<p>讲 <strong>每周两操</strong> 的开展情况。</p>",
        lecture.session_id,
    )
    refused = client.patch(f"/api/v1/lectures/{lecture.id}", json={"title": "x"}, headers=member)
    assert refused.status_code == 403
    patched = client.patch(
        f"/api/v1/lectures/{lecture.id}",
        headers=_admin(),
        json={"title": "新题目", "deadline": "2026-12-04T12:00:00+08:00"},
    )
    assert patched.status_code == 200
    assert (patched.get_json()["title"], patched.get_json()["deadline"]) == (
        "新题目",
        "2026-12-04T12:00:00+08:00",
    )


def test_patch_refuses_a_deadline_after_the_talk(client, db):
    lecture = make_lecture("2026-12-07")
    response = client.patch(
        f"/api/v1/lectures/{lecture.id}",
        headers=_admin(),
        json={"title": "改了", "deadline": "2026-12-07T21:00:00+08:00"},
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["message"] == "课件截止时间不能晚于讲学开始时间。"
    db.session.expire_all()
    assert lecture.title == "全民健身与乡村文化振兴"


def test_unknown_lecture_is_a_json_404(client, db):
    member = bearer(make_token(make_user("member")))
    assert (
        client.get("/api/v1/lectures/4242", headers=member).get_json()["error"]["code"]
        == "lecture_not_found"
    )

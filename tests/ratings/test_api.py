"""POST /api/v1/lectures/<id>/ratings and its refusals; the OpenAPI body."""

from __future__ import annotations

import datetime as dt

from lecturehub.core.timeutil import iso
from lecturehub.extensions import db
from lecturehub.ratings import services
from lecturehub.ratings.models import Rating
from tests.factories import bearer, make_token, make_user
from tests.factories.ratings import attendee, recent_talk, scores

URL = "/api/v1/lectures/{}/ratings"


def _post(client, talk, user, body):
    return client.post(URL.format(talk.id), json=body, headers=bearer(make_token(user)))


def test_first_rating_is_201_and_a_second_is_200_updated(app, client):
    talk = recent_talk()
    user = attendee(talk)
    first = _post(client, talk, user, scores(4, comment="不错"))
    closes = iso(services.window(talk)[1])
    assert first.status_code == 201
    assert first.get_json() == {"lecture_id": talk.id, "updated": False, "window_closes_at": closes}
    second = _post(client, talk, user, scores(2))
    assert second.status_code == 200
    assert second.get_json() == {"lecture_id": talk.id, "updated": True, "window_closes_at": closes}
    assert [r.overall for r in db.session.query(Rating)] == [2]


def test_rating_a_talk_you_did_not_attend_is_403_not_attended(app, client):
    talk = recent_talk()
    response = _post(client, talk, make_user(), scores())
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "not_attended"
    assert db.session.query(Rating).count() == 0


def test_rating_after_the_window_is_409_with_a_chinese_message(app, client):
    talk = recent_talk(days_ago=9)
    response = _post(client, talk, attendee(talk), scores())
    closes = talk.session.ends_at + dt.timedelta(days=7)
    assert response.status_code == 409
    assert response.get_json()["error"] == {
        "code": "window_closed",
        "message": f"评价已截止（截止时间 {closes.month}月{closes.day}日 {closes:%H:%M}）。",
    }


def test_rating_before_the_end_is_422(app, client):
    talk = recent_talk(days_ago=-1)
    response = _post(client, talk, attendee(talk), scores())
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "not_ended"


def test_a_score_out_of_range_is_422_and_changes_nothing(app, client):
    talk = recent_talk()
    response = _post(client, talk, attendee(talk), scores(overall=7))
    assert response.status_code == 422
    assert response.get_json()["error"] == {
        "code": "bad_score",
        "message": "“总体满意度”的分数必须是 1 到 5 的整数。",
    }
    assert db.session.query(Rating).count() == 0


def test_a_missing_score_is_422(app, client):
    talk = recent_talk()
    response = _post(client, talk, attendee(talk), {"overall": 5})
    assert (response.status_code, response.get_json()["error"]["code"]) == (422, "missing_score")


def test_a_comment_over_1000_characters_is_422(app, client):
    talk = recent_talk()
    response = _post(client, talk, attendee(talk), scores(comment="x" * 1001))
    assert (response.status_code, response.get_json()["error"]["code"]) == (422, "comment_too_long")


def test_a_body_that_is_not_an_object_is_400(app, client):
    talk = recent_talk()
    user = attendee(talk)
    response = client.post(
        URL.format(talk.id),
        data="[1]",
        content_type="application/json",
        headers=bearer(make_token(user)),
    )
    assert (response.status_code, response.get_json()["error"]["code"]) == (400, "bad_json")


def test_an_unknown_talk_is_404(app, client):
    response = _post(client, type("T", (), {"id": 999999})(), make_user(), scores())
    assert response.status_code == 404


def test_openapi_documents_the_rating_field_names(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    body = spec["paths"]["/api/v1/lectures/{lecture_id}/ratings"]["post"]["requestBody"]
    schema = body["content"]["application/json"]["schema"]
    assert sorted(schema["properties"]) == [
        "clear",
        "comment",
        "overall",
        "practical",
        "timing",
        "useful",
    ]
    assert schema["required"] == ["overall", "useful", "practical", "clear", "timing"]
    assert schema["properties"]["useful"]["maximum"] == 5
    assert "/api/v1/lectures/{lecture_id}/ratings/summary" in spec["paths"]

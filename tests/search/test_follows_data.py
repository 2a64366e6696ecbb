"""The index follows the data: new versions replace old slides, deletions leave no hits, a renamed,
re-assigned or moved talk shows its new facts. Uploads and deletions go through the real API."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from lecturehub.auth import services as auth_services
from lecturehub.schedule import lectures as schedule_lectures
from lecturehub.schedule import services as schedule_services
from lecturehub.search import services
from tests.factories import bearer, make_token, make_user
from tests.factories.courseware import make_lecture, post_deck
from tests.factories.search import deck, talk_with_deck


@pytest.fixture
def headers(admin):
    return bearer(make_token(admin))


def upload_api(client, headers, lecture_id: int, path) -> int:
    """Upload through the API; the new version's id."""
    response = post_deck(client, lecture_id, path, headers, "课件.pptx")
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def hits(client, headers, q: str) -> list[tuple]:
    body = client.get("/api/v1/search", query_string={"q": q}, headers=headers).get_json()
    return [(h["lecture_id"], h["courseware_id"], h["slide"]) for h in body["hits"]]


def test_a_new_version_replaces_the_old_slides(client, headers, tmp_path):
    lecture = make_lecture(None, "防汛工作")
    upload_api(client, headers, lecture.id, deck(tmp_path, ["旧版讲防汛预案", "河长制"]))
    v2 = upload_api(client, headers, lecture.id, deck(tmp_path, ["新版讲防汛演练"]))
    assert hits(client, headers, "防汛预案") == []
    assert hits(client, headers, "河长制") == []
    assert hits(client, headers, "防汛演练") == [(lecture.id, v2, 1)]


def test_deleting_the_current_version_brings_back_the_previous_one(client, headers, tmp_path):
    lecture = make_lecture(None, "防汛工作")
    v1 = upload_api(client, headers, lecture.id, deck(tmp_path, ["第一版讲防汛预案"]))
    v2 = upload_api(client, headers, lecture.id, deck(tmp_path, ["第二版讲医保报销"]))
    assert client.delete(f"/api/v1/courseware/{v2}", headers=headers).status_code == 200
    assert hits(client, headers, "医保报销") == []
    assert hits(client, headers, "防汛预案") == [(lecture.id, v1, 1)]


def test_deleting_the_only_version_leaves_no_hits(client, headers, tmp_path):
    lecture = make_lecture(None, "防汛工作")
    v1 = upload_api(client, headers, lecture.id, deck(tmp_path, ["防汛预案", "防汛演练"]))
    assert client.delete(f"/api/v1/courseware/{v1}", headers=headers).status_code == 200
    assert hits(client, headers, "防汛") == []
    assert services.get_index().indexed_decks() == {}


def test_a_renamed_talk_shows_its_new_title_and_speaker(client, headers, admin, tmp_path):
    lecture = talk_with_deck(tmp_path, admin, ["乡村振兴"], title="旧题目", speaker=admin)
    make_user("guoy", "郭雨")
    schedule_lectures.update_lecture(
        lecture,
        {
            "title": "乡村振兴新讲题",
            "speaker": "guoy",
            "department": "组织办",
            "category": "政治理论",
        },
    )
    body = client.get("/api/v1/search?q=乡村振兴&speaker=郭雨", headers=headers).get_json()
    (hit,) = body["hits"]
    assert (hit["lecture_title"], hit["speaker"], hit["department"], hit["category"]) == (
        "乡村振兴新讲题",
        "郭雨",
        "组织办",
        "政治理论",
    )


def test_a_moved_talk_shows_its_new_date(client, headers, admin, tmp_path):
    day = dt.date.today() + dt.timedelta(days=30)
    lecture = talk_with_deck(tmp_path, admin, ["河长制"], day=day)
    new_day = day + dt.timedelta(days=2)
    move = schedule_services.SessionMove(new_day, dt.time(19), "会议冲突")
    schedule_services.move_session(lecture.session, move)
    body = client.get("/api/v1/search?q=河长制", headers=headers).get_json()
    assert [h["date"] for h in body["hits"]] == [new_day.isoformat()]


def test_editing_a_talk_without_courseware_does_not_open_the_index(app):
    lecture = make_lecture(None, "防汛工作")
    schedule_lectures.update_lecture(lecture, {"title": "防汛工作要点"})
    assert list(Path(app.config["INDEX_DIR"]).iterdir()) == []  # opening it creates the index


def test_refresh_speaker_reindexes_the_talks_of_a_renamed_user(client, headers, admin, tmp_path):
    speaker = make_user("wangm", "王敏")
    lecture = talk_with_deck(tmp_path, admin, ["低保标准"], speaker=speaker)
    auth_services.update_user(speaker, auth_services.UserDetails("王敏华"))
    assert services.refresh_speaker(speaker.id) == 1
    body = client.get("/api/v1/search?q=低保", headers=headers).get_json()
    assert [(h["lecture_id"], h["speaker"]) for h in body["hits"]] == [(lecture.id, "王敏华")]


def test_hidden_slides_are_indexed_and_marked(client, headers, admin, tmp_path):
    talk_with_deck(tmp_path, admin, ["防汛预案", "防汛演练"], hidden={2})
    body = client.get("/api/v1/search?q=防汛&sort=date", headers=headers).get_json()
    assert [(h["slide"], h["hidden"]) for h in body["hits"]] == [(1, False), (2, True)]

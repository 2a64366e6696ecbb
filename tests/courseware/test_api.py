"""The courseware API: listing versions, one version with its analysis, deletion, CSRF."""

from __future__ import annotations

from lecturehub.courseware.models import Courseware
from tests.conftest import csrf_token
from tests.factories import bearer, make_token, make_user
from tests.factories.courseware import deck_file, post_deck, upload


def test_list_gives_versions_newest_first_with_the_status(client, tmp_path, speaker, lecture):
    first, _ = upload(lecture, deck_file(tmp_path / "a.pptx", count=3), speaker, "一.pptx")
    second, _ = upload(lecture, deck_file(tmp_path / "b.pptx", count=4), speaker, "二.pptx")
    reader = make_user("reader")
    body = client.get(
        f"/api/v1/lectures/{lecture.id}/courseware", headers=bearer(make_token(reader))
    ).get_json()
    assert [(v["id"], v["version"], v["current"]) for v in body["versions"]] == [
        (second.id, 2, True),
        (first.id, 1, False),
    ]
    assert body["status"]["status"] == "ok"
    assert body["versions"][1]["download_url"] == f"/courseware/{first.id}/download"
    assert "analysis" not in body["versions"][0]


def test_get_one_returns_the_analysis(client, tmp_path, speaker, lecture):
    row, _ = upload(lecture, deck_file(tmp_path / "a.pptx", count=3, hidden={2}), speaker)
    body = client.get(
        f"/api/v1/courseware/{row.id}", headers=bearer(make_token(speaker))
    ).get_json()
    assert (body["version"], body["current"]) == (1, True)
    assert body["analysis"]["hidden_slides"] == [2]
    assert [s["slide"] for s in body["analysis"]["per_slide"]] == [1, 2, 3]


def test_get_unknown_courseware_is_404(client, speaker):
    response = client.get("/api/v1/courseware/12345", headers=bearer(make_token(speaker)))
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_admin_deletes_a_version_by_api(client, tmp_path, speaker, lecture):
    first, _ = upload(lecture, deck_file(tmp_path / "a.pptx", count=3), speaker)
    second, _ = upload(lecture, deck_file(tmp_path / "b.pptx", count=4), speaker)
    admin = make_user("boss", roles=["admin"])
    response = client.delete(f"/api/v1/courseware/{second.id}", headers=bearer(make_token(admin)))
    assert (response.status_code, response.get_json()) == (
        200,
        {"deleted": second.id, "current_id": first.id},
    )
    assert Courseware.query.count() == 1


def test_session_upload_needs_the_csrf_header(client, auth, tmp_path, lecture):
    auth.login("speaker")
    path = deck_file(tmp_path / "a.pptx")
    without = post_deck(client, lecture.id, path, {})
    assert without.status_code == 400
    assert without.get_json()["error"]["code"] == "csrf_failed"
    with_header = post_deck(client, lecture.id, path, {"X-CSRFToken": csrf_token(client, "/")})
    assert with_header.status_code == 201


def test_openapi_documents_the_multipart_upload(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/lectures/{lecture_id}/courseware"]["post"]
    assert list(operation["requestBody"]["content"]) == ["multipart/form-data"]

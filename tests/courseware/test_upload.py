"""Uploading decks: versions, duplicates, content-addressed storage, indexing the new version."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from whoosh.util.filelock import FileLock

from lecturehub.core.errors import Forbidden
from lecturehub.core.storage import get_store
from lecturehub.core.timeutil import now
from lecturehub.courseware import services
from lecturehub.courseware.models import Courseware
from lecturehub.search import services as search_services
from tests.factories import bearer, make_token, make_user
from tests.factories.courseware import deck_file, make_lecture, post_deck, upload

NOTES_180 = ("乡村振兴产业发展人才培养生态保护组织建设" * 9)[:180]  # deck_file's notes: 1 minute


def test_upload_returns_201_with_the_version_and_its_analysis(
    client, tmp_path, lecture, speaker_headers
):
    path = deck_file(tmp_path / "d.pptx", count=5)
    before = now().replace(microsecond=0)
    response = post_deck(client, lecture.id, path, speaker_headers, "乡村振兴工作汇报.pptx")
    after = now()
    assert response.status_code == 201
    body = response.get_json()
    assert (body["version"], body["filename"], body["size"]) == (
        1,
        "乡村振兴工作汇报.pptx",
        path.stat().st_size,
    )
    assert body["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (body["analysis"]["verdict"], body["analysis"]["estimated_seconds"]) == ("ok", 300)
    assert (body["current"], body["kind"], body["uploaded_by"]["name"]) == (True, "pptx", "王讲师")
    uploaded_at = dt.datetime.fromisoformat(body["uploaded_at"])
    assert uploaded_at.utcoffset() == dt.timedelta(hours=8)
    assert before <= uploaded_at.replace(tzinfo=None) <= after


def test_file_is_stored_under_its_hash_not_its_name(app, tmp_path, speaker, lecture):
    path = deck_file(tmp_path / "d.pptx")
    row, created = upload(lecture, path, speaker, filename="../../乡村振兴.pptx")
    assert created is True
    assert row.filename == "乡村振兴.pptx"
    assert get_store().path(row.sha256).read_bytes() == path.read_bytes()
    assert list((Path(app.config["FILES_DIR"]) / "tmp").iterdir()) == []


def test_every_upload_is_a_new_version_and_the_latest_is_current(tmp_path, speaker, lecture):
    first, _ = upload(lecture, deck_file(tmp_path / "a.pptx", count=3), speaker)
    second, _ = upload(lecture, deck_file(tmp_path / "b.pptx", count=4), speaker)
    assert [r.version for r in services.versions(lecture)] == [2, 1]
    assert services.current_version(lecture) is second
    assert get_store().exists(first.sha256)


def test_same_bytes_again_make_no_new_version(client, tmp_path, lecture, speaker_headers):
    path = deck_file(tmp_path / "d.pptx")
    first = post_deck(client, lecture.id, path, speaker_headers).get_json()
    again = post_deck(client, lecture.id, path, speaker_headers, "另一个名字.pptx")
    assert again.status_code == 200
    body = again.get_json()
    assert (body["id"], body["version"], body["duplicate"]) == (first["id"], 1, True)
    assert Courseware.query.count() == 1


def test_admin_uploads_on_behalf_of_the_speaker(client, tmp_path, lecture):
    admin = make_user("boss", "孔锐", roles=["admin"])
    response = post_deck(
        client, lecture.id, deck_file(tmp_path / "d.pptx"), bearer(make_token(admin))
    )
    assert response.status_code == 201
    assert response.get_json()["uploaded_by"]["name"] == "孔锐"


def test_upload_to_someone_elses_talk_is_403(client, tmp_path, lecture):
    other = make_user("other")
    response = post_deck(
        client, lecture.id, deck_file(tmp_path / "d.pptx"), bearer(make_token(other))
    )
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"
    assert Courseware.query.count() == 0


def test_service_refuses_a_user_who_is_not_the_speaker(tmp_path, lecture):
    with pytest.raises(Forbidden):
        upload(lecture, deck_file(tmp_path / "d.pptx"), make_user("other"))


def test_macro_deck_is_accepted_and_macros_are_reported(client, tmp_path, lecture, speaker_headers):
    path = deck_file(tmp_path / "m.pptm", kind="pptm", macros=True)
    body = post_deck(client, lecture.id, path, speaker_headers).get_json()
    assert (body["kind"], body["has_macros"]) == ("pptm", True)
    assert "macros" in [w["code"] for w in body["analysis"]["warnings"]]


def test_slideshow_kind_is_accepted(tmp_path, speaker, lecture):
    row, _ = upload(lecture, deck_file(tmp_path / "s.ppsx", kind="ppsx"), speaker)
    assert row.kind == "ppsx"


def test_a_name_without_extension_gets_the_kind(tmp_path, speaker, lecture):
    row, _ = upload(lecture, deck_file(tmp_path / "d.pptx"), speaker, filename="汇报")
    assert row.filename == "汇报.pptx"


def test_a_version_keeps_the_slide_texts_notes_and_hidden_flags(tmp_path, speaker, lecture):
    row, _ = upload(lecture, deck_file(tmp_path / "d.pptx", count=2, hidden={2}), speaker)
    slides = row.slides
    assert [(s["slide"], s["title"], s["hidden"]) for s in slides] == [
        (1, "第1页", False),
        (2, "第2页", True),
    ]
    assert (slides[0]["text"], slides[0]["notes"]) == ("第1页\n要点1", NOTES_180)


def test_delete_current_version_makes_the_previous_current(tmp_path, speaker, lecture):
    admin = make_user("boss", roles=["admin"])
    first, _ = upload(lecture, deck_file(tmp_path / "a.pptx", count=3), speaker)
    second, _ = upload(lecture, deck_file(tmp_path / "b.pptx", count=4), speaker)
    key = second.sha256
    services.delete_version(second, admin)
    assert services.current_version(lecture) is first
    assert get_store().exists(key) is False


def test_delete_needs_an_admin(tmp_path, speaker, lecture):
    row, _ = upload(lecture, deck_file(tmp_path / "a.pptx"), speaker)
    with pytest.raises(Forbidden):
        services.delete_version(row, speaker)


def test_current_versions_are_one_per_talk(tmp_path, speaker, lecture):
    other = make_lecture(speaker, "第二场")
    upload(lecture, deck_file(tmp_path / "a.pptx", count=3), speaker)
    latest, _ = upload(lecture, deck_file(tmp_path / "b.pptx", count=4), speaker)
    theirs, _ = upload(other, deck_file(tmp_path / "c.pptx", count=2), speaker)
    assert services.current_for([lecture.id, other.id]) == {lecture.id: latest, other.id: theirs}
    assert services.current_ids() == {lecture.id: latest.id, other.id: theirs.id}
    assert services.current_slides_total() == 6


def test_an_upload_puts_the_new_version_in_the_search_index(
    client, tmp_path, lecture, speaker_headers
):
    response = post_deck(client, lecture.id, deck_file(tmp_path / "d.pptx"), speaker_headers)
    assert response.status_code == 201
    assert search_services.get_index().indexed_decks() == {lecture.id: response.get_json()["id"]}


def test_an_upload_is_kept_when_the_index_is_busy(
    app, client, runner, tmp_path, lecture, speaker_headers
):
    """Another process holds the index's write lock past the writer timeout: the upload stands,
    and ``lecturehub check --repair`` indexes it afterwards."""
    app.config["SEARCH_WRITER_TIMEOUT"] = 0.3
    index_dir = Path(app.config["INDEX_DIR"])
    search_services.get_index()  # opened (empty) before the lock is taken
    generation = (index_dir / "CURRENT").read_text().split()[0]
    lock = FileLock(str(index_dir / generation / "MAIN_WRITELOCK"))  # whoosh's writer lock
    assert lock.acquire()
    try:
        response = post_deck(client, lecture.id, deck_file(tmp_path / "d.pptx"), speaker_headers)
    finally:
        lock.release()
    assert response.status_code == 201
    row_id = response.get_json()["id"]
    assert [row.id for row in Courseware.query] == [row_id]
    assert search_services.get_index().indexed_decks() == {}
    assert runner.invoke(args=["check", "--repair"]).exit_code == 0
    assert search_services.get_index().indexed_decks() == {lecture.id: row_id}

"""Bad input: each refusal names the problem in Chinese and leaves storage and database as before."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lecturehub.courseware.models import Courseware
from tests import pptx_factory as pf
from tests.factories.courseware import deck_file, post_deck


def snapshot(app) -> tuple[list[str], int]:
    root = Path(app.config["FILES_DIR"])
    files = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
    return files, Courseware.query.count()


def refused(app, client, lecture, headers, path: Path, name: str | None = None):
    """POST the file; assert nothing changed; return (status, error code, message)."""
    before = snapshot(app)
    response = post_deck(client, lecture.id, path, headers, name)
    assert snapshot(app) == before
    error = response.get_json()["error"]
    return response.status_code, error["code"], error["message"]


def test_upload_rejects_legacy_ppt(app, client, tmp_path, lecture, speaker_headers):
    status, code, message = refused(
        app, client, lecture, speaker_headers, pf.legacy_ppt(tmp_path / "旧.ppt")
    )
    assert (status, code) == (415, "legacy_ppt")
    assert "另存为" in message and ".pptx" in message


def test_upload_rejects_a_password_protected_deck(app, client, tmp_path, lecture, speaker_headers):
    path = pf.encrypted_ooxml(tmp_path / "secret.pptx")
    assert refused(app, client, lecture, speaker_headers, path)[:2] == (415, "encrypted")


def test_upload_rejects_an_encrypted_legacy_ppt(app, client, tmp_path, lecture, speaker_headers):
    path = pf.legacy_ppt(tmp_path / "secret.ppt", encrypted=True)
    assert refused(app, client, lecture, speaker_headers, path)[:2] == (415, "encrypted")


def test_upload_rejects_a_pdf_named_pptx(app, client, tmp_path, lecture, speaker_headers):
    path = pf.pdf_file(tmp_path / "deck.pptx")
    status, code, message = refused(app, client, lecture, speaker_headers, path)
    assert (status, code) == (415, "not_presentation")
    assert "PDF" in message


@pytest.mark.parametrize(
    "builder, code", [(pf.theme_file, "theme"), (pf.docx_file, "not_presentation")]
)
def test_upload_rejects_themes_and_word_files(
    app, client, tmp_path, lecture, speaker_headers, builder, code
):
    path = builder(tmp_path / "file.pptx")
    assert refused(app, client, lecture, speaker_headers, path)[:2] == (415, code)


def test_upload_rejects_a_template(app, client, tmp_path, lecture, speaker_headers):
    path = deck_file(tmp_path / "t.potx", kind="potx")
    assert refused(app, client, lecture, speaker_headers, path)[:2] == (415, "template")


def test_upload_rejects_an_empty_file(app, client, tmp_path, lecture, speaker_headers):
    status, code, message = refused(
        app, client, lecture, speaker_headers, pf.empty_file(tmp_path / "e.pptx")
    )
    assert (status, code) == (422, "empty_file")
    assert "空" in message


def test_upload_rejects_a_truncated_zip(app, client, tmp_path, lecture, speaker_headers, deck):
    path = pf.truncated_zip(tmp_path / "cut.pptx", deck)
    assert refused(app, client, lecture, speaker_headers, path)[:2] == (422, "corrupt_zip")


def test_member_path_escaping_the_package_is_never_used(
    app, client, tmp_path, lecture, speaker_headers, deck
):
    path = pf.with_member(tmp_path / "slip.pptx", deck, "../../x", b"owned")
    response = post_deck(client, lecture.id, path, speaker_headers)
    assert response.status_code == 201
    assert not (tmp_path.parent / "x").exists() and not Path("../../x").exists()
    root = Path(app.config["FILES_DIR"])
    assert [p.name for p in root.rglob("x")] == []


def test_xml_external_entity_is_refused_and_never_echoed(
    app, client, tmp_path, lecture, speaker_headers, deck
):
    for encoding in ("utf-8", "utf-16"):
        path = pf.xxe_deck(tmp_path / f"xxe-{encoding}.pptx", deck, encoding)
        status, code, message = refused(app, client, lecture, speaker_headers, path)
        assert (status, code) == (422, "unsafe_xml")
        assert "root:" not in message


def test_entity_expansion_bomb_is_refused(app, client, tmp_path, lecture, speaker_headers, deck):
    path = pf.billion_laughs_deck(tmp_path / "lol.pptx", deck)
    assert refused(app, client, lecture, speaker_headers, path)[:2] == (422, "unsafe_xml")


def test_zip_bomb_slide_is_refused(app, client, tmp_path, lecture, speaker_headers, deck):
    path = pf.zip_bomb_deck(tmp_path / "bomb.pptx", deck)
    assert path.stat().st_size < 3 * 1024 * 1024
    assert refused(app, client, lecture, speaker_headers, path)[:2] == (422, "zip_bomb")


def test_member_lying_about_its_size_is_refused(
    app, client, tmp_path, lecture, speaker_headers, deck
):
    path = pf.lying_size_deck(tmp_path / "liar.pptx", deck)
    assert refused(app, client, lecture, speaker_headers, path)[0] == 422  # zip_bomb or corrupt_zip


def test_deck_with_zero_slides_is_refused(app, client, tmp_path, lecture, speaker_headers):
    path = pf.build_deck(tmp_path / "none.pptx", [])
    status, code, message = refused(app, client, lecture, speaker_headers, path)
    assert (status, code) == (422, "no_slides")
    assert "没有幻灯片" in message


def test_dangling_relationship_is_analysed_with_a_warning(
    client, tmp_path, lecture, speaker_headers
):
    rel = pf.REL + "chart"
    path = deck_file(tmp_path / "d.pptx", count=2, extra_rels={1: [(rel, "../charts/gone.xml")]})
    response = post_deck(client, lecture.id, path, speaker_headers)
    assert response.status_code == 201
    warnings = response.get_json()["analysis"]["warnings"]
    assert [(w["code"], w["slides"]) for w in warnings] == [("missing_part", [1])]


def test_file_over_the_size_limit_is_refused_by_the_spool(
    app, client, tmp_path, lecture, speaker_headers
):
    app.config["COURSEWARE_MAX_BYTES"] = 20_000
    path = deck_file(
        tmp_path / "big.pptx", count=3, extra_members={"ppt/media/pad.bin": os.urandom(30_000)}
    )
    status, code, message = refused(app, client, lecture, speaker_headers, path)
    assert (status, code) == (413, "too_large")
    assert "MB 的上限" in message
    assert list((Path(app.config["FILES_DIR"]) / "tmp").iterdir()) == []


def test_body_over_max_content_length_is_a_chinese_json_413(
    app, client, tmp_path, lecture, speaker_headers
):
    app.config["MAX_CONTENT_LENGTH"] = 10_000
    path = deck_file(
        tmp_path / "big.pptx", count=3, extra_members={"ppt/media/pad.bin": os.urandom(30_000)}
    )
    status, code, message = refused(app, client, lecture, speaker_headers, path)
    assert (status, code) == (413, "too_large")
    assert "上限" in message


def test_upload_without_a_file_field_is_400(app, client, lecture, speaker_headers):
    before = snapshot(app)
    response = client.post(
        f"/api/v1/lectures/{lecture.id}/courseware",
        data={"other": "x"},
        headers=speaker_headers,
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "no_file"
    assert snapshot(app) == before


def test_upload_to_an_unknown_talk_is_404(app, client, tmp_path, speaker_headers):
    response = post_deck(client, 999, deck_file(tmp_path / "d.pptx"), speaker_headers)
    assert response.status_code == 404

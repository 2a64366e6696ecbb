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


LEGACY_PPT = (
    "这是旧版 PowerPoint 97-2003 格式（.ppt），系统无法读取。"
    "请在 PowerPoint 或 WPS 中打开，重新“另存为 .pptx”后再上传。"
)
NO_OFFICE = "（服务器安装 LibreOffice 后可直接上传这种格式，请联系党政办。）"
UNREADABLE = (
    "无法读取该课件，文件可能已损坏。请在 PowerPoint 或 WPS 中打开，重新“另存为 .pptx”后再上传。"
)


@pytest.mark.parametrize("soffice", [False, True], ids=["without-libreoffice", "with-libreoffice"])
def test_upload_rejects_a_shell_of_a_legacy_ppt(
    app, client, tmp_path, monkeypatch, lecture, speaker_headers, soffice
):
    """Without LibreOffice (no `soffice` on the PATH) a .ppt is refused as before, saying what
    to do; with it, this OLE2 file that only looks like a .ppt (no edit record where its
    Current User atom points) is refused before LibreOffice ever sees it."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    if soffice:
        (bin_dir / "soffice").write_text("#!/bin/sh\n")
        (bin_dir / "soffice").chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    status, code, message = refused(
        app, client, lecture, speaker_headers, pf.legacy_ppt(tmp_path / "旧.ppt")
    )
    if soffice:
        assert (status, code, message) == (422, "unreadable", UNREADABLE)
    else:
        assert (status, code, message) == (415, "legacy_ppt", LEGACY_PPT + NO_OFFICE)


def test_upload_rejects_a_password_protected_deck(app, client, tmp_path, lecture, speaker_headers):
    path = pf.encrypted_ooxml(tmp_path / "secret.pptx")
    assert refused(app, client, lecture, speaker_headers, path)[:2] == (415, "encrypted")


def test_upload_rejects_an_encrypted_legacy_ppt(app, client, tmp_path, lecture, speaker_headers):
    path = pf.legacy_ppt(tmp_path / "secret.ppt", encrypted=True)
    assert refused(app, client, lecture, speaker_headers, path)[:2] == (415, "encrypted")


def test_upload_rejects_a_pdf_named_pptx(app, client, tmp_path, lecture, speaker_headers):
    path = pf.pdf_file(tmp_path / "deck.pptx")
    status, code, message = refused(app, client, lecture, speaker_headers, path)
    assert (status, code, message) == (
        415,
        "not_presentation",
        "这不是 PowerPoint 演示文稿（PDF 文件），请上传 .pptx 格式的课件。",
    )


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
    assert (status, code, message) == (
        422,
        "empty_file",
        "文件是空的（0 字节），请重新导出课件后上传。",
    )


def test_upload_rejects_a_truncated_zip(app, client, tmp_path, lecture, speaker_headers, deck):
    path = pf.truncated_zip(tmp_path / "cut.pptx", deck)
    assert refused(app, client, lecture, speaker_headers, path)[:2] == (422, "corrupt_zip")


def test_member_path_escaping_the_package_is_never_used(
    app, client, tmp_path, lecture, speaker_headers, deck, monkeypatch
):
    path = pf.with_member(tmp_path / "slip.pptx", deck, "../../x", b"owned")
    work = tmp_path / "one" / "two"  # the working directory: ../../x would land in tmp_path
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    response = post_deck(client, lecture.id, path, speaker_headers)
    assert response.status_code == 201
    assert Path(app.config["FILES_DIR"]).is_relative_to(tmp_path)
    assert list(tmp_path.rglob("x")) == []  # not beside the cwd, not in the storage


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
    assert refused(app, client, lecture, speaker_headers, path) == (
        422,
        "zip_bomb",  # it inflates past the size its header declares
        "文件内部数据异常（解压后体积过大），为安全起见已拒绝。"
        "请在 PowerPoint 或 WPS 中打开，重新“另存为 .pptx”后再上传。",
    )


def test_deck_with_zero_slides_is_refused(app, client, tmp_path, lecture, speaker_headers):
    path = pf.build_deck(tmp_path / "none.pptx", [])
    status, code, message = refused(app, client, lecture, speaker_headers, path)
    assert (status, code, message) == (422, "no_slides", "课件中没有幻灯片，请检查后重新上传。")


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
    app.config["COURSEWARE_MAX_BYTES"] = 1024 * 1024
    pad = os.urandom(1024 * 1024)  # does not compress: the deck is over 1 MiB
    path = deck_file(tmp_path / "big.pptx", count=3, extra_members={"ppt/media/pad.bin": pad})
    status, code, message = refused(app, client, lecture, speaker_headers, path)
    assert (status, code, message) == (
        413,
        "too_large",
        "课件文件超过 1 MB 的上限。请压缩图片和视频（或删去视频）后再上传。",
    )
    assert list((Path(app.config["FILES_DIR"]) / "tmp").iterdir()) == []


def test_body_over_max_content_length_is_a_chinese_json_413(
    app, client, tmp_path, lecture, speaker_headers
):
    app.config["MAX_CONTENT_LENGTH"] = 10_000
    path = deck_file(
        tmp_path / "big.pptx", count=3, extra_members={"ppt/media/pad.bin": os.urandom(30_000)}
    )
    status, code, message = refused(app, client, lecture, speaker_headers, path)
    assert (status, code, message) == (  # the message names the courseware limit (300 MB)
        413,
        "too_large",
        "课件文件超过 300 MB 的上限。请压缩图片和视频（或删去视频）后再上传。",
    )


def test_upload_without_a_file_field_is_400(app, client, lecture, speaker_headers):
    before = snapshot(app)
    response = client.post(
        f"/api/v1/lectures/{lecture.id}/courseware",
        data={"other": "x"},
        headers=speaker_headers,
        content_type="multipart/form-data",
    )
    assert (response.status_code, response.get_json()["error"]) == (
        400,
        {"code": "no_file", "message": "请求中缺少文件字段 file（multipart/form-data）。"},
    )
    assert snapshot(app) == before


def test_upload_to_an_unknown_talk_is_404(app, client, tmp_path, speaker_headers):
    response = post_deck(client, 999, deck_file(tmp_path / "d.pptx"), speaker_headers)
    assert (response.status_code, response.get_json()["error"]) == (
        404,
        {"code": "lecture_not_found", "message": "找不到该讲学。"},
    )

""".ppt, .pps, .dps and .odp uploads: accepted at once, converted and analysed by the background
job with real LibreOffice, shown with their slide images; failures say why; bad input leaves
nothing behind. The queue is run by hand here (``jobs.run_pending()``), as the worker would."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lecturehub.core import jobs
from lecturehub.core.models import Job
from lecturehub.courseware import previews
from lecturehub.courseware.models import Courseware
from lecturehub.extensions import db
from tests import pptx_factory as pf
from tests.data import SAMPLE_DECKS
from tests.factories import make_user
from tests.factories import office as of
from tests.factories.courseware import deck_file, post_deck

NOTES = [
    "转换后的课件没有排练计时：原文件若设置过排练计时，转换时未能保留，时长按讲稿字数估算。",
    "动画和切换效果只按 LibreOffice 的理解转换，请以原文件为准。",
]
MACRO_NOTE = "原文件中的宏没有保留，也从未运行。"
POI_PPT = SAMPLE_DECKS / "poi__empty.ppt"


def snapshot(app) -> dict:
    """Everything an upload may leave behind: stored files (temp ones included), derived
    files, version rows, queued jobs."""

    def files(root: Path) -> list[str]:
        return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())

    return {
        "files": files(Path(app.config["FILES_DIR"])),
        "previews": files(Path(app.config["PREVIEWS_DIR"])),
        "rows": db.session.scalar(select(func.count(Courseware.id))),
        "jobs": db.session.scalar(select(func.count(Job.id))),
    }


def version(client, courseware_id: int, headers: dict) -> dict:
    response = client.get(f"/api/v1/courseware/{courseware_id}", headers=headers)
    assert response.status_code == 200
    return response.get_json()


@of.needs_office
def test_a_ppt_is_accepted_at_once_then_converted_analysed_and_shown(
    app, client, auth, lecture, speaker_headers, office_decks
):
    response = post_deck(client, lecture.id, office_decks["ppt"], speaker_headers, "乡村振兴.ppt")
    body = response.get_json()
    assert response.status_code == 201
    assert (body["source_format"], body["filename"], body["analysis"], body["verdict"]) == (
        "ppt",
        "乡村振兴.ppt",
        None,
        None,
    )
    assert body["previews"] == {
        "status": "pending",
        "message": "生成中：正在把 .ppt 转换为 .pptx 并分析时长，完成后本页自动更新。",
        "slides": [],
    }

    assert jobs.run_pending().done == 1

    body = version(client, body["id"], speaker_headers)
    assert (body["kind"], body["verdict"], body["slides_total"]) == ("pptx", "ok", 3)
    assert body["estimated_seconds"] == 180  # one minute of Chinese notes per slide
    assert body["analysis"]["conversion"] == {
        "from": "ppt",
        "label": "由 .ppt 转换",
        "notes": NOTES,
    }
    assert [s["title"] for s in body["analysis"]["per_slide"]] == [
        "乡村振兴第1讲",
        "乡村振兴第2讲",
        "乡村振兴第3讲",
    ]
    previews_ = body["previews"]
    assert (previews_["status"], previews_["message"]) == ("ready", "共 3 页幻灯片图片")
    assert [s["slide"] for s in previews_["slides"]] == [1, 2, 3]

    auth.login("speaker")
    download = client.get(body["download_url"])
    assert download.data == office_decks["ppt"].read_bytes()  # the original stays the version
    assert download.mimetype == "application/vnd.ms-powerpoint"
    html = client.get(f"/lectures/{lecture.id}").get_data(as_text=True)
    assert '<div class="verdict ok" data-testid="verdict">预计 3 分钟，符合一小时要求</div>' in html
    assert '<span class="badge info">由 .ppt 转换</span>' in html
    assert html.count('data-testid="strip-slide"') == 3
    assert f'<a href="/lectures/{lecture.id}/slides/2">' in html  # a bar of the time chart


@of.needs_office
def test_the_converted_slides_are_searchable_and_hits_carry_their_thumbnail(
    app, client, lecture, speaker_headers, office_decks
):
    post_deck(client, lecture.id, office_decks["ppt"], speaker_headers, "乡村振兴.ppt")
    search = {"q": "乡村振兴第2讲"}
    before = client.get("/api/v1/search", query_string=search, headers=speaker_headers)
    assert before.get_json()["hits"] == []  # nothing to search until the job analysed it

    jobs.run_pending()

    hits = client.get("/api/v1/search", query_string=search, headers=speaker_headers)
    (hit,) = [h for h in hits.get_json()["hits"] if h["slide"] == 2]
    row = db.session.scalar(select(Courseware))
    rev = previews.manifest(row.sha256)["rev"]
    assert hit["thumb"] == f"/courseware/previews/{row.sha256}/{rev}/thumb-2.jpg"


@of.needs_office
def test_an_odp_with_a_macro_is_converted_and_the_macro_never_runs(
    app, client, lecture, speaker_headers, office_decks
):
    response = post_deck(client, lecture.id, office_decks["odp_macro"], speaker_headers, "宏.odp")
    assert (response.status_code, response.get_json()["source_format"]) == (201, "odp")

    jobs.run_pending()

    body = version(client, response.get_json()["id"], speaker_headers)
    assert body["analysis"]["conversion"] == {
        "from": "odp",
        "label": "由 .odp 转换",
        "notes": [NOTES[0], MACRO_NOTE, NOTES[1]],
    }
    assert (body["slides_total"], body["previews"]["status"]) == (3, "ready")
    assert not office_decks["macro_marker"].exists()


@of.needs_office
@pytest.mark.parametrize(("name", "fmt"), [("放映.pps", "pps"), ("WPS演示.dps", "dps")])
def test_pps_and_wps_dps_are_the_same_binary_and_keep_their_name(
    client, lecture, speaker_headers, office_decks, name, fmt
):
    response = post_deck(client, lecture.id, office_decks["ppt"], speaker_headers, name)
    body = response.get_json()
    assert (response.status_code, body["source_format"], body["filename"]) == (201, fmt, name)


@of.needs_office
def test_a_failed_conversion_says_why_and_a_pptx_upload_still_works(
    app, client, auth, tmp_path, lecture, speaker_headers, office_decks
):
    broken = of.broken_ppt(tmp_path / "坏.ppt", office_decks["ppt"])
    response = post_deck(client, lecture.id, broken, speaker_headers)
    assert response.status_code == 201

    jobs.run_pending()

    body = version(client, response.get_json()["id"], speaker_headers)
    reason = (
        "转换失败：LibreOffice 无法打开或转换该文件（文件可能已损坏，"
        "或转换所需内存超过 2048 MB 的上限）。"
    )
    assert (body["analysis"], body["previews"]) == (
        None,
        {"status": "failed", "message": reason, "slides": []},
    )
    auth.login("speaker")
    html = client.get(f"/lectures/{lecture.id}").get_data(as_text=True)
    assert (
        f'<div class="verdict failed" data-testid="conversion-status"\n       >{reason}</div>'
        in html
    )
    auth.logout()

    again = post_deck(client, lecture.id, deck_file(tmp_path / "新.pptx", count=4), speaker_headers)
    assert (again.status_code, again.get_json()["verdict"], again.get_json()["version"]) == (
        201,
        "ok",
        2,
    )


@of.needs_office
def test_deleting_the_version_removes_its_images(
    app, client, auth, tmp_path, lecture, speaker_headers
):
    body = post_deck(client, lecture.id, deck_file(tmp_path / "d.pptx", 2), speaker_headers)
    jobs.run_pending()
    sha = body.get_json()["sha256"]
    assert previews.manifest(sha)["pages"] == 2
    make_user("boss", roles=["admin"])
    auth.login("boss")

    response = auth.post(f"/courseware/{body.get_json()['id']}/delete")

    assert response.status_code == 302
    assert not previews.deck_dir(sha).exists()


XXE_CONTENT = (
    '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    f"<office:document-content {of.OFFICE_NS}/>"
)
BAD_FILES = {  # name → (how to make it, status, code)
    "炸弹.ppt": (lambda p, deck, bombs: shutil.copyfile(bombs["pptx"], p), 422, "zip_bomb"),
    "炸弹.odp": (lambda p, deck, bombs: shutil.copyfile(bombs["odp"], p), 422, "zip_bomb"),
    "实体.odp": (lambda p, deck, bombs: of.odp_file(p, content=XXE_CONTENT), 422, "unsafe_xml"),
    "笑.odp": (lambda p, deck, bombs: pf.billion_laughs_deck(p, deck), 422, "unsafe_xml"),
    "壳.ppt": (lambda p, deck, bombs: pf.legacy_ppt(p), 422, "unreadable"),
    "文档.ppt": (lambda p, deck, bombs: pf.ole2_word(p), 415, "not_presentation"),
    "模板.pot": (lambda p, deck, bombs: shutil.copyfile(POI_PPT, p), 415, "template"),
}


@of.needs_office
@pytest.mark.parametrize("name", list(BAD_FILES))
def test_bad_input_with_libreoffice_present_leaves_nothing_behind(
    app, client, tmp_path, lecture, speaker_headers, deck, zip_bombs, name
):
    make, status, code = BAD_FILES[name]
    make(tmp_path / name, deck, zip_bombs)
    before = snapshot(app)

    response = post_deck(client, lecture.id, tmp_path / name, speaker_headers)

    assert (response.status_code, response.get_json()["error"]["code"]) == (status, code)
    assert snapshot(app) == before


@pytest.mark.parametrize(
    ("fmt", "code", "message"),
    [
        (
            "ppt",
            "legacy_ppt",
            "这是旧版 PowerPoint 97-2003 格式（.ppt），系统无法读取。"
            "请在 PowerPoint 或 WPS 中打开，重新“另存为 .pptx”后再上传。",
        ),
        (
            "odp",
            "not_presentation",
            "这是 OpenDocument 演示文稿（.odp），系统无法直接读取。"
            "请在 WPS 或 LibreOffice 中打开，“另存为 .pptx”后再上传。",
        ),
    ],
)
def test_without_libreoffice_old_formats_are_refused_saying_what_to_do(
    app, client, tmp_path, lecture, speaker_headers, fmt, code, message
):
    app.config["SOFFICE"] = str(tmp_path / "no-such-soffice")
    path = POI_PPT if fmt == "ppt" else of.odp_file(tmp_path / "a.odp")
    before = snapshot(app)

    response = post_deck(client, lecture.id, path, speaker_headers, f"课件.{fmt}")

    assert (response.status_code, response.get_json()["error"]) == (
        415,
        {
            "code": code,
            "message": message + "（服务器安装 LibreOffice 后可直接上传这种格式，请联系党政办。）",
        },
    )
    assert snapshot(app) == before

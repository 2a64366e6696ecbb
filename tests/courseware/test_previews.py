"""Slide images: served to signed-in users with caching headers, shown on the talk page and in
the large view, kept right the day after — a restart mid-conversion, a second server process,
a version deleted while its images render, versions from before images existed."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import threading
import time
from pathlib import Path

from sqlalchemy import select

from lecturehub.core import jobs
from lecturehub.core.models import DONE, Job
from lecturehub.core.timeutil import now
from lecturehub.courseware import previews, services
from lecturehub.courseware.models import Courseware
from lecturehub.extensions import db
from tests.core import jobtasks
from tests.factories import make_user
from tests.factories import office as of
from tests.factories.courseware import make_lecture, post_deck, upload
from tests.pptx_factory import SlideSpec, build_deck

pytestmark = of.needs_office


def rendered(tmp_path, lecture, speaker, count: int = 2) -> Courseware:
    """A deck of ``count`` slides uploaded and its background work done."""
    specs = [
        SlideSpec(f"第{n}页标题", f"第{n}页正文", notes=f"第{n}页备注") for n in range(1, count + 1)
    ]
    row, _created = upload(lecture, build_deck(tmp_path / "d.pptx", specs), speaker)
    assert jobs.run_pending().done == 1
    return row


def image_url(row: Courseware, kind: str, n: int) -> str:
    return (
        f"/courseware/previews/{row.sha256}/{previews.manifest(row.sha256)['rev']}/{kind}-{n}.jpg"
    )


def test_images_are_served_to_signed_in_users_and_cached_as_immutable(
    client, auth, tmp_path, lecture, speaker
):
    row = rendered(tmp_path, lecture, speaker)
    url = image_url(row, "large", 2)
    assert client.get(url).status_code == 302  # to the login page
    auth.login("speaker")

    response = client.get(url)

    assert (response.status_code, response.mimetype) == (200, "image/jpeg")
    assert response.data[:3] == b"\xff\xd8\xff"
    assert response.headers["Cache-Control"] == "max-age=31536000, private, immutable"
    again = client.get(url, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    assert client.get(url.replace("large-2", "large-3")).status_code == 404
    assert client.get(url.replace(row.sha256, "../../etc")).status_code == 404
    assert (
        client.get(f"/courseware/previews/{row.sha256}/000000000000/large-1.jpg").status_code == 404
    )


def test_the_talk_page_strip_opens_a_large_view_with_text_and_notes(
    client, auth, tmp_path, lecture, speaker
):
    row = rendered(tmp_path, lecture, speaker, count=3)
    auth.login("speaker")
    page = client.get(f"/lectures/{lecture.id}").get_data(as_text=True)
    assert page.count('loading="lazy"') == 3
    assert f'<a href="/lectures/{lecture.id}/slides/2" class="strip-slide"' in page

    view = client.get(f"/lectures/{lecture.id}/slides/2").get_data(as_text=True)

    assert f'<img src="{image_url(row, "large", 2)}" alt="第 2 页：第2页标题"' in view
    assert '<p class="slide-body" data-testid="slide-text">第2页标题\n第2页正文</p>' in view
    assert '<p class="slide-notes" data-testid="slide-notes">第2页备注</p>' in view
    assert f'href="/lectures/{lecture.id}/slides/1" rel="prev"' in view
    assert f'href="/lectures/{lecture.id}/slides/3" rel="next"' in view
    assert client.get(f"/lectures/{lecture.id}/slides/4").status_code == 404
    assert client.get(f"/lectures/{lecture.id}/slides/0").status_code == 404


def test_search_hits_show_their_slide_thumbnail(client, auth, tmp_path, lecture, speaker):
    row = rendered(tmp_path, lecture, speaker)
    auth.login("speaker")
    html = client.get("/search", query_string={"q": "第2页正文"}).get_data(as_text=True)
    assert f'<img src="{image_url(row, "thumb", 2)}" loading="lazy"' in html


def test_a_restart_while_a_ppt_converts_finishes_the_work_later(
    app, client, lecture, speaker_headers, office_decks
):
    body = post_deck(client, lecture.id, office_decks["ppt"], speaker_headers).get_json()
    t0 = now()
    dead = jobs.claim(t0, "killed-server")  # a worker took the job, then its process died
    assert dead is not None
    assert jobs.run_pending(at=t0 + dt.timedelta(seconds=60)).total == 0  # its lease still holds
    status = client.get(f"/api/v1/courseware/{body['id']}/previews", headers=speaker_headers)
    assert status.get_json()["status"] == "pending"

    lease = app.config["JOBS_LEASE_SECONDS"]
    assert jobs.run_pending(at=t0 + dt.timedelta(seconds=lease + 1)).done == 1

    status = client.get(f"/api/v1/courseware/{body['id']}/previews", headers=speaker_headers)
    assert (status.get_json()["status"], status.get_json()["analysed"]) == ("ready", True)


def test_two_server_processes_render_each_deck_once(app, tmp_path, speaker):
    for n in (1, 2):
        talk = make_lecture(speaker, title=f"讲学{n}")
        upload(talk, build_deck(tmp_path / f"d{n}.pptx", [f"第{n}场"] * n), speaker)
    storage = app.config["STORAGE_DIR"]

    with multiprocessing.get_context("spawn").Pool(2) as pool:
        done = pool.map(jobtasks.drain_in_child, [storage, storage])

    states = list(db.session.execute(select(Job.state, Job.tries, Job.error)))
    assert (sum(done), states) == (2, [(DONE, 1, None), (DONE, 1, None)])
    pages = [previews.manifest(r.sha256)["pages"] for r in db.session.scalars(select(Courseware))]
    assert sorted(pages) == [1, 2]


def test_a_version_deleted_while_its_images_render_leaves_nothing_behind(
    app, tmp_path, lecture, speaker
):
    row, _created = upload(lecture, build_deck(tmp_path / "d.pptx", ["一", "二"]), speaker)
    sha, work = row.sha256, Path(app.config["PREVIEWS_DIR"]) / "tmp"

    def worker():
        with app.app_context():
            jobs.run_pending()

    thread = threading.Thread(target=worker)
    thread.start()
    deadline = time.monotonic() + 60
    while not any(work.glob("work-*/pdf/out")) and time.monotonic() < deadline:
        time.sleep(0.05)  # until LibreOffice is at work on it
    services.delete_version(row, make_user("boss", roles=["admin"]))
    thread.join(120)

    assert not previews.deck_dir(sha).exists()
    assert list(work.glob("work-*")) == []
    assert not Path(app.config["FILES_DIR"], sha[:2], sha[2:4], sha).exists()


def test_the_worker_makes_images_for_versions_stored_without_them(
    app, runner, tmp_path, lecture, speaker
):
    app.config["SOFFICE"] = str(tmp_path / "not-installed-yet")
    row, _created = upload(lecture, build_deck(tmp_path / "d.pptx", ["一"]), speaker)
    assert db.session.scalar(select(Job)) is None  # nothing to queue without LibreOffice
    app.config["SOFFICE"] = ""  # installed now
    missing = f"[问题] 讲学 #{lecture.id}「乡村振兴政策解读」第 1 版课件没有幻灯片图片"
    assert missing in runner.invoke(args=["check"]).output.splitlines()

    report = jobs.tick(app, "leader")  # LibreOffice is there now: the leader's scan queues it

    assert (report.done, previews.manifest(row.sha256)["pages"]) == (1, 1)
    assert missing not in runner.invoke(args=["check"]).output.splitlines()


def test_lecturehub_previews_makes_the_missing_images(app, runner, tmp_path, lecture, speaker):
    row = rendered(tmp_path, lecture, speaker)
    previews.remove(row.sha256)  # say the derived files were lost

    result = runner.invoke(args=["previews", "--missing"])

    assert (result.exit_code, result.output.splitlines()[-1]) == (
        0,
        "已生成 1 个课件版本的幻灯片图片，失败 0 个。",
    )
    assert previews.manifest(row.sha256)["pages"] == 2

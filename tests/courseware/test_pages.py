"""Pages: the talk page panel, the no-JS upload, downloads, the overview, the home card."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from urllib.parse import quote

from lecturehub.core.timeutil import now
from lecturehub.courseware import status
from lecturehub.courseware.models import Courseware
from tests import pptx_factory as pf
from tests.factories import make_user
from tests.factories.courseware import deck_file, make_lecture, upload

NAME = "乡村振兴工作汇报.pptx"


def form_upload(auth, lecture_id: int, path: Path, name: str = NAME):
    data = {"file": (io.BytesIO(Path(path).read_bytes()), name)}
    return auth.post(f"/lectures/{lecture_id}/courseware", data, content_type="multipart/form-data")


def test_talk_page_shows_the_verdict_chart_and_versions(client, auth, tmp_path, speaker, lecture):
    upload(lecture, deck_file(tmp_path / "d.pptx", count=52, hidden={3}), speaker, NAME)
    auth.login("speaker")
    html = client.get(f"/lectures/{lecture.id}").get_data(as_text=True)
    assert (
        '<div class="verdict ok" data-testid="verdict">预计 51 分钟，符合一小时要求</div>' in html
    )
    assert html.count('<rect class="bar hidden"') == 1 and "<svg" in html
    assert "第 1 版" in html and NAME in html and 'name="file"' in html


def test_over_limit_deck_is_red_with_cut_suggestions(client, auth, tmp_path, speaker, lecture):
    upload(lecture, deck_file(tmp_path / "d.pptx", count=75), speaker)
    auth.login("speaker")
    html = client.get(f"/lectures/{lecture.id}/courseware").get_data(as_text=True)
    assert (
        '<div class="verdict over" data-testid="verdict">预计 75 分钟，超出 15 分钟</div>' in html
    )
    assert html.count('<rect class="bar cut"') == 15
    assert "删去第" in html


def test_other_members_see_the_verdict_but_no_upload_form(client, auth, tmp_path, speaker, lecture):
    upload(lecture, deck_file(tmp_path / "d.pptx"), speaker)
    make_user("reader")
    auth.login("reader")
    html = client.get(f"/lectures/{lecture.id}/courseware").get_data(as_text=True)
    assert 'data-testid="verdict"' in html and 'name="file"' not in html


def test_form_upload_creates_a_version_and_redirects(client, auth, tmp_path, lecture):
    auth.login("speaker")
    response = form_upload(auth, lecture.id, deck_file(tmp_path / "d.pptx"))
    assert response.status_code == 302
    assert Courseware.query.one().filename == NAME
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "已上传第 1 版课件：预计 5 分钟，符合一小时要求。" in html


def test_double_submit_of_the_same_form_makes_one_version(client, auth, tmp_path, lecture):
    auth.login("speaker")
    path = deck_file(tmp_path / "d.pptx")
    form_upload(auth, lecture.id, path)
    response = form_upload(auth, lecture.id, path)
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "与第 1 版内容相同，未新建版本" in html
    assert Courseware.query.count() == 1


def test_form_upload_of_a_legacy_ppt_without_libreoffice_says_what_to_do(
    app, auth, tmp_path, lecture
):
    app.config["SOFFICE"] = str(tmp_path / "no-such-soffice")
    auth.login("speaker")
    response = form_upload(auth, lecture.id, pf.legacy_ppt(tmp_path / "x.ppt"), "旧课件.ppt")
    assert response.status_code == 415
    html = response.get_data(as_text=True)
    assert "请在 PowerPoint 或 WPS 中打开，重新“另存为 .pptx”后再上传。" in html
    assert "服务器安装 LibreOffice 后可直接上传这种格式，请联系党政办。" in html
    assert Courseware.query.count() == 0


def test_form_upload_without_a_file_is_400(auth, lecture):
    auth.login("speaker")
    response = auth.post(
        f"/lectures/{lecture.id}/courseware", {}, content_type="multipart/form-data"
    )
    assert response.status_code == 400
    assert "请选择要上传的课件文件" in response.get_data(as_text=True)


def test_form_upload_to_someone_elses_talk_is_403(auth, tmp_path, lecture):
    make_user("other")
    auth.login("other")
    response = form_upload(auth, lecture.id, deck_file(tmp_path / "d.pptx"))
    assert response.status_code == 403
    assert Courseware.query.count() == 0


def test_any_member_downloads_any_version_with_its_chinese_name(
    client, auth, tmp_path, speaker, lecture
):
    first_path = deck_file(tmp_path / "a.pptx", count=3)
    first, _ = upload(lecture, first_path, speaker, NAME)
    upload(lecture, deck_file(tmp_path / "b.pptx", count=4), speaker, "第二版.pptx")
    make_user("reader")
    auth.login("reader")
    response = client.get(f"/courseware/{first.id}/download")
    assert response.status_code == 200
    assert response.data == first_path.read_bytes()
    # an ASCII fallback (the Chinese letters dropped), then the name itself (RFC 6266)
    assert response.headers["Content-Disposition"] == (
        f"attachment; filename=.pptx; filename*=UTF-8''{quote(NAME)}"
    )


def test_admin_deletes_a_version_from_the_page(client, auth, tmp_path, speaker, lecture):
    row, _ = upload(lecture, deck_file(tmp_path / "a.pptx"), speaker)
    make_user("boss", roles=["admin"])
    auth.login("boss")
    response = auth.post(f"/courseware/{row.id}/delete")
    assert response.status_code == 302
    assert Courseware.query.count() == 0


def test_overview_lists_upcoming_talks_with_their_status(client, auth, tmp_path, speaker, lecture):
    make_lecture(make_user("other", "李四"), "河长制工作")
    upload(lecture, deck_file(tmp_path / "a.pptx"), speaker)
    make_user("boss", roles=["admin"])
    auth.login("boss")
    html = client.get("/courseware").get_data(as_text=True)
    assert "乡村振兴政策解读" in html and "河长制工作" in html
    assert "符合时长" in html and "未提交" in html


def test_status_reports_each_talk(tmp_path, speaker, lecture):
    late = make_lecture(speaker, "超时的讲学")
    empty = make_lecture(speaker, "未提交的讲学")
    upload(lecture, deck_file(tmp_path / "a.pptx"), speaker)
    upload(late, deck_file(tmp_path / "b.pptx", count=70), speaker)
    found = status.courseware_status([lecture.id, late.id, empty.id])
    assert {k: (v["status"], v["label"]) for k, v in found.items()} == {
        lecture.id: ("ok", "符合时长"),
        late.id: ("over", "超时"),
        empty.id: ("none", "未提交"),
    }
    assert found[lecture.id]["estimated_seconds"] == 300
    assert found[empty.id]["uploaded_at"] is None


def test_late_upload_is_marked_after_the_deadline(client, auth, tmp_path, speaker):
    deadline = now() - dt.timedelta(hours=1)
    lecture = make_lecture(speaker, starts_at=now() + dt.timedelta(days=1), deadline=deadline)
    upload(lecture, deck_file(tmp_path / "a.pptx"), speaker)
    auth.login("speaker")
    assert "截止后提交" in client.get(f"/lectures/{lecture.id}/courseware").get_data(as_text=True)
    assert status.courseware_status([lecture.id])[lecture.id]["late"] is True


def test_home_card_asks_the_speaker_to_upload_before_the_deadline(client, auth, speaker):
    starts = dt.datetime.combine(now().date() + dt.timedelta(days=10), dt.time(19))
    make_lecture(speaker, "待上传", starts_at=starts)
    due = starts - dt.timedelta(days=2)
    auth.login("speaker")
    html = client.get("/").get_data(as_text=True)
    assert f"请在 {due.month}月{due.day}日 18:00 前上传课件" in html

"""A speaker uploads a deck on the talk page, sees the verdict, uploads again, downloads v1."""

from __future__ import annotations

import re

from tests.e2e.conftest import login
from tests.factories import make_user
from tests.factories.courseware import deck_file, make_lecture

NAME = "乡村振兴工作汇报.pptx"
# Records the progress UI's first visible text in sessionStorage (it survives the reload).
WATCH_PROGRESS = """() => {
  const wrap = document.querySelector('.progress-wrap');
  new MutationObserver(() => {
    if (!wrap.hidden && !sessionStorage.progressSeen) {
      sessionStorage.progressSeen = wrap.querySelector('[data-testid=upload-progress]').textContent;
    }
  }).observe(wrap, {attributes: true, childList: true, subtree: true, characterData: true});
}"""


def test_speaker_uploads_versions_and_downloads_the_first(live_app, live_server, page, tmp_path):
    with live_app.app_context():
        speaker = make_user("speaker", "王讲师")
        lecture_id = make_lecture(speaker, "乡村振兴政策解读").id
    first = deck_file(tmp_path / NAME, count=5)
    second = deck_file(tmp_path / "第二版.pptx", count=70)
    login(page, live_server.url, "speaker")
    page.wait_for_selector("text=王讲师，您好")
    page.goto(f"{live_server.url}/lectures/{lecture_id}")

    page.evaluate(WATCH_PROGRESS)
    page.set_input_files("[data-testid=courseware-file]", str(first))
    verdict = page.locator("[data-testid=verdict]")
    verdict.wait_for()
    # the first text shown: the progress of the upload (the percentage depends on timing)
    assert re.fullmatch(r"正在上传 (\d|[1-9]\d)%", page.evaluate("sessionStorage.progressSeen"))
    assert verdict.inner_text() == "预计 5 分钟，符合一小时要求"
    assert page.locator("[data-testid=courseware-panel] svg.slide-chart rect.bar").count() == 5

    page.set_input_files("[data-testid=courseware-file]", str(second))
    page.wait_for_selector("[data-testid=download-2]")
    assert page.locator("[data-testid=verdict]").inner_text() == "预计 70 分钟，超出 10 分钟"
    assert page.locator("[data-testid=verdict]").get_attribute("class") == "verdict over"

    with page.expect_download() as info:
        page.click("[data-testid=download-1]")
    download = info.value
    assert download.suggested_filename == NAME
    assert download.path().read_bytes() == first.read_bytes()

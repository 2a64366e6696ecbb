"""On a phone: a speaker uploads a .ppt with Chinese text on the talk page; with the server's
background worker running and no step by hand, the page shows 生成中, then the verdict of the
converted deck, then its slide images; a thumbnail opens the large view with the notes; a
search hit shows its slide."""

from __future__ import annotations

from lecturehub.core import jobs
from tests import pptx_factory as pf
from tests.e2e.conftest import login
from tests.factories import make_user
from tests.factories import office as of
from tests.factories.courseware import make_lecture

LOADED = "img => img.complete && img.naturalWidth > 0"
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


@of.needs_office
def test_a_ppt_uploaded_from_a_phone_shows_its_verdict_and_slides(
    live_app, live_server, page, tmp_path
):
    pptx = pf.build_deck(tmp_path / "乡村振兴.pptx", of.slides_zh(3))
    ppt = of.convert_deck(pptx, "ppt", tmp_path / "乡村振兴工作.ppt", tmp_path / "convert")
    with live_app.app_context():
        speaker = make_user("speaker", "王讲师")
        lecture_id = make_lecture(speaker, "乡村振兴政策解读").id
    live_app.config["WORKER_INTERVAL_SECONDS"] = 0.5
    worker = jobs.Worker(live_app)  # as `lecturehub serve` runs it
    worker.start()
    try:
        login(page, live_server.url, "speaker")
        page.wait_for_selector("text=王讲师，您好")
        page.goto(f"{live_server.url}/lectures/{lecture_id}")

        page.set_input_files("[data-testid=courseware-file]", str(ppt))
        page.wait_for_selector("[data-testid=conversion-status], [data-testid=verdict]")
        verdict = page.locator("[data-testid=verdict]")
        verdict.wait_for(timeout=90_000)
        assert verdict.inner_text() == "预计 3 分钟，符合一小时要求"
        assert page.locator("[data-testid=conversion-note] .badge").inner_text() == "由 .ppt 转换"
        slides = page.locator("[data-testid=strip-slide]")
        slides.first.wait_for(timeout=90_000)
        assert slides.count() == 3
        slides.nth(1).scroll_into_view_if_needed()
        page.wait_for_function(f"() => ({LOADED})(document.querySelectorAll('.strip img')[1])")
        assert page.evaluate(NO_SIDEWAYS_SCROLL)

        slides.nth(1).click()
        page.wait_for_selector("[data-testid=slide-view]")
        assert page.locator("[data-testid=slide-title]").inner_text() == "乡村振兴第2讲"
        assert page.locator("[data-testid=slide-notes]").inner_text().startswith("推进乡村振兴")
        assert page.eval_on_selector("[data-testid=slide-image]", LOADED)
        assert page.evaluate(NO_SIDEWAYS_SCROLL)

        page.goto(f"{live_server.url}/search?q=乡村振兴第2讲")
        thumb = page.locator("[data-testid=hit-thumb]").first
        thumb.wait_for()
        assert page.eval_on_selector("[data-testid=hit-thumb]", LOADED)
        assert page.evaluate(NO_SIDEWAYS_SCROLL)
    finally:
        worker.stop()

"""A cadre searches 乡村振兴 on a phone, sees highlighted snippets and opens the slide."""

from __future__ import annotations

import datetime as dt

from tests.e2e.conftest import login
from tests.factories import make_user
from tests.factories.search import talk_with_deck


def test_search_highlights_the_words_and_opens_the_slide(live_app, live_server, page, tmp_path):
    with live_app.app_context():
        admin = make_user("boss", "孔锐", roles=["admin"])
        make_user("member1", "干部甲")
        lecture_id = talk_with_deck(
            tmp_path,
            admin,
            ["开场", "产业发展", "全面推进乡村振兴战略"],
            title="乡村振兴政策解读",
            speaker=admin,
            day=dt.date(2024, 3, 4),
        ).id
    login(page, live_server.url, "member1")
    page.wait_for_selector("text=干部甲，您好")
    page.goto(f"{live_server.url}/search")

    page.fill("[data-testid=search-q]", "乡村振兴")
    page.click("[data-testid=search-submit]")
    page.wait_for_selector("[data-testid=talk-result]")
    assert page.locator("[data-testid=search-total]").inner_text() == "约 1 页幻灯片，分属 1 场讲学"
    assert page.locator(".snippet mark").all_inner_texts() == ["乡村振兴"]

    page.click("[data-testid=slide-hit] a.slide-link")
    page.wait_for_url(f"**/lectures/{lecture_id}#slide-3")
    assert page.url == f"{live_server.url}/lectures/{lecture_id}#slide-3"
    slide = page.locator("#slide-3")
    slide.wait_for(state="visible")
    assert slide.locator(".slide-body").inner_text() == "全面推进乡村振兴战略"

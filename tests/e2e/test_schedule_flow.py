"""党政办 plans a month and assigns a talk; the speaker sees it with its deadline on 我的讲学."""

from __future__ import annotations

import datetime as dt

from lecturehub.core.timeutil import format_datetime_zh
from tests.e2e.conftest import login
from tests.factories import make_user
from tests.factories.schedule import upcoming_weekday


def test_admin_plans_a_month_and_the_speaker_sees_the_talk(live_app, live_server, page, browser):
    with live_app.app_context():
        make_user("kongr", "孔锐", roles=["admin"])
        make_user("wangm", "王明", department="文化站")
    monday = upcoming_weekday(0)
    login(page, live_server.url, "kongr")
    page.wait_for_selector("text=孔锐，您好")

    page.goto(f"{live_server.url}/admin/schedule/generate")
    page.fill("input[name=start]", monday.isoformat())
    page.fill("input[name=end]", (monday + dt.timedelta(days=30)).isoformat())
    page.click("[data-testid=generate]")
    page.wait_for_selector("text=新建的活动")

    page.goto(f"{live_server.url}/schedule?from={monday.isoformat()}")
    page.locator("a.sess-lecture").first.click()
    page.click("[data-testid=add-lecture]")
    page.select_option("select[name=department]", label="文化站")
    page.select_option("select[name=speaker]", label="王明（文化站）")
    page.fill("input[name=title]", "全民健身与乡村文化振兴")
    page.select_option("select[name=category]", "业务知识讲解")
    page.fill("textarea[name=abstract]", "讲**每周两操**的开展情况。")
    page.click("[data-testid=save-lecture]")
    page.wait_for_selector("text=讲学信息已保存")
    assert page.locator("[data-testid=speaker]").inner_text() == "王明"

    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    context.set_default_timeout(15000)
    speaker_page = context.new_page()
    try:
        login(speaker_page, live_server.url, "wangm")
        speaker_page.wait_for_selector("text=王明，您好")
        speaker_page.goto(f"{live_server.url}/my/talks")
        talk = speaker_page.locator("[data-testid=my-talk]")
        assert talk.count() == 1
        assert "全民健身与乡村文化振兴" in talk.inner_text()
        deadline = dt.datetime.combine(monday - dt.timedelta(days=2), dt.time(18, 0))
        assert format_datetime_zh(deadline) in talk.locator("[data-testid=deadline]").inner_text()
        assert "还剩" in talk.locator(".countdown-left").inner_text()
    finally:
        context.close()

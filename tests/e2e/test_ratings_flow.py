"""An attendee rates a talk from a phone; the speaker sees aggregates only after the fifth."""

from __future__ import annotations

from tests.e2e.conftest import login
from tests.factories import make_user
from tests.factories.ratings import SIX, attendee, rate_many, recent_talk

DIMENSIONS = ("overall", "useful", "practical", "clear", "timing")


def _speaker_view(browser, base_url: str):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    context.set_default_timeout(15000)
    page = context.new_page()
    login(page, base_url, "speaker")
    page.wait_for_selector("text=讲课人甲，您好")
    page.goto(f"{base_url}/ratings/mine")
    return context, page


def test_attendee_rates_on_a_phone_and_the_speaker_then_sees_the_means(
    live_app, live_server, page, browser
):
    with live_app.app_context():
        talk = recent_talk(speaker=make_user("speaker", "讲课人甲"), title="乡村振兴政策解读")
        rate_many(talk, SIX[:4])  # overall 5, 5, 4, 4
        attendee(talk, login="phone", name="手机用户")
        talk_id, day = talk.id, talk.session.date
    url = live_server.url

    speaker_context, speaker = _speaker_view(browser, url)
    assert speaker.locator("[data-testid=rating-shortfall]").inner_text() == (
        "评价人数不足（已有 4 人评价，满 5 人后显示）"
    )

    login(page, url, "phone")
    prompt = page.get_by_text(f"你参加了 {day.month}月{day.day}日 的讲学，请评价")
    prompt.click()
    page.wait_for_selector("[data-testid=rating-form]")
    first = page.locator(f"label[for=r{talk_id}-overall-5]")
    assert first.bounding_box()["height"] >= 44  # a thumb-sized target
    for name in DIMENSIONS:
        page.locator(f"label[for=r{talk_id}-{name}-5]").click()
    page.fill(f"#r{talk_id}-comment", "案例很贴近我们乡的实际")
    page.click("[data-testid=rating-submit]")
    page.wait_for_selector("text=感谢您的评价！")
    assert page.locator("[data-testid=overall-mean]").inner_text() == "4.60"
    assert page.locator("[data-testid=rating-submit]").inner_text() == "修改评价"

    speaker.reload()
    assert speaker.locator("[data-testid=speaker-overall-mean]").inner_text() == "4.60"
    assert speaker.locator("svg.histogram").count() == 5
    assert speaker.get_by_text("案例很贴近我们乡的实际").count() == 1
    speaker_context.close()

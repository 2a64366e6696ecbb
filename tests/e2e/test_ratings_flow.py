"""An attendee rates a talk from a phone; until the window closes the speaker's page does not
move; a talk whose window has closed with five ratings shows the speaker its means."""

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


def test_attendee_rates_on_a_phone_and_nothing_moves_until_publication(
    live_app, live_server, page, browser
):
    with live_app.app_context():
        speaker = make_user("speaker", "讲课人甲")
        talk = recent_talk(speaker=speaker, title="乡村振兴政策解读")
        rate_many(talk, SIX[:4])
        attendee(talk, login="phone", name="手机用户")
        earlier = recent_talk(9, speaker=speaker, title="上次讲的课")
        rate_many(earlier, SIX[:4] + [(5, 5, 5, 5, 5)], comments=["案例很贴近我们乡的实际"])
        talk_id, day = talk.id, talk.session.date
    url = live_server.url

    speaker_context, speaker_page = _speaker_view(browser, url)
    before = speaker_page.locator(f"[data-testid=speaker-talk-{talk_id}]").inner_text()
    assert "评价进行中" in before and "评价 4 人" not in before
    assert speaker_page.locator("[data-testid=speaker-overall-mean]").inner_text() == "4.60"
    assert speaker_page.locator("svg.histogram").count() == 5
    assert speaker_page.get_by_text("案例很贴近我们乡的实际").count() == 1

    login(page, url, "phone")
    prompt = page.get_by_text(f"你参加了 {day.month}月{day.day}日 的讲学，请评价")
    prompt.click()
    page.wait_for_selector("[data-testid=rating-form]")
    first = page.locator(f"label[for=r{talk_id}-overall-5]")
    assert first.bounding_box()["height"] >= 44  # a thumb-sized target
    for name in DIMENSIONS:
        page.locator(f"label[for=r{talk_id}-{name}-5]").click()
    page.fill(f"#r{talk_id}-comment", "讲得很清楚")
    page.click("[data-testid=rating-submit]")
    page.wait_for_selector("text=感谢您的评价！")
    notice = page.locator("[data-testid=rating-notice]").inner_text()
    assert notice.startswith("评价进行中，") and "截止后公布结果" in notice
    assert page.locator("[data-testid=overall-mean]").count() == 0
    assert page.locator("[data-testid=rating-submit]").inner_text() == "修改评价"

    speaker_page.reload()
    after = speaker_page.locator(f"[data-testid=speaker-talk-{talk_id}]").inner_text()
    assert after == before
    assert speaker_page.get_by_text("讲得很清楚").count() == 0
    speaker_context.close()


def test_the_participation_page_on_a_phone_shows_counts_and_no_names(live_app, live_server, page):
    with live_app.app_context():
        make_user("zuzhi", "组织办甲", roles=["organiser"])
        talk = recent_talk(9, title="已截止的讲学")
        raters = rate_many(talk, SIX[:5])
        talk_id, names = talk.id, [u.name for u in raters]
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, live_server.url, "zuzhi")
    page.wait_for_selector("text=组织办甲，您好")
    page.goto(f"{live_server.url}/ratings/lectures/{talk_id}/participation")
    assert page.locator("[data-testid=participation-count]").inner_text() == "5"
    text = page.locator("main").inner_text()
    assert all(name not in text for name in names)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # nothing wider than the phone

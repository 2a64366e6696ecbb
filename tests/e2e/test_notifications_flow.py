"""On a phone: the speaker sees the unread count, opens 消息, follows the message and declines
with a reason; 党政办 sees 需调整 on the dashboard and chases another talk from the overview."""

from __future__ import annotations

import time

from tests.e2e.conftest import login
from tests.factories import make_user
from tests.factories.notifications import talk_ahead


def test_the_speaker_declines_from_the_message_and_the_admin_sees_it_and_chases(
    live_app, live_server, page, browser
):
    with live_app.app_context():
        make_user("kongr", "孔锐", roles=["admin"])
        speaker = make_user("wangm", "王明")
        declined = talk_ahead(speaker, days=6, title="防汛应急预案解读")
        other = talk_ahead(make_user("lisi", "李四"), days=9, title="医保报销政策")
        declined_id, other_id = declined.id, other.id
    url = live_server.url

    login(page, url, "wangm")
    page.wait_for_selector("text=王明，您好")
    assert page.locator("[data-testid=unread-count]").inner_text() == "1"
    page.click("[data-testid=inbox-link]")
    message = page.locator("[data-testid=message]")
    assert message.count() == 1
    assert "讲学安排：《防汛应急预案解读》" in message.inner_text()
    page.click("[data-testid=message-link]")  # the page marks it read on the way (keepalive)
    page.wait_for_selector("[data-testid=decline-reason]")
    assert _unread_after_a_moment(page, url) == []
    page.click("[data-testid=decline]")  # no reason yet
    page.wait_for_selector("text=婉拒时请填写理由")
    page.fill("[data-testid=decline-reason]", "当天在县委党校培训")
    page.click("[data-testid=decline]")
    page.wait_for_selector("text=已婉拒，党政办会另行安排。")
    assert page.url == f"{url}/lectures/{declined_id}"
    assert page.locator("[data-testid=unread-count]").count() == 0
    box = page.locator("[data-testid=decline]").bounding_box()
    assert box["x"] + box["width"] <= 390  # fits the phone

    admin_context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    admin_context.set_default_timeout(15000)
    admin = admin_context.new_page()
    try:
        login(admin, url, "kongr")
        admin.wait_for_selector("text=孔锐，您好")
        assert admin.locator("[data-testid=unread-count]").inner_text() == "1"  # the decline
        admin.goto(f"{url}/admin/schedule")
        assert admin.locator("[data-testid=needs-change-declined]").inner_text() == (
            "需调整：王明婉拒（当天在县委党校培训）"
        )
        admin.goto(f"{url}/courseware")
        assert admin.locator(f"[data-testid=last-chase-{other_id}]").inner_text() == "尚未催办"
        admin.click(f"[data-testid=chase-{other_id}]")
        admin.wait_for_selector("text=已向李四催办")
        assert (
            admin.locator(f"[data-testid=last-chase-{other_id}]")
            .inner_text()
            .startswith("上次催办：")
        )
        assert admin.locator(f"[data-testid=chase-{declined_id}]").count() == 0
    finally:
        admin_context.close()


def _unread_after_a_moment(page, url: str, seconds: float = 10) -> list:
    """My unread messages, once the keepalive request sent while leaving the page has landed
    (the browser does not report its response to the page that sent it)."""
    deadline = time.monotonic() + seconds
    while True:
        unread = page.request.get(f"{url}/api/v1/notifications?unread=1").json()["notifications"]
        if not unread or time.monotonic() > deadline:
            return unread
        time.sleep(0.2)

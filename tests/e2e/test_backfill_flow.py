"""On a phone: 党政办 finds a morning training nobody recorded under 待补录 on the dashboard,
records it in one step (everyone present but one, with a reason), and the session shows as
recorded with the one absence and the audit line; the dashboard no longer lists it."""

from __future__ import annotations

import datetime as dt

from lecturehub.core.timeutil import now
from tests.e2e.conftest import login
from tests.factories import make_user
from tests.factories.attendance import make_session


def test_admin_backfills_an_unrecorded_training_from_the_dashboard(live_app, live_server, page):
    with live_app.app_context():
        admin = make_user("kongr", "孔锐", roles=["admin"])
        away = make_user("wangm", "王明")
        here = [make_user(f"m{i}", f"干部{i}") for i in range(3)]
        two_days_ago = (now() - dt.timedelta(days=2)).replace(hour=6, minute=30, second=0)
        session = make_session(two_days_ago, kind="training", title="晨练")
        session_id, away_id = session.id, away.id
        here_ids = [u.id for u in [admin, *here]]
    url = live_server.url

    login(page, url, "kongr")
    page.wait_for_selector("text=孔锐，您好")
    page.goto(f"{url}/admin/schedule")
    assert "待补录（1）" in page.locator("[data-testid=unrecorded-list]").inner_text()
    page.click("[data-testid=unrecorded-list] [data-testid=backfill-link]")
    page.wait_for_selector("[data-testid=unrecorded-notice]")

    page.click("button[data-check-all=users]")  # 全选 (attendance.js), then leave 王明 out
    page.uncheck(f"#u{away_id}")
    page.select_option("select[name=status]", "present")
    page.select_option("select[name=rest]", "absent")  # 其余全部缺席: only 王明 is left
    page.fill("input[name=reason]", "晨练当天无人点名，按现场签到表补录")
    page.click("[data-testid=save-marks]")

    page.wait_for_selector("text=已记录 5 人，本场考勤已记录。")
    assert page.url == f"{url}/sessions/{session_id}/attendance"
    assert page.locator("[data-testid=attendance-state]").first.get_attribute("data-state") == (
        "recorded"
    )
    away_row = page.locator(f"tr[data-user='{away_id}']")
    assert "缺席" in away_row.inner_text()
    assert "孔锐：待补录 → 缺席；原因：晨练当天无人点名，按现场签到表补录" in away_row.inner_text()
    for user_id in here_ids:
        assert "出勤" in page.locator(f"tr[data-user='{user_id}']").inner_text()
    box = page.locator("[data-testid=backfill-link]").bounding_box()
    assert box["x"] + box["width"] <= 390  # fits the phone

    page.goto(f"{url}/admin/schedule")
    page.wait_for_selector("h1")
    assert page.locator("[data-testid=unrecorded-list]").count() == 0

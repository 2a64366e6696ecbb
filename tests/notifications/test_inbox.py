"""The 消息 page and API, the header's unread count, channel settings, the admin's outbox page;
rating reminders that say nothing about who rated; the month's report to 组织办."""

from __future__ import annotations

import datetime as dt

from lecturehub.auth.services import set_email, user_by_login
from lecturehub.notifications import due, outbox
from lecturehub.ratings import services as rating_services
from tests.factories import bearer, make_token
from tests.factories.notifications import person, rows, talk_ahead
from tests.factories.ratings import attendee, make_talk, rate

HOUR = dt.timedelta(hours=1)


def test_the_api_lists_my_messages_and_marks_one_read(app, client):
    speaker = person("wangm", "王明")
    talk = talk_ahead(speaker)
    headers = bearer(make_token(speaker))
    listing = client.get("/api/v1/notifications?unread=1", headers=headers)
    [message] = rows("talk_assigned", "in_app")
    assert listing.status_code == 200
    assert listing.get_json() == {
        "notifications": [
            {
                "id": message.id,
                "event": "talk_assigned",
                "title": "讲学安排：《乡村振兴政策解读》",
                "body": message.body,
                "url": f"/lectures/{talk.id}/response",
                "created_at": message.created_at.isoformat() + "+08:00",
                "read": False,
            }
        ]
    }
    read = client.post(f"/api/v1/notifications/{message.id}/read", headers=headers)
    assert (read.status_code, read.get_json()["read"]) == (200, True)
    assert client.get("/api/v1/notifications?unread=1", headers=headers).get_json() == {
        "notifications": []
    }
    assert [
        n["read"]
        for n in client.get("/api/v1/notifications", headers=headers).get_json()["notifications"]
    ] == [True]


def test_someone_elses_message_is_not_found(app, client):
    talk_ahead(person("wangm", "王明"))
    [message] = rows("talk_assigned", "in_app")
    other = bearer(make_token(person("lisi", "李四")))
    response = client.post(f"/api/v1/notifications/{message.id}/read", headers=other)
    assert (response.status_code, response.get_json()) == (
        404,
        {"error": {"code": "notification_not_found", "message": "找不到该消息。"}},
    )
    assert client.get("/api/v1/notifications", headers=other).get_json() == {"notifications": []}
    assert rows("talk_assigned", "in_app")[0].read_at is None


def test_the_header_counts_unread_messages_and_the_page_marks_them_read(app, client, auth):
    me = person("wangm", "王明")
    talk_ahead(me)
    talk_ahead(person("lisi", "李四"), days=9)  # someone else's
    auth.login("wangm")
    home = client.get("/").get_data(as_text=True)
    assert '<span class="count" data-testid="unread-count">1</span>' in home
    page = client.get("/notifications").get_data(as_text=True)
    assert "讲学安排：《乡村振兴政策解读》" in page
    [mine] = rows("talk_assigned", "in_app", me)
    marked = auth.post(f"/notifications/{mine.id}/read", {"next": "/notifications?unread=1"})
    assert (marked.status_code, marked.headers["Location"]) == (302, "/notifications?unread=1")
    assert 'data-testid="unread-count"' not in client.get("/").get_data(as_text=True)
    assert "没有未读消息。" in client.get("/notifications?unread=1").get_data(as_text=True)


def test_mark_all_read(app, client, auth):
    speaker = person("wangm", "王明")
    talk_ahead(speaker)
    talk_ahead(speaker, days=9)
    auth.login("wangm")
    done = auth.post("/notifications/read-all", follow_redirects=True)
    assert "已将 2 条消息标为已读。" in done.get_data(as_text=True)
    assert [r.read for r in rows(channel="in_app")] == [True, True]


def test_a_member_turns_email_off_and_then_gets_in_app_only(app, client, auth, smtp):
    me = person("wangm", "王明")
    auth.login("wangm")
    page = client.get("/notifications/settings").get_data(as_text=True)
    assert 'data-testid="my-email">wangm@example.cn<' in page
    saved = auth.post("/notifications/settings", {})  # the box unticked
    assert saved.status_code == 302
    talk_ahead(me)
    assert [r.channel for r in rows("talk_assigned")] == ["in_app"]


def test_the_profile_sets_and_checks_the_email_address(app, client, auth):
    person("wangm", "王明", email="")
    auth.login("wangm")
    bad = auth.post("/profile/email", {"email": "wangm@@example"}, follow_redirects=True)
    assert "电子邮箱地址“wangm@@example”格式不正确" in bad.get_data(as_text=True)
    good = auth.post("/profile/email", {"email": " WangM@Example.CN "}, follow_redirects=True)
    assert "电子邮箱已保存。" in good.get_data(as_text=True)
    assert user_by_login("wangm").email == "WangM@example.cn"


def test_the_admin_outbox_lists_failures_with_the_error_and_retries(app, client, auth, smtp):
    person("kongr", "孔锐", roles=["admin"], email="")
    smtp.handler.refuse["gone@example.cn"] = "550 5.1.1 No such user"
    talk_ahead(person("gone", "离职者", email="gone@example.cn"))
    outbox.drain()
    auth.login("kongr")
    page = client.get("/admin/notifications?state=failed").get_data(as_text=True)
    assert 'data-testid="outbox-error">SMTP RCPT TO 550: 5.1.1 No such user<' in page
    assert 'data-testid="tab-failed">失败 1<' in page
    [row] = rows("talk_assigned", "email")
    retried = auth.post(f"/admin/notifications/{row.id}/retry")
    assert retried.headers["Location"] == "/admin/notifications?state=failed"
    assert rows("talk_assigned", "email")[0].state == "queued"


def test_rating_reminders_go_to_each_attendee_alone_and_never_to_the_outbox_page(app, client, auth):
    person("kongr", "孔锐", roles=["admin"], email="")
    starts = dt.datetime(2026, 11, 23, 19, 0)
    talk = make_talk(starts, speaker=person("wangm", "王明"))
    rated, silent = attendee(talk, "rated", "已评"), attendee(talk, "silent", "未评")
    for user in (rated, silent):
        set_email(user, f"{user.login}@example.cn")
    ends = talk.session.ends_at
    assert due.rating_reminders(ends - HOUR) == 0  # not open yet
    assert due.rating_reminders(ends) == 4  # both attendees, in-app and e-mail
    assert due.rating_reminders(ends + HOUR) == 0
    rate(talk, rated, at=ends + 2 * HOUR)
    _opens, closes = rating_services.window(talk)
    assert due.rating_reminders(closes - 2 * dt.timedelta(days=1)) == 0
    assert due.rating_reminders(closes - dt.timedelta(days=1)) == 2  # only the one not rated
    assert [
        (r.event, r.user_id) for r in rows(channel="in_app") if r.event.startswith("rating")
    ] == [
        ("rating_open", rated.id),
        ("rating_open", silent.id),
        ("rating_closing", silent.id),
    ]
    assert talk.speaker_id not in {r.user_id for r in rows() if r.event.startswith("rating")}
    assert len(rows(channel="email")) == 3  # they are in the outbox …
    auth.login("kongr")
    outbox_page = client.get("/admin/notifications").get_data(as_text=True)
    assert "未评" not in outbox_page and "已评" not in outbox_page  # … but not on its page
    assert 'data-testid="outbox-row"' not in outbox_page
    assert 'data-testid="tab-queued">待发送 0<' in outbox_page


def test_organisers_hear_the_months_report_on_the_first(app):
    organiser = person("zuzhi", "陈静", roles=["organiser"])
    first = dt.datetime(2026, 12, 1, 8, 0)
    assert due.report_ready(first - dt.timedelta(minutes=1)) == 0
    assert due.report_ready(first) == 2
    assert due.report_ready(first + dt.timedelta(days=1)) == 0
    assert due.report_ready(dt.datetime(2026, 12, 4, 9)) == 0
    [message] = rows("report_ready", "in_app")
    assert (message.user_id, message.title, message.url) == (
        organiser.id,
        "2026年11月培训满意度测评结果已生成",
        "/reports/satisfaction?month=2026-11",
    )

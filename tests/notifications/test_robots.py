"""The group robots (a local HTTP server plays 企业微信 and 钉钉): Monday's schedule, moved and
cancelled sessions (also to everyone expected), the sign-in message; their errors; quiet hours."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac

from lecturehub.attendance import exemptions
from lecturehub.core.timeutil import format_datetime_zh
from lecturehub.core.timeutil import now as local_now
from lecturehub.notifications import due, outbox
from lecturehub.schedule import services as schedule_services
from tests.factories import make_user
from tests.factories.attendance import make_leader
from tests.factories.notifications import person, rows, talk_ahead
from tests.factories.schedule import make_session, training_series, upcoming_weekday
from tests.notifications.conftest import SECRET

WECOM, DINGTALK = "/wecom/send", "/dingtalk/robot/send"


def signature_ok(call) -> bool:
    timestamp, sign = call.query["timestamp"][0], call.query["sign"][0]
    digest = hmac.new(SECRET.encode(), f"{timestamp}\n{SECRET}".encode(), hashlib.sha256).digest()
    return sign == base64.b64encode(digest).decode()


def test_the_robot_endpoints_receive_the_monday_schedule(app, runner, robot):
    monday = upcoming_weekday(0)
    lecture = make_session(monday)
    talk = talk_ahead(person("wangm", "王明"), days=(monday - local_now().date()).days + 2)
    outbox.drain()
    result = runner.invoke(args=["remind", "--now", f"{monday.isoformat()}T08:00:00"])
    assert result.exit_code == 0, result.output
    [wecom] = robot.calls_to(WECOM)
    [dingtalk] = robot.calls_to(DINGTALK)
    sunday = monday + dt.timedelta(days=6)
    title = f"本周活动安排（{monday.month}月{monday.day}日—{sunday.month}月{sunday.day}日）"
    lines = [
        f"- {format_datetime_zh(lecture.starts_at)} 每周两课，乡文化乐园",
        f"- {format_datetime_zh(talk.starts_at)} 乡村振兴政策解读 《乡村振兴政策解读》，"
        "讲课人：王明，乡文化乐园",
    ]
    assert wecom.query == {"key": ["test-key"]}
    assert wecom.body == {
        "msgtype": "markdown",
        "markdown": {
            "content": f"**{title}**\n"
            + "\n".join(lines)
            + "\n[查看详情](http://lecturehub.example.cn:8080/schedule)"
        },
    }
    assert dingtalk.query["access_token"] == ["test-token"]
    assert signature_ok(dingtalk)
    assert dingtalk.body["msgtype"] == "markdown"
    assert dingtalk.body["markdown"]["title"] == title
    assert dingtalk.body["markdown"]["text"].startswith(f"#### {title}\n{lines[0]}")
    again = runner.invoke(args=["remind", "--now", f"{monday.isoformat()}T09:00:00"])
    assert again.output == "已排队 0 条，已发送 0 条（待重试 0 条，失败 0 条）。\n"
    assert len(robot.calls) == 2


def test_no_schedule_before_eight_or_on_another_day(app, robot):
    monday = upcoming_weekday(0)
    assert due.weekly_schedule(dt.datetime.combine(monday, dt.time(7, 59))) == 0
    assert due.weekly_schedule(dt.datetime.combine(monday + dt.timedelta(days=1), dt.time(8))) == 0
    app.config["WECOM_WEBHOOK"] = app.config["DINGTALK_WEBHOOK"] = ""
    assert due.weekly_schedule(dt.datetime.combine(monday, dt.time(8))) == 0  # no robot set


def test_a_moved_session_tells_everyone_expected_and_the_robots(app, robot):
    inspector = make_user("ducha", "督查", roles=["inspector"])
    leader = make_leader("training")
    runner_a, exempt_b = person("a", "甲"), person("b", "乙")
    exemptions.file_exemption(
        exempt_b,
        training_series(),
        local_now().date(),
        local_now().date() + dt.timedelta(days=60),
        "腰伤",
        inspector,
    )
    session = make_session(upcoming_weekday(1), kind="training")
    before = session.starts_at
    new_day = session.date + dt.timedelta(days=1)
    schedule_services.move_session(session, new_day, dt.time(6, 30), "乡政府大院", "广场施工")
    told = {r.user_id for r in rows("session_changed", "in_app")}
    assert told == {inspector.id, leader.id, runner_a.id}  # not the exempt one
    [message] = rows("session_changed", "in_app", runner_a)
    assert message.title == f"活动调整：每周两操 改到 {format_datetime_zh(session.starts_at)}"
    assert message.body == (
        f"“每周两操”由原定 {format_datetime_zh(before)} 调整为 "
        f"{format_datetime_zh(session.starts_at)}，地点：乡政府大院。\n原因：广场施工"
    )
    assert outbox.drain().sent == 1 + 2  # 甲's e-mail (乙 has an address but is exempt), robots
    assert [c.path for c in robot.calls] == [WECOM, DINGTALK]
    assert "改到" in robot.calls[0].body["markdown"]["content"]


def test_a_cancelled_session_tells_the_same_people_once_per_change(app, robot):
    person("a", "甲")
    session = make_session(upcoming_weekday(0))
    schedule_services.cancel_session(session, "上级临时召开全县大会")
    assert [r.title for r in rows("session_changed", "in_app")] == [
        f"活动取消：每周两课 {format_datetime_zh(session.starts_at)}"
    ]
    assert len(rows("session_changed")) == 2 + 2  # in-app, e-mail, two robots


def test_the_sign_in_message_goes_to_the_robots_while_sign_in_is_open(app, robot):
    session = make_session(upcoming_weekday(1), kind="training")
    opens = session.starts_at - dt.timedelta(minutes=30)
    assert due.signin_messages(opens - dt.timedelta(minutes=1)) == 0
    assert due.signin_messages(opens) == 2
    assert due.signin_messages(session.starts_at) == 0
    outbox.drain(opens)
    body = robot.calls[0].body["markdown"]["content"]
    assert body.startswith(f"**签到：每周两操 {session.starts_at:%H:%M}**\n")
    assert "请到场后扫描现场大屏上的二维码签到" in body
    assert f"http://lecturehub.example.cn:8080/sessions/{session.id}" in body


def test_robot_errors_rate_limit_is_retried_a_refusal_fails(app, robot):
    person("a", "甲", email="")
    session = make_session(upcoming_weekday(0))
    schedule_services.cancel_session(session, "停电")
    robot.answer(200, {"errcode": 45009, "errmsg": "api freq out of limit"})
    robot.answer(200, {"errcode": 310000, "errmsg": "keywords not in content"})
    report = outbox.drain()
    assert (report.sent, report.retried, report.failed) == (0, 1, 1)
    wecom, dingtalk = rows("session_changed", "wecom")[0], rows("session_changed", "dingtalk")[0]
    assert (wecom.state, wecom.error) == ("queued", "机器人接口错误 45009：api freq out of limit")
    assert (dingtalk.state, dingtalk.error) == (
        "failed",
        "机器人接口错误 310000：keywords not in content",
    )
    assert outbox.drain(local_now() + dt.timedelta(minutes=1)).sent == 1


def test_quiet_hours_hold_mail_until_seven_except_same_day_changes(app):
    app.config.update(NOTIFY_QUIET_START="22:00", NOTIFY_QUIET_END="07:00")
    night = dt.datetime(2026, 11, 23, 22, 30)
    seven = dt.datetime(2026, 11, 24, 7, 0)
    assert outbox.deliver_at(night, None) == seven
    assert outbox.deliver_at(dt.datetime(2026, 11, 24, 6, 59), None) == seven
    assert outbox.deliver_at(dt.datetime(2026, 11, 24, 7, 0), None) == seven
    assert outbox.deliver_at(dt.datetime(2026, 11, 23, 21, 59), None) == dt.datetime(
        2026, 11, 23, 21, 59
    )
    training = dt.datetime(2026, 11, 24, 6, 0)  # tomorrow 06:00: it cannot wait until 07:00
    assert outbox.deliver_at(night, training) == night
    tonight = dt.datetime(2026, 11, 23, 23, 30)  # the same day
    assert outbox.deliver_at(night, tonight) == night
    next_week = dt.datetime(2026, 11, 30, 19, 0)
    assert outbox.deliver_at(night, next_week) == seven


def test_a_reminder_computed_at_night_waits_for_the_morning_in_app_does_not(app, smtp):
    app.config.update(NOTIFY_QUIET_START="22:00", NOTIFY_QUIET_END="07:00")
    talk = talk_ahead(person("wangm", "王明"))
    night = dt.datetime.combine((talk.deadline - dt.timedelta(days=1)).date(), dt.time(23))
    outbox.drain(night - dt.timedelta(hours=6))
    due.queue_due(night)
    [in_app] = rows("courseware_due", "in_app")
    [mail] = rows("courseware_due", "email")
    assert (in_app.state, mail.state, mail.next_try_at) == (
        "sent",
        "queued",
        dt.datetime.combine(night.date() + dt.timedelta(days=1), dt.time(7)),
    )
    assert outbox.drain(night + dt.timedelta(hours=7, minutes=59)).sent == 0
    assert outbox.drain(night + dt.timedelta(hours=8)).sent == 1

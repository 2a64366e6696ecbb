"""E-mail through the outbox to a real SMTP server: exactly one message per assignment, Chinese
subject and names encoded, plain text and HTML, refusals, retries, a dead sender."""

from __future__ import annotations

import datetime as dt
import socket

from lecturehub.core.timeutil import now as local_now
from lecturehub.notifications import channels, outbox, services
from lecturehub.notifications.messages import Message
from tests.conftest import service_error
from tests.factories import bearer, make_token
from tests.factories.notifications import person, rows, talk_ahead
from tests.processes import free_port

BASE = "http://lecturehub.example.cn:8080"


def test_a_new_talk_with_a_speaker_who_has_an_email_produces_exactly_one_email(app, client, smtp):
    admin = person("kongr", "孔锐", roles=["admin"], email="")
    speaker = person("wangm", "王明")
    day = (local_now() + dt.timedelta(days=9)).date()
    created = client.post(
        "/api/v1/lectures",
        json={
            "date": day.isoformat(),
            "title": "防汛应急预案解读",
            "category": "业务知识讲解",
            "speaker": "wangm",
        },
        headers=bearer(make_token(admin)),
    )
    assert created.status_code == 201
    first, second = outbox.drain(), outbox.drain()
    assert (first.sent, second.sent) == (1, 0)
    [mail] = smtp.received
    lecture_id = created.get_json()["id"]
    assert mail.rcpt_tos == ["wangm@example.cn"]
    assert mail.subject == "讲学安排：《防汛应急预案解读》"
    assert str(mail.message["To"]) == "王明 <wangm@example.cn>"
    assert str(mail.message["From"]) == "关庙乡党政办 <dzb@guanmiao.example.cn>"
    assert b"=?utf-8?b?546L5piO?= <wangm@example.cn>" in mail.raw  # RFC 2047, not raw UTF-8
    assert mail.raw.isascii()
    assert f"{BASE}/lectures/{lecture_id}/response" in mail.text
    assert "请打开链接选择“接受”或“婉拒”" in mail.text
    assert f'href="{BASE}/lectures/{lecture_id}/response"' in mail.html
    assert "接受或婉拒" in mail.html
    [in_app] = rows("talk_assigned", "in_app", speaker)
    assert (in_app.state, in_app.url) == ("sent", f"/lectures/{lecture_id}/response")
    assert rows(user=admin) == []


def test_a_speaker_without_an_address_or_who_turned_email_off_gets_in_app_only(app, smtp):
    no_address = person("lisi", "李四", email="")
    opted_out = person("zhaoliu", "赵六")
    services.save_choices(opted_out, email=False)
    talk_ahead(no_address)
    talk_ahead(opted_out, days=8)
    outbox.drain()
    assert smtp.received == []
    assert [(r.user_id, r.channel) for r in rows("talk_assigned")] == [
        (no_address.id, "in_app"),
        (opted_out.id, "in_app"),
    ]


def test_without_a_mail_server_nothing_waits_for_email(app, smtp):
    app.config["MAIL_SERVER"] = ""
    talk_ahead(person("wangm", "王明"))
    assert [r.channel for r in rows()] == ["in_app"]


def test_an_address_the_server_refuses_fails_at_once_with_its_reply(app, smtp):
    smtp.handler.refuse["gone@example.cn"] = "550 5.1.1 No such user"
    talk_ahead(person("gone", "离职者", email="gone@example.cn"))
    talk_ahead(person("wangm", "王明"), days=8)
    report = outbox.drain()
    assert (report.sent, report.failed, report.retried) == (1, 1, 0)
    [failed] = [r for r in rows(channel="email") if r.state == "failed"]
    assert failed.error == "SMTP RCPT TO 550: 5.1.1 No such user"
    assert [m.rcpt_tos for m in smtp.received] == [["wangm@example.cn"]]


def test_a_busy_server_is_retried_with_backoff_then_delivers(app, smtp):
    smtp.handler.refuse["wangm@example.cn"] = "451 4.3.0 Try again later"
    talk_ahead(person("wangm", "王明"))
    t0 = local_now()
    assert outbox.drain(t0).retried == 1
    [row] = rows(channel="email")
    assert (row.state, row.tries, row.next_try_at) == ("queued", 1, t0 + dt.timedelta(seconds=30))
    assert row.error == "SMTP RCPT TO 451: 4.3.0 Try again later"
    assert outbox.drain(t0 + dt.timedelta(seconds=29)).sent == 0
    del smtp.handler.refuse["wangm@example.cn"]
    assert outbox.drain(t0 + dt.timedelta(seconds=30)).sent == 1
    [row] = rows(channel="email")
    assert (row.state, row.tries, row.error) == ("sent", 2, None)
    assert len(smtp.received) == 1


def test_an_unreachable_server_is_tried_max_times_then_the_row_fails(app):
    app.config.update(MAIL_PORT=free_port(), NOTIFY_MAX_TRIES=3)
    talk_ahead(person("wangm", "王明"))
    at = local_now()
    for _ in range(3):
        outbox.drain(at)
        at += dt.timedelta(hours=2)
    [row] = rows(channel="email")
    assert (row.state, row.tries) == ("failed", 3)
    assert row.error.startswith("无法连接邮件服务器 127.0.0.1:")


def test_a_message_left_sending_by_a_dead_process_is_failed_never_sent_twice(app, db, smtp):
    talk_ahead(person("wangm", "王明"))
    [row] = rows(channel="email")
    t0 = local_now()
    assert outbox.claim(row.id, t0) is not None  # claimed, then the process was killed
    assert outbox.drain(t0 + dt.timedelta(seconds=60)).sent == 0  # its lease still runs
    lease = app.config["NOTIFY_SEND_LEASE_SECONDS"]
    assert outbox.drain(t0 + dt.timedelta(seconds=lease + 1)).sent == 0
    [row] = rows(channel="email")
    assert row.state == "failed"
    assert row.error == outbox.INTERRUPTED
    assert smtp.received == []
    assert services.retry(row.id) is True  # the admin checked: not received, send it
    assert outbox.drain(t0 + dt.timedelta(seconds=lease + 2)).sent == 1
    assert len(smtp.received) == 1


def test_the_same_message_key_is_written_once(app, db):
    speaker = person("wangm", "王明")
    message = Message("chase", "催办：请提交课件", "请尽快提交。")
    assert services.notify([speaker], message, "chase:test") == 2  # in-app and e-mail
    assert services.notify([speaker], message, "chase:test") == 0
    assert [r.key for r in rows()] == [
        f"chase:test:u{speaker.id}:in_app",
        f"chase:test:u{speaker.id}:email",
    ]


def test_only_a_failed_message_can_be_retried(app, smtp):
    talk_ahead(person("wangm", "王明"))
    [row] = rows(channel="email")
    error = service_error(lambda: services.retry(row.id))
    assert (error.status, error.code, error.message) == (
        404,
        "notification_not_found",
        "找不到该失败的消息。",
    )
    outbox.drain()
    assert rows(channel="email")[0].state == "sent"


def test_a_connection_the_server_dropped_between_messages_is_opened_again(app, smtp):
    settings = channels.MailSettings.from_config(app.config)
    mailer = channels.Mailer(settings)

    def mail(n: int):
        email = channels.Email(
            "王明", "wangm@example.cn", f"第{n}封", "正文", "<p>正文</p>", f"<m{n}@x>"
        )
        return channels.build_email(settings, email, dt.datetime.now(dt.UTC))

    mailer.send(mail(1), "wangm@example.cn")
    mailer.smtp.sock.shutdown(socket.SHUT_RDWR)  # the server hung up while we were idle
    mailer.send(mail(2), "wangm@example.cn")
    mailer.close()
    assert [m.subject for m in smtp.received] == ["第1封", "第2封"]

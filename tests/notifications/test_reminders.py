"""Courseware reminders from the clock: 3 and 1 days before the deadline and once overdue,
each sent once however often ``lecturehub remind`` runs; the admins' daily digest; the worker."""

from __future__ import annotations

import datetime as dt

from lecturehub.auth.services import set_active
from lecturehub.core import jobs
from lecturehub.core.timeutil import format_date_zh, format_datetime_zh
from lecturehub.notifications import due, outbox, workflow
from lecturehub.schedule import services as schedule_services
from tests.factories.courseware import deck_file, upload
from tests.factories.notifications import keys, person, rows, talk_ahead

DAY = dt.timedelta(days=1)


def remind(runner, at: dt.datetime):
    return runner.invoke(args=["remind", "--now", at.isoformat()])


def test_remind_twice_one_day_before_the_deadline_sends_the_reminder_once(app, runner, smtp):
    speaker = person("wangm", "王明")
    talk = talk_ahead(speaker)
    outbox.drain()  # the assignment's own e-mail
    at = talk.deadline - DAY
    first, second = remind(runner, at), remind(runner, at)
    assert (first.exit_code, first.output) == (
        0,
        "已排队 2 条，已发送 2 条（待重试 0 条，失败 0 条）。\n",
    )
    assert (second.exit_code, second.output) == (
        0,
        "已排队 0 条，已发送 0 条（待重试 0 条，失败 0 条）。\n",
    )
    reminders = [m for m in smtp.received if m.subject.startswith("课件提醒")]
    assert [m.subject for m in reminders] == ["课件提醒：《乡村振兴政策解读》还有 1 天截止"]
    assert "目前尚未提交" in reminders[0].text


def test_remind_accepts_an_offset_and_refuses_what_is_not_a_moment(app, runner):
    talk = talk_ahead(person("wangm", "王明"))
    utc = (talk.deadline - DAY).replace(tzinfo=dt.timezone(dt.timedelta(hours=8)))
    ok = runner.invoke(args=["remind", "--now", utc.astimezone(dt.UTC).isoformat()])
    assert keys("courseware_due", "in_app") == [
        f"courseware_due:l{talk.id}:s{talk.speaker_id}:{talk.deadline:%Y%m%d%H%M}:1d:u{talk.speaker_id}:in_app"
    ]
    assert ok.exit_code == 0
    bad = runner.invoke(args=["remind", "--now", "明天早上"])
    assert (bad.exit_code, bad.output) == (
        2,
        "时间“明天早上”格式不正确，应为 ISO 8601，如 2026-11-21T18:00:00+08:00。\n",
    )


def test_three_days_one_day_and_overdue_each_come_once(app):
    speaker = person("wangm", "王明")
    talk = talk_ahead(speaker, days=8)
    deadline = talk.deadline
    moments = [
        deadline - 4 * DAY,  # nothing yet
        deadline - 3 * DAY,
        deadline - 2 * DAY,  # still the 3-day stage: already sent
        deadline - DAY,
        deadline - dt.timedelta(hours=1),
        deadline,
        deadline + DAY,
    ]
    queued = [due.queue_due(at) for at in moments]
    assert queued == [0, 2, 0, 2, 0, 2, 0]
    assert [r.title for r in rows(channel="in_app") if r.event != "talk_assigned"] == [
        "课件提醒：《乡村振兴政策解读》还有 3 天截止",
        "课件提醒：《乡村振兴政策解读》还有 1 天截止",
        "课件已逾期：《乡村振兴政策解读》",
    ]


def test_a_late_first_run_sends_only_the_latest_stage(app):
    talk = talk_ahead(person("wangm", "王明"))
    due.queue_due(talk.deadline - dt.timedelta(hours=5))
    assert [r.title for r in rows("courseware_due", "in_app")] == [
        "课件提醒：《乡村振兴政策解读》还有 1 天截止"
    ]


def test_no_reminder_once_handed_in_or_declined_or_cancelled(app, tmp_path):
    handed_in = talk_ahead(person("a", "甲"), days=6)
    upload(handed_in, deck_file(tmp_path / "a.pptx"), handed_in.speaker)
    declined = talk_ahead(person("b", "乙"), days=7)
    workflow.respond(declined, declined.speaker, False, "在县里学习")
    cancelled = talk_ahead(person("c", "丙"), days=8)
    schedule_services.cancel_session(cancelled.session, "上级临时会议")
    for talk in (handed_in, declined, cancelled):
        due.queue_due(talk.deadline - DAY)
        due.queue_due(talk.deadline + dt.timedelta(hours=1))
    assert rows("courseware_due") == [] and rows("courseware_overdue") == []


def test_a_moved_talk_gets_reminders_for_its_new_deadline(app):
    talk = talk_ahead(person("wangm", "王明"), days=6)
    old = talk.deadline
    due.queue_due(old - DAY)
    new_day = talk.session.date + dt.timedelta(days=7)
    schedule_services.move_session(talk.session, new_day, dt.time(19), "", "与党委会冲突")
    assert talk.deadline == old + 7 * DAY
    due.queue_due(old - dt.timedelta(hours=1))  # the old deadline's stage: nothing new
    due.queue_due(talk.deadline - DAY)
    assert [r.key.split(":")[3] for r in rows("courseware_due", "in_app")] == [
        f"{old:%Y%m%d%H%M}",
        f"{talk.deadline:%Y%m%d%H%M}",
    ]


def test_admins_get_one_digest_a_day_from_eight_of_the_talks_overdue(app):
    person("kongr", "孔锐", roles=["admin"])
    person("guoy", "郭雨", roles=["admin"])
    late = talk_ahead(person("wangm", "王明"), days=6, title="防汛应急预案")
    talk_ahead(person("lisi", "李四"), days=12)  # not yet due
    morning = dt.datetime.combine(late.deadline.date() + DAY, dt.time(7, 59))
    assert due.overdue_digest(morning) == 0
    assert due.overdue_digest(morning + dt.timedelta(minutes=1)) == 4  # 2 admins × 2 channels
    assert due.overdue_digest(morning + dt.timedelta(hours=6)) == 0
    [first, second] = rows("courseware_overdue", "in_app")
    assert first.title == f"课件逾期汇总（{format_date_zh(morning.date())}）：1 场"
    assert first.body == (
        "以下讲学已过课件截止时间，尚未提交：\n"
        f"· {format_datetime_zh(late.starts_at)} 《防汛应急预案》 讲课人：王明"
    )
    assert (first.url, second.body) == ("/courseware", first.body)


def test_the_workers_leader_computes_what_is_due_and_delivers_it(app, smtp):
    talk = talk_ahead(person("wangm", "王明"))
    outbox.drain()
    at = talk.deadline - DAY
    jobs.tick(app, "leader", at=at)
    jobs.tick(app, "other", at=at + dt.timedelta(seconds=5))  # not the leader: nothing
    assert [m.subject for m in smtp.received][1:] == ["课件提醒：《乡村振兴政策解读》还有 1 天截止"]
    jobs.tick(app, "leader", at=at + dt.timedelta(seconds=10))  # within a minute: no new work
    assert len(smtp.received) == 2


def test_a_speaker_whose_account_was_closed_is_not_reminded(app):
    speaker = person("wangm", "王明")
    talk = talk_ahead(speaker)
    set_active(speaker, False)
    assert due.queue_due(talk.deadline - DAY) == 0
    assert rows("courseware_due") == []

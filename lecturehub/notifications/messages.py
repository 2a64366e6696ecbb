"""What each message says (Simplified Chinese): one function per event, each returning a
``Message``. The title is the e-mail subject and the robot's heading; the body is plain text;
``url`` is a path of this site (e-mails and robots add LECTUREHUB_BASE_URL in front)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import current_app

from lecturehub.core.timeutil import format_date_zh, format_datetime_zh


@dataclass(frozen=True)
class Message:
    event: str
    title: str
    body: str
    url: str = ""
    event_at: dt.datetime | None = None  # the session it is about (quiet-hours exception)
    lecture_id: int | None = None


def path_for(endpoint: str, _anchor: str = "", **values) -> str:
    """A path of this site, also outside a request (the worker, ``lecturehub remind``)."""
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return f"{path}#{_anchor}" if _anchor else path


def _talk(lecture) -> str:
    return f"《{lecture.display_title}》"


def _when_where(session) -> str:
    return f"时间：{format_datetime_zh(session.starts_at)}\n地点：{session.venue}"


def talk_assigned(lecture, deadline: dt.datetime) -> Message:
    return Message(
        "talk_assigned",
        f"讲学安排：{_talk(lecture)}",
        f"您被安排在“{lecture.session.series.name}”讲学{_talk(lecture)}。\n"
        f"{_when_where(lecture.session)}\n课件截止：{format_datetime_zh(deadline)}\n"
        "请打开链接选择“接受”或“婉拒”（婉拒请说明理由）。",
        path_for("notifications.respond", lecture_id=lecture.id),
        lecture_id=lecture.id,
    )


def talk_declined(lecture, speaker, reason: str) -> Message:
    return Message(
        "talk_declined",
        f"讲课人婉拒：{_talk(lecture)}",
        f"{speaker.name}婉拒了{format_datetime_zh(lecture.starts_at)}的讲学{_talk(lecture)}。\n"
        f"理由：{reason}\n请另行安排讲课人。",
        path_for("schedule.edit_lecture", lecture_id=lecture.id),
        lecture_id=lecture.id,
    )


def courseware_due(lecture, deadline: dt.datetime, days: int) -> Message:
    return Message(
        "courseware_due",
        f"课件提醒：{_talk(lecture)}还有 {days} 天截止",
        f"您的讲学{_talk(lecture)}（{format_datetime_zh(lecture.starts_at)}）的课件"
        f"须在 {format_datetime_zh(deadline)} 前提交，目前尚未提交。\n"
        "请上传 PPTX 课件，系统会检查是否超过一小时。",
        path_for("pages.lecture", lecture_id=lecture.id, _anchor="courseware"),
        lecture_id=lecture.id,
    )


def courseware_overdue(lecture, deadline: dt.datetime) -> Message:
    return Message(
        "courseware_overdue",
        f"课件已逾期：{_talk(lecture)}",
        f"您的讲学{_talk(lecture)}（{format_datetime_zh(lecture.starts_at)}）的课件"
        f"截止时间 {format_datetime_zh(deadline)} 已过，尚未提交，请尽快上传。",
        path_for("pages.lecture", lecture_id=lecture.id, _anchor="courseware"),
        lecture_id=lecture.id,
    )


def overdue_digest(day: dt.date, talks: list) -> Message:
    lines = [
        f"· {format_datetime_zh(t.starts_at)} {_talk(t)}"
        f" 讲课人：{t.speaker.name if t.speaker else '（待定）'}"
        for t in talks
    ]
    return Message(
        "courseware_overdue",
        f"课件逾期汇总（{format_date_zh(day)}）：{len(talks)} 场",
        "以下讲学已过课件截止时间，尚未提交：\n" + "\n".join(lines),
        path_for("courseware.overview"),
    )


def chase(lecture, deadline: dt.datetime, by) -> Message:
    return Message(
        "chase",
        f"催办：请尽快提交{_talk(lecture)}的课件",
        f"{by.name}（党政办）提醒您：讲学{_talk(lecture)}（{format_datetime_zh(lecture.starts_at)}）"
        f"的课件截止时间为 {format_datetime_zh(deadline)}，请尽快上传或更新课件。",
        path_for("pages.lecture", lecture_id=lecture.id, _anchor="courseware"),
        lecture_id=lecture.id,
    )


def verdict_over(lecture, verdict: str, advice: str) -> Message:
    return Message(
        "verdict_over",
        f"课件超时：{_talk(lecture)}",
        f"您的讲学{_talk(lecture)}新上传的课件{verdict}。\n建议：{advice}",
        path_for("pages.lecture", lecture_id=lecture.id, _anchor="courseware"),
        lecture_id=lecture.id,
    )


def _leave_span(leave) -> str:
    if leave.session is not None:
        return f"{leave.series.name} {format_datetime_zh(leave.session.starts_at)}"
    if leave.date_from == leave.date_to:
        return f"{leave.series.name} {format_date_zh(leave.date_from)}"
    return f"{leave.series.name} {format_date_zh(leave.date_from)}至{format_date_zh(leave.date_to)}"


def leave_requested(leave) -> Message:
    late = "（逾期申请）" if leave.late else ""
    return Message(
        "leave_requested",
        f"请假申请：{leave.user.name}{late}",
        f"{leave.user.name}申请请假（{leave.leave_type}）：{_leave_span(leave)}。\n"
        f"事由：{leave.reason}\n请审批。",
        path_for("attendance_manage.leave_queue"),
    )


def leave_decided(leave, first_start: dt.datetime | None) -> Message:
    verdict = "已批准" if leave.status == "approved" else "未批准"
    comment = f"\n意见：{leave.decision_comment}" if leave.decision_comment else ""
    attend = "" if leave.status == "approved" else "\n请按时参加。"
    return Message(
        "leave_decided",
        f"请假{verdict}：{_leave_span(leave)}",
        f"您的请假申请（{_leave_span(leave)}）{verdict}。{comment}{attend}",
        path_for("attendance.mine"),
        event_at=first_start,
    )


def session_changed(session, change: str, before: dt.datetime) -> Message:
    what = session.label
    reason = f"\n原因：{session.change_reason}" if session.change_reason else ""
    if change == "cancelled":
        title = f"活动取消：{what} {format_datetime_zh(before)}"
        body = f"原定 {format_datetime_zh(before)} 在{session.venue}的“{what}”取消。{reason}"
    else:
        title = f"活动调整：{what} 改到 {format_datetime_zh(session.starts_at)}"
        body = (
            f"“{what}”由原定 {format_datetime_zh(before)} 调整为 "
            f"{format_datetime_zh(session.starts_at)}，地点：{session.venue}。{reason}"
        )
    lecture = session.lecture
    return Message(
        "session_changed",
        title,
        body,
        path_for("pages.session", session_id=session.id),
        event_at=min(before, session.starts_at),
        lecture_id=lecture.id if lecture is not None else None,
    )


def rating_open(lecture, closes: dt.datetime) -> Message:
    return Message(
        "rating_open",
        f"请评价讲学：{_talk(lecture)}",
        f"您参加了{format_datetime_zh(lecture.starts_at)}的讲学{_talk(lecture)}，"
        f"欢迎匿名评价（{format_datetime_zh(closes)} 截止）。",
        path_for("ratings.rate", lecture_id=lecture.id),
        lecture_id=lecture.id,
    )


def rating_closing(lecture, closes: dt.datetime) -> Message:
    return Message(
        "rating_closing",
        f"评价即将截止：{_talk(lecture)}",
        f"您参加的讲学{_talk(lecture)}的评价将于 {format_datetime_zh(closes)} 截止，"
        "您还没有评价。评价是匿名的。",
        path_for("ratings.rate", lecture_id=lecture.id),
        lecture_id=lecture.id,
    )


def report_ready(month_key: str, label: str) -> Message:
    return Message(
        "report_ready",
        f"{label}培训满意度测评结果已生成",
        f"{label}的讲学满意度测评结果已可查看和导出。",
        path_for("reports.satisfaction_page", month=month_key),
    )


def weekly_schedule(monday: dt.date, sessions: list) -> Message:
    lines = []
    for s in sessions:
        talk = s.lecture
        detail = ""
        if talk is not None:
            speaker = f"，讲课人：{talk.speaker.name}" if talk.speaker else ""
            detail = f" {_talk(talk)}{speaker}"
        state = "（已取消）" if s.cancelled else ""
        lines.append(f"- {format_datetime_zh(s.starts_at)} {s.label}{detail}，{s.venue}{state}")
    sunday = monday + dt.timedelta(days=6)
    return Message(
        "weekly_schedule",
        f"本周活动安排（{monday.month}月{monday.day}日—{sunday.month}月{sunday.day}日）",
        "\n".join(lines) if lines else "本周没有安排活动。",
        path_for("schedule.index"),
    )


def signin_open(session) -> Message:
    return Message(
        "signin_open",
        f"签到：{session.label} {session.starts_at:%H:%M}",
        f"“{session.label}”{format_datetime_zh(session.starts_at)} 在{session.venue}开始，"
        "请到场后扫描现场大屏上的二维码签到（二维码定时更换，须在现场扫码）。",
        path_for("pages.session", session_id=session.id),
        event_at=session.starts_at,
    )

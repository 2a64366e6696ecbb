"""The outbox (every message is a row first), the speakers' answers to their assignments, and
each person's choice of channels."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lecturehub.auth.models import User
from lecturehub.core.timeutil import now
from lecturehub.extensions import db
from lecturehub.schedule.models import Lecture

# Channels: in-app (the 消息 page), e-mail, and the two group robots (no recipient).
IN_APP, EMAIL, WECOM, DINGTALK = "in_app", "email", "wecom", "dingtalk"
CHANNELS = (IN_APP, EMAIL, WECOM, DINGTALK)
ROBOTS = (WECOM, DINGTALK)
CHANNEL_LABELS = {IN_APP: "站内消息", EMAIL: "电子邮件", WECOM: "企业微信群", DINGTALK: "钉钉群"}

# States of a row: waiting (maybe until the end of quiet hours or a retry), handed to the
# network right now, delivered, given up (with the error; an admin may retry it).
QUEUED, SENDING, SENT, FAILED = "queued", "sending", "sent", "failed"
STATES = (QUEUED, SENDING, SENT, FAILED)
STATE_LABELS = {QUEUED: "待发送", SENDING: "发送中", SENT: "已发送", FAILED: "失败"}

# Event names (the API's ``event`` field). The first eleven are the contract.
EVENTS = {
    "talk_assigned": "讲学安排",
    "courseware_due": "课件提醒",
    "courseware_overdue": "课件逾期",
    "verdict_over": "课件超时",
    "leave_requested": "请假申请",
    "leave_decided": "请假审批",
    "session_changed": "活动调整",
    "rating_open": "评价开始",
    "rating_closing": "评价将截止",
    "report_ready": "满意度测评",
    "chase": "催办",
    "talk_declined": "讲课人婉拒",
    "weekly_schedule": "本周安排",
    "signin_open": "签到提醒",
}
# Whose recipients may not be shown to anyone else: the list of who got "you have not rated
# yet" is the list of who has not rated (ratings are anonymous).
PRIVATE_EVENTS = ("rating_open", "rating_closing")

ACCEPTED, DECLINED = "accepted", "declined"


class Notification(db.Model):
    """One message to one recipient on one channel (robots: to the group, no recipient).

    ``key`` is unique: the same reminder computed twice, by a restart or by a second server
    process, is the same key, and the second insert does nothing. In-app rows are delivered
    by being written (state ``sent``); the others wait in ``queued`` until ``next_try_at``.
    """

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_due", "state", "next_try_at"),
        Index("ix_notifications_inbox", "user_id", "channel", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    event: Mapped[str] = mapped_column(String(30), index=True)
    channel: Mapped[str] = mapped_column(String(10))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    lecture_id: Mapped[int | None] = mapped_column(ForeignKey("lectures.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str] = mapped_column(String(300), default="")  # a path of this site
    state: Mapped[str] = mapped_column(String(10), default=QUEUED)
    tries: Mapped[int] = mapped_column(default=0)
    next_try_at: Mapped[dt.datetime] = mapped_column(default=now)
    locked_until: Mapped[dt.datetime | None]
    error: Mapped[str | None] = mapped_column(Text)
    event_at: Mapped[dt.datetime | None]  # the start of the session it is about (quiet hours)
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    sent_at: Mapped[dt.datetime | None]
    read_at: Mapped[dt.datetime | None]

    user: Mapped[User | None] = relationship()

    @property
    def read(self) -> bool:
        return self.read_at is not None


class TalkAssignment(db.Model):
    """A speaker's assignment to a talk and their answer (接受 / 婉拒 with a reason).

    One row per assignment: assigning the same person again later starts a new row, so an
    old 婉拒 never hides a new request. The talk's current assignment is its newest row for
    its current speaker."""

    __tablename__ = "talk_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    lecture_id: Mapped[int] = mapped_column(ForeignKey("lectures.id"), index=True)
    speaker_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    assigned_at: Mapped[dt.datetime] = mapped_column(default=now)
    response: Mapped[str] = mapped_column(String(10), default="")  # "" | accepted | declined
    reason: Mapped[str] = mapped_column(Text, default="")
    responded_at: Mapped[dt.datetime | None]

    lecture: Mapped[Lecture] = relationship()
    speaker: Mapped[User] = relationship()


class NotificationSettings(db.Model):
    """A person's channels: in-app messages always; e-mail unless they turn it off."""

    __tablename__ = "notification_settings"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    email: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[dt.datetime] = mapped_column(default=now)

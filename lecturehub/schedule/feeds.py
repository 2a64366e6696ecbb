"""iCalendar feeds (RFC 5545) of the sessions, made with the ``icalendar`` package.

- Times are Asia/Shanghai with a VTIMEZONE (``Calendar.add_missing_timezones``).
- UIDs are stable (``session-<id>@lecturehub``); SEQUENCE is bumped whenever a session is moved,
  cancelled or retimed, so subscribed calendars replace the old copy.
- A cancelled session stays in the feed with ``STATUS:CANCELLED`` (calendars strike it out).
- Reminders (VALARM): 1 hour before a talk (time to finish work and get to 乡文化乐园);
  30 minutes before the morning training (enough to get up and walk to the square).
- A speaker's own feed also carries the courseware deadline of each of their talks.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Callable, Iterable

import icalendar
from flask import current_app

from lecturehub.core import timeutil
from lecturehub.schedule import services
from lecturehub.schedule.models import KIND_LECTURE, Lecture, Session

ALARMS = {KIND_LECTURE: dt.timedelta(hours=1)}
DEFAULT_ALARM = dt.timedelta(minutes=30)
FEED_DAYS_BACK = 60


def all_feed_token() -> str:
    """The secret of the everyone-feed URL, derived from SECRET_KEY (changes with it)."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, b"lecturehub-schedule-feed", hashlib.sha256).hexdigest()[:32]


def check_all_feed_token(token: str) -> bool:
    return hmac.compare_digest(token.encode(), all_feed_token().encode())


def feed_sessions(now: dt.datetime | None = None) -> list[Session]:
    """Sessions everybody attends: all of the active series, from two months back on."""
    since = (now or timeutil.now()).date() - dt.timedelta(days=FEED_DAYS_BACK)
    return [session for session in services.list_sessions(since) if session.series.active]


def _summary(session: Session, mine: bool) -> str:
    parts = [session.title or session.series.name]
    lecture = session.lecture
    if lecture is not None and lecture.title:
        parts.append(lecture.title)
    text = "：".join(parts)
    if mine:
        text = "【我主讲】" + text
    return ("【已取消】" if session.cancelled else "【已调整】" if session.moved else "") + text


def _description(session: Session) -> str:
    lines = []
    lecture = session.lecture
    if lecture is not None:
        if lecture.speaker is not None:
            lines.append(f"讲课人：{lecture.speaker.name}")
        if lecture.department is not None:
            lines.append(f"部门：{lecture.department.name}")
        if lecture.category:
            lines.append(f"类别：{lecture.category}")
    if session.change_reason:
        lines.append(("取消原因：" if session.cancelled else "调整原因：") + session.change_reason)
    return "\n".join(lines)


def _alarm(session: Session) -> icalendar.Alarm:
    alarm = icalendar.Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", f"{session.series.name}即将开始")
    alarm.add("trigger", -ALARMS.get(session.series.kind, DEFAULT_ALARM))
    return alarm


def session_event(
    session: Session, stamp: dt.datetime, url: str | None = None, mine: bool = False
) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", f"session-{session.id}@lecturehub")
    event.add("dtstamp", stamp)
    event.add("dtstart", timeutil.aware(session.starts_at))
    event.add("dtend", timeutil.aware(session.ends_at))
    event.add("summary", _summary(session, mine))
    event.add("location", session.venue)
    event.add("status", "CANCELLED" if session.cancelled else "CONFIRMED")
    event.add("sequence", session.sequence)
    description = _description(session)
    if description:
        event.add("description", description)
    if url:
        event.add("url", url)
    if not session.cancelled:
        event.add_component(_alarm(session))
    return event


def deadline_event(lecture: Lecture, stamp: dt.datetime) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", f"deadline-{lecture.id}@lecturehub")
    event.add("dtstamp", stamp)
    start = timeutil.aware(lecture.deadline)
    event.add("dtstart", start)
    event.add("dtend", start + dt.timedelta(minutes=15))
    event.add("summary", f"课件提交截止：{lecture.title or lecture.session.series.name}")
    event.add("sequence", lecture.session.sequence)
    return event


def build_calendar(
    sessions: Iterable[Session],
    name: str,
    own_lectures: Iterable[Lecture] = (),
    url_for_session: Callable[[Session], str] | None = None,
) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//LectureHub//我的业务我来讲//ZH")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Asia/Shanghai")
    stamp = timeutil.aware(timeutil.now()).astimezone(dt.UTC)
    own = {lecture.session_id: lecture for lecture in own_lectures}
    for session in sessions:
        url = url_for_session(session) if url_for_session else None
        calendar.add_component(session_event(session, stamp, url, mine=session.id in own))
    for lecture in own.values():
        if lecture.deadline is not None and not lecture.session.cancelled:
            calendar.add_component(deadline_event(lecture, stamp))
    calendar.add_missing_timezones()
    return calendar.to_ical()

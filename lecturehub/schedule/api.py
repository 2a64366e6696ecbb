"""JSON API of the schedule: sessions (with their attendance state) and talks (讲学)."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, jsonify, request
from flask_login import current_user

from lecturehub.attendance import services as attendance_services
from lecturehub.core import timeutil
from lecturehub.core.errors import ServiceError, in_int_range
from lecturehub.core.security import api_view, json_body
from lecturehub.schedule import lectures, services
from lecturehub.schedule.generation import validate_range
from lecturehub.schedule.models import CATEGORIES
from lecturehub.schedule.serialize import created_dict, lecture_dict, session_dict

bp = Blueprint("schedule_api", __name__, url_prefix="/api/v1")

DEFAULT_DAYS = 28
LECTURE_PROPERTIES = {
    "title": {"type": "string", "maxLength": 200},
    "speaker": {"type": "string", "description": "讲课人的登录名"},
    "department": {"type": "string", "description": "部门名称"},
    "category": {"type": "string", "enum": CATEGORIES},
    "abstract": {"type": "string", "description": "简介（Markdown）"},
}
LECTURE_FIELDS = ("title", "speaker", "department", "category", "abstract")
DEFAULT_MOVE_REASON = "活动时间调整"
STATE_DOC = "attendance_state：upcoming | open | unrecorded | recorded | void（见 README）"
SESSION_BODY = {
    "type": "object",
    "required": ["series", "start", "title"],
    "properties": {
        "series": {"type": "integer"},
        "start": {
            "type": "string",
            "format": "date-time",
            "description": "如 2026-12-12T08:30:00+08:00",
        },
        "duration_minutes": {"type": "integer", "minimum": 5, "maximum": 600},
        "title": {"type": "string", "maxLength": 120},
        "venue": {"type": "string", "description": "留空用系列的地点"},
        "backfill": {
            "type": "boolean",
            "description": "补录已经举行的活动（开始时间在过去时必须为 true；补录的活动在记录考勤之前不计缺席）",
        },
    },
}
PATCH_BODY = {
    "type": "object",
    "properties": {
        "start": {"type": "string", "format": "date-time", "description": "调整到的新开始时间"},
        "venue": {"type": "string"},
        "reason": {"type": "string", "description": "调整或作废的原因（作废时必填）"},
        "void": {
            "type": "boolean",
            "description": "true：作废（不计入任何人的考勤）；false：撤销作废",
        },
    },
}


def _date_arg(name: str, default: dt.date) -> dt.date:
    raw = request.args.get(name)
    if not raw:
        return default
    value = timeutil.parse_date(raw)
    if value is None:
        raise ServiceError(f"参数 {name} 的日期格式应为 YYYY-MM-DD。", "bad_date", 400)
    return value


def _int_arg(name: str) -> int | None:
    raw = request.args.get(name)
    if not raw:
        return None
    if not raw.isdigit():
        raise ServiceError(f"参数 {name} 必须是整数。", "bad_param", 400)
    return in_int_range(int(raw))


def _deadline(value) -> dt.datetime | None:
    if value is None:
        return None
    try:
        parsed = dt.datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise ServiceError(
            "截止时间格式应为 ISO 8601（如 2026-12-05T18:00:00+08:00）。", "bad_deadline", 400
        ) from exc
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(timeutil.TZ).replace(tzinfo=None)
    return parsed


def _start(value) -> dt.datetime:
    """A start in ISO 8601 (with +08:00, or local time without an offset), as local time."""
    try:
        parsed = dt.datetime.fromisoformat(str(value or ""))
    except ValueError as exc:
        raise ServiceError(
            "开始时间格式应为 ISO 8601（如 2026-12-12T08:30:00+08:00）。", "bad_start"
        ) from exc
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(timeutil.TZ).replace(tzinfo=None)
    if timeutil.parse_date(parsed.date().isoformat()) is None:
        raise ServiceError("开始时间超出可安排的范围。", "bad_start")
    return parsed.replace(microsecond=0)


def _with_state(sessions) -> list[dict]:
    states = attendance_services.attendance_states(sessions, timeutil.now())
    return [session_dict(s) | {"attendance_state": states[s.id]} for s in sessions]


def _text_fields(data: dict, names) -> dict:
    changes = {}
    for name in names:
        if name in data:
            value = data[name]
            if value is not None and not isinstance(value, str):
                raise ServiceError(f"字段 {name} 必须是字符串。", "bad_field", 400)
            changes[name] = value
    return changes


@bp.get("/sessions")
@api_view(
    summary="活动日程（讲学和晨练）",
    params={
        "from": "开始日期 YYYY-MM-DD（默认今天）",
        "to": "结束日期 YYYY-MM-DD（默认 4 周后）",
        "series": "系列 id",
    },
)
def list_sessions():
    start = _date_arg("from", timeutil.today())
    end = _date_arg("to", start + dt.timedelta(days=DEFAULT_DAYS))
    validate_range(start, end)
    sessions = services.list_sessions(start, end, series_id=_int_arg("series"))
    return jsonify({"sessions": _with_state(sessions)})


@bp.post("/sessions")
@api_view(
    "admin",
    summary="新建临时活动；补录已经举行的活动须 backfill=true（过去的时间未选补录：422 past_session）",
    body=SESSION_BODY,
    responses={
        201: "已创建（" + STATE_DOC + "）",
        409: "该系列在这个时间已有活动",
        422: "数据无效",
    },
)
def create_session():
    data = json_body()
    series_id = data.get("series")
    if not isinstance(series_id, int) or isinstance(series_id, bool):
        raise ServiceError("series 必须是系列 id（整数）。", "bad_series")
    duration = data.get("duration_minutes")
    if duration is not None and (not isinstance(duration, int) or isinstance(duration, bool)):
        raise ServiceError("duration_minutes 必须是整数（分钟）。", "bad_duration")
    backfill = data.get("backfill", False)
    if not isinstance(backfill, bool):
        raise ServiceError("backfill 必须是 true 或 false。", "bad_backfill")
    text = _text_fields(data, ("title", "venue"))
    start = _start(data.get("start"))
    spec = services.ExtraSession(
        services.get_series(in_int_range(series_id)),
        start.date(),
        start.time(),
        text.get("title") or "",
        venue=text.get("venue") or "",
        duration_minutes=duration,
        backfill=backfill,
    )
    session = services.add_extra_session(spec, by=current_user)
    return jsonify(_with_state([session])[0]), 201


@bp.get("/sessions/<int:session_id>")
@api_view(summary="一场活动，含考勤状态（" + STATE_DOC + "）")
def get_session(session_id: int):
    return jsonify(_with_state([services.get_session(session_id)])[0])


@bp.patch("/sessions/<int:session_id>")
@api_view(
    "admin",
    summary="调整活动时间（已有考勤记录的活动不能调整：409 session_has_attendance），或作废/撤销作废",
    body=PATCH_BODY,
    responses={409: "已有考勤记录、已作废或时间冲突", 422: "数据无效"},
)
def patch_session(session_id: int):
    data = json_body()
    session = services.get_session(session_id)
    text = _text_fields(data, ("reason", "venue"))
    if "void" in data:
        if "start" in data or not isinstance(data["void"], bool):
            raise ServiceError("void 必须是 true 或 false，且不能与 start 一起提交。", "bad_void")
        if data["void"]:
            services.void_session(session, text.get("reason") or "", current_user)
        else:
            services.unvoid_session(session, current_user, text.get("reason") or "")
    elif "start" in data:
        start = _start(data["start"])
        move = services.SessionMove(
            start.date(),
            start.time(),
            text.get("reason") or DEFAULT_MOVE_REASON,
            venue=text.get("venue"),
        )
        services.move_session(session, move, by=current_user)
    else:
        raise ServiceError(
            "请提交 start（调整时间）或 void（作废/撤销作废）。", "nothing_to_change"
        )
    return jsonify(_with_state([session])[0])


@bp.post("/lectures")
@api_view(
    "admin",
    summary="在某日的讲学活动上安排讲学（没有该场活动时按系列时间新建）",
    responses={201: "已创建", 409: "该日期已有讲学", 422: "数据无效"},
    body={
        "type": "object",
        "required": ["date", "title", "category"],
        "properties": {"date": {"type": "string", "format": "date"}, **LECTURE_PROPERTIES},
    },
)
def create_lecture():
    data = json_body()
    day = timeutil.parse_date(str(data.get("date") or ""))
    if day is None:
        raise ServiceError("日期格式应为 YYYY-MM-DD。", "bad_date")
    lecture = lectures.add_lecture_on_date(day, **_text_fields(data, LECTURE_FIELDS))
    return jsonify(created_dict(lecture)), 201


@bp.get("/lectures/<int:lecture_id>")
@api_view(summary="一场讲学的详情")
def get_lecture(lecture_id: int):
    return jsonify(lecture_dict(lectures.get_lecture(lecture_id)))


@bp.patch("/lectures/<int:lecture_id>")
@api_view(
    "admin",
    summary="修改讲学（题目、讲课人、部门、类别、简介、课件截止时间）",
    responses={422: "数据无效"},
    body={
        "type": "object",
        "properties": {**LECTURE_PROPERTIES, "deadline": {"type": "string", "format": "date-time"}},
    },
)
def patch_lecture(lecture_id: int):
    data = json_body()
    lecture = lectures.get_lecture(lecture_id)
    changes = _text_fields(data, LECTURE_FIELDS)
    if "deadline" in data:
        changes["deadline"] = _deadline(data["deadline"])
    lectures.update_lecture(lecture, changes)
    return jsonify(lecture_dict(lecture))

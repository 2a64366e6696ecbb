"""JSON API of the schedule: sessions and talks (讲学)."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, jsonify, request

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
    return jsonify({"sessions": [session_dict(s) for s in sessions]})


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

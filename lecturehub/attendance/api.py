"""JSON API of attendance: QR check-in, session records and their recording (补录, bulk marks),
a person's records, the year's 督查 record, leave."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_login import current_user

from lecturehub.attendance import leave as leave_service
from lecturehub.attendance import records, rollcall, services, signin
from lecturehub.attendance.models import RECORD_STATUSES
from lecturehub.attendance.presenters import record_dict, screen_state, sheet_dict
from lecturehub.auth import services as auth_services
from lecturehub.core import periods
from lecturehub.core.errors import Forbidden, ServiceError, in_int_range
from lecturehub.core.security import api_view, has_role, json_body
from lecturehub.core.timeutil import iso, now, parse_date, today
from lecturehub.schedule import services as schedule_services

bp = Blueprint("attendance_api", __name__, url_prefix="/api/v1")

CHECKIN_BODY = {
    "type": "object",
    "properties": {
        "token": {"type": "string", "description": "现场二维码中的令牌"},
        "grant": {"type": "string", "description": "未登录时扫码得到的签到凭据（10 分钟内有效）"},
    },
}
MARKS_BODY = {
    "type": "object",
    "required": ["reason"],
    "properties": {
        "marks": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["user", "status"],
                "properties": {
                    "user": {"type": "integer"},
                    "status": {"type": "string", "enum": list(RECORD_STATUSES)},
                },
            },
        },
        "rest": {
            "type": "string",
            "enum": list(RECORD_STATUSES),
            "description": "其余尚未记录的应到人员一律记为此状态（如“其余全部缺席”）",
        },
        "reason": {"type": "string", "description": "补录或修改的原因（签到时段结束后必填）"},
    },
}
LEAVE_BODY = {
    "type": "object",
    "required": ["series", "type", "reason"],
    "properties": {
        "series": {"type": "integer"},
        "session": {"type": "integer"},
        "from": {"type": "string", "format": "date"},
        "to": {"type": "string", "format": "date"},
        "type": {"type": "string", "enum": ["公假", "事假", "病假"]},
        "reason": {"type": "string"},
        "user": {"type": "integer", "description": "管理员代为登记时的人员 id"},
    },
}
DECISION_BODY = {
    "type": "object",
    "required": ["approve"],
    "properties": {"approve": {"type": "boolean"}, "comment": {"type": "string"}},
}


@bp.post("/sessions/<int:session_id>/checkin")
@api_view(
    summary="扫码签到（令牌来自现场二维码）",
    body=CHECKIN_BODY,
    responses={201: "已签到", 422: "二维码无效、过期或不在签到时段"},
)
def checkin(session_id: int):
    data = json_body()
    session = schedule_services.get_session(session_id)
    if data.get("grant") and not data.get("token"):
        record, already = signin.check_in_with_grant(session, current_user, str(data["grant"]))
    else:
        record, already = signin.check_in(session, current_user, str(data.get("token") or ""))
    body = record_dict(record)
    if already:
        return jsonify({**body, "already": True, "message": "已签到"}), 200
    return jsonify(body), 201


@bp.get("/sessions/<int:session_id>/attendance")
@api_view("admin", "leader", "inspector", summary="某场次的出勤情况（含名单）")
def session_attendance(session_id: int):
    session = schedule_services.get_session(session_id)
    services.require_view(current_user, session)
    return jsonify(sheet_dict(records.session_sheet(session)))


def _marks(data: dict) -> rollcall.Marks:
    marks = data.get("marks", [])
    if not isinstance(marks, list) or not all(isinstance(m, dict) for m in marks):
        raise ServiceError("marks 必须是 {user, status} 的列表。", "bad_request", 400)
    parsed: dict[int, str] = {}
    for mark in marks:
        user_id = _int(mark.get("user"), "user")
        if user_id in parsed:
            raise ServiceError("同一人员在 marks 中出现了两次。", "duplicate_user")
        parsed[user_id] = str(mark.get("status") or "")
    rest = data.get("rest")
    if rest is not None and not isinstance(rest, str):
        raise ServiceError("rest 必须是状态字符串。", "bad_request", 400)
    reason = data.get("reason") or ""
    if not isinstance(reason, str):
        raise ServiceError("reason 必须是字符串。", "bad_request", 400)
    return rollcall.Marks(parsed, rest or None, reason)


@bp.put("/sessions/<int:session_id>/attendance")
@api_view(
    "admin",
    "leader",
    summary="记录某场次的考勤（点名、补录、批量标记或更正；管理员或该系列的牵头领导）",
    body=MARKS_BODY,
    responses={200: "已记录，返回该场次的出勤情况", 422: "数据无效、缺少原因或不在可记录的时段"},
)
def record_attendance(session_id: int):
    data = json_body()
    session = schedule_services.get_session(session_id)
    services.require_manage(current_user, session)
    rollcall.record_marks(session, _marks(data), current_user)
    return jsonify(sheet_dict(records.session_sheet(session)))


@bp.get("/attendance/record")
@api_view(
    "admin",
    "inspector",
    summary="年度督查记录：每人应到、出勤（含迟到）、迟到、请假、免训、缺席和评先评优资格（只计已记录的场次）",
    params={"year": "年份 YYYY（默认今年）"},
    responses={400: "年份格式错误（bad_year）"},
)
def year_record():
    year = periods.parse_year(request.args.get("year"), today())
    rows = records.year_record(year)
    return jsonify({"year": year, "people": [row.as_dict() for row in rows]})


@bp.get("/sessions/<int:session_id>/signin-screen")
@api_view("admin", "leader", summary="签到大屏数据：当前二维码（SVG）、实时人数和名单")
def signin_screen(session_id: int):
    session = schedule_services.get_session(session_id)
    services.require_manage(current_user, session)
    return jsonify(screen_state(session, now()))


def _dates():
    date_from = parse_date(request.args.get("from")) or today().replace(month=1, day=1)
    date_to = parse_date(request.args.get("to")) or today()
    if date_to < date_from:
        raise ServiceError("to 不能早于 from。", "bad_dates", 400)
    return date_from, date_to


@bp.get("/attendance")
@api_view(
    summary="某人的出勤记录（普通干部只能查自己）",
    params={"user": "人员 id（默认本人）", "from": "YYYY-MM-DD", "to": "YYYY-MM-DD"},
)
def person_attendance():
    user_id = request.args.get("user", type=int) or current_user.id
    led = {s.id for s in services.led_series(current_user)}
    sees_all = has_role(current_user, "admin", "inspector") or user_id == current_user.id
    if not sees_all and not led:
        raise Forbidden("普通干部只能查看自己的出勤记录。", "forbidden")
    person = auth_services.get_user(user_id) if user_id != current_user.id else current_user
    date_from, date_to = _dates()
    history = records.user_history(person, date_from, date_to)
    if not sees_all:  # a lead leader sees the series they lead
        history = [(s, c) for s, c in history if s.series_id in led]
    return jsonify(
        {
            "user": services.user_dict(person),
            "from": date_from.isoformat(),
            "to": date_to.isoformat(),
            "records": [_history_item(s, c) for s, c in history],
        }
    )


def _history_item(session, cell) -> dict:
    return {
        "session_id": session.id,
        "series": session.series.name,
        "starts_at": iso(session.starts_at),
        "attendance_state": cell.state,
        "counted": cell.counted,
        "status": cell.status,
        "late_minutes": cell.late_minutes,
        "checked_in_at": iso(cell.record.checked_in_at) if cell.record else None,
    }


def _leave_args(data: dict):
    session_id = data.get("session")
    session = schedule_services.get_session(_int(session_id, "session")) if session_id else None
    series = schedule_services.get_series(_int(data.get("series"), "series"))
    person = current_user
    if data.get("user") and _int(data["user"], "user") != current_user.id:
        person = auth_services.get_user(_int(data["user"], "user"))
    return person, series, session


def _int(value, name: str) -> int:
    try:
        return in_int_range(int(value))
    except (TypeError, ValueError) as exc:
        raise ServiceError(f"{name} 必须是整数 id。", "bad_request", 400) from exc


@bp.post("/leave")
@api_view(
    summary="请假申请（某场次，或某系列的一段日期）",
    body=LEAVE_BODY,
    responses={201: "已提交", 409: "该时段已有请假申请", 422: "数据无效"},
)
def create_leave():
    data = json_body()
    person, series, session = _leave_args(data)
    ask = leave_service.LeaveAsk(
        series,
        str(data.get("type") or ""),
        str(data.get("reason") or ""),
        session=session,
        date_from=parse_date(data.get("from")),
        date_to=parse_date(data.get("to")),
    )
    leave = leave_service.request_leave(person, ask, by=current_user)
    return jsonify(leave_service.leave_dict(leave)), 201


@bp.post("/leave/<int:leave_id>/decision")
@api_view(
    "leader",
    "admin",
    summary="牵头领导审批请假（仅限该系列的牵头领导；牵头领导本人的请假由管理员审批）",
    body=DECISION_BODY,
    responses={409: "已处理过"},
)
def decide_leave(leave_id: int):
    data = json_body()
    if not isinstance(data.get("approve"), bool):
        raise ServiceError("approve 必须是 true 或 false。", "bad_request", 400)
    leave = leave_service.get_leave(leave_id)
    leave = leave_service.decide(
        leave, current_user, data["approve"], str(data.get("comment") or "")
    )
    return jsonify(leave_service.leave_dict(leave))

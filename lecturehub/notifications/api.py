"""JSON API of notifications: my messages, marking one read, the speaker's answer, 催办."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_login import current_user

from lecturehub.core.errors import ServiceError
from lecturehub.core.security import api_view, json_body
from lecturehub.core.timeutil import iso
from lecturehub.notifications import services, workflow
from lecturehub.schedule import lectures

bp = Blueprint("notifications_api", __name__, url_prefix="/api/v1")

RESPONSE_BODY = {
    "type": "object",
    "required": ["accept"],
    "properties": {
        "accept": {"type": "boolean", "description": "true 接受，false 婉拒"},
        "reason": {"type": "string", "description": "婉拒的理由（婉拒时必填，500 字以内）"},
    },
}


@bp.get("/notifications")
@api_view(summary="我的站内消息（最新在前）", params={"unread": "1 = 只看未读"})
def list_notifications():
    rows = services.inbox(current_user, unread_only=request.args.get("unread") == "1")
    return jsonify({"notifications": [services.notification_dict(row) for row in rows]})


@bp.post("/notifications/<int:notification_id>/read")
@api_view(summary="把我的一条消息标为已读", responses={404: "没有这条消息"})
def mark_read(notification_id: int):
    row = services.mark_read(current_user, notification_id)
    return jsonify(services.notification_dict(row))


@bp.post("/lectures/<int:lecture_id>/response")
@api_view(
    summary="讲课人接受或婉拒讲学安排（婉拒须写理由，党政办会收到通知）",
    body=RESPONSE_BODY,
    responses={403: "不是本场讲学的讲课人", 422: "缺少理由、讲学已开始或已取消"},
)
def respond(lecture_id: int):
    data = json_body()
    if not isinstance(data.get("accept"), bool):
        raise ServiceError("accept 必须是 true 或 false。", "bad_request", 400)
    reason = data.get("reason")
    if reason is not None and not isinstance(reason, str):
        raise ServiceError("reason 必须是字符串。", "bad_request", 400)
    talk = lectures.get_lecture(lecture_id)
    answer = workflow.respond(talk, current_user, data["accept"], reason or "")
    return jsonify(workflow.assignment_dict(answer))


@bp.post("/lectures/<int:lecture_id>/chase")
@api_view(
    "admin",
    summary="催办：立即提醒讲课人提交课件",
    responses={202: "已排队发送", 409: "刚催办过", 422: "没有讲课人、已婉拒、已开始或已取消"},
)
def chase(lecture_id: int):
    talk = lectures.get_lecture(lecture_id)
    at = workflow.chase(talk, current_user)
    body = {
        "lecture_id": talk.id,
        "speaker": {"id": talk.speaker.id, "name": talk.speaker.name},
        "chased_at": iso(at),
    }
    return jsonify(body), 202

"""JSON API of ratings: rate a talk (create or update), and what is published of it."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask_login import current_user

from lecturehub.core.security import api_view, json_body
from lecturehub.core.timeutil import iso
from lecturehub.ratings import services, summaries
from lecturehub.ratings.aggregates import LABELS

bp = Blueprint("ratings_api", __name__, url_prefix="/api/v1")

SCORE_SCHEMA = {"type": "integer", "minimum": 1, "maximum": 5}
RATING_BODY = {
    "type": "object",
    "required": ["overall", "useful", "practical", "clear", "timing"],
    "properties": {
        **{
            name: dict(SCORE_SCHEMA, description=f"{label}（1–5）")
            for name, label in LABELS.items()
        },
        "comment": {
            "type": "string",
            "maxLength": services.COMMENT_MAX,
            "description": "意见建议（选填，不显示姓名）",
        },
    },
}


@bp.post("/lectures/<int:lecture_id>/ratings")
@api_view(
    summary="评价一场讲学（签到人员，讲学结束后 7 天内；再次提交为修改）",
    body=RATING_BODY,
    responses={
        201: "已评价",
        200: "已修改原评价",
        403: "未签到（not_attended）",
        409: "评价已截止",
        422: "讲学尚未结束，或分数/意见无效",
    },
)
def rate(lecture_id: int):
    lecture = services.get_lecture(lecture_id)
    data = json_body()
    _rating, created = services.rate(lecture, current_user, data)
    body = {
        "lecture_id": lecture.id,
        "updated": not created,
        "window_closes_at": iso(services.window(lecture)[1]),
    }
    return jsonify(body), 201 if created else 200


@bp.get("/lectures/<int:lecture_id>/ratings/summary")
@api_view(
    summary="讲学评价汇总：评价截止且满最少人数后才公布平均分、分布和意见；截止前 count 为 null"
)
def summary(lecture_id: int):
    lecture = services.get_lecture(lecture_id)
    return jsonify(summaries.summary(lecture).as_dict())

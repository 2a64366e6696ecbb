"""JSON API of the reports: the monthly satisfaction figures (组织办, admin)."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from lecturehub.core.security import api_view
from lecturehub.reports import satisfaction, services

bp = Blueprint("reports_api", __name__, url_prefix="/api/v1")


@bp.get("/reports/satisfaction")
@api_view(
    "organiser",
    "admin",
    summary="月度满意度测评数据",
    params={"month": "月份 YYYY-MM（默认本月）"},
    responses={400: "月份格式错误（bad_month）"},
)
def satisfaction_month():
    period = services.parse_month(request.args.get("month"))
    return jsonify(satisfaction.monthly(period).as_dict())

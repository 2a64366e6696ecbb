"""JSON API of courseware: upload (multipart), versions, one version with its analysis."""

from __future__ import annotations

from flask import Blueprint, jsonify, request, url_for
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from lecturehub.core.errors import ServiceError
from lecturehub.core.security import api_view
from lecturehub.core.timeutil import iso
from lecturehub.courseware import previews, services, status
from lecturehub.courseware.upload import upload_and_index

bp = Blueprint("courseware_api", __name__, url_prefix="/api/v1")

UPLOAD_BODY = {
    "_content_type": "multipart/form-data",
    "type": "object",
    "required": ["file"],
    "properties": {"file": {"type": "string", "format": "binary", "description": ".pptx 等"}},
}


def courseware_dict(row, current_id: int | None = None, analysis: bool = True) -> dict:
    by = row.uploaded_by
    body = {
        "id": row.id,
        "lecture_id": row.lecture_id,
        "version": row.version,
        "filename": row.filename,
        "size": row.size,
        "sha256": row.sha256,
        "kind": row.kind,
        "source_format": row.source_format,
        "uploaded_at": iso(row.uploaded_at),
        "uploaded_by": {"id": by.id, "name": by.name} if by else None,
        "current": row.id == current_id,
        "download_url": url_for("courseware.download", courseware_id=row.id),
        "estimated_seconds": row.estimated_seconds,
        "verdict": row.verdict,
        "method": row.method,
        "slides_total": row.slides_total,
        "has_macros": row.has_macros,
    }
    body["previews"] = previews.state_of(row, current=row.id == current_id).as_dict()
    if analysis:  # None while a .ppt/.pps/.dps/.odp is converted (or if that failed)
        body["analysis"] = row.analysis if row.analysed else None
    return body


def _current_id(lecture) -> int | None:
    current = services.current_version(lecture)
    return current.id if current else None


@bp.post("/lectures/<int:lecture_id>/courseware")
@api_view(
    summary="上传课件（新版本）",
    body=UPLOAD_BODY,
    responses={
        201: "已上传新版本（.ppt/.pps/.dps/.odp 在后台转换：analysis 暂为 null）",
        200: "与已有版本内容相同（duplicate: true），未新建",
        413: "文件过大",
        415: "不是可接受的演示文稿",
        422: "文件损坏或无法分析",
    },
)
def upload(lecture_id: int):
    lecture = services.get_lecture(lecture_id)
    services.check_can_upload(current_user, lecture)
    try:
        file = request.files.get("file")
    except RequestEntityTooLarge as exc:
        raise services.too_large_error() from exc
    if file is None or not file.filename:
        raise ServiceError("请求中缺少文件字段 file（multipart/form-data）。", "no_file", 400)
    row, created = upload_and_index(lecture, file.stream, file.filename, current_user)
    body = courseware_dict(row, _current_id(lecture))
    if not created:
        body["duplicate"] = True
    return jsonify(body), 201 if created else 200


@bp.get("/lectures/<int:lecture_id>/courseware")
@api_view(summary="讲学的课件版本列表（最新在前）")
def list_versions(lecture_id: int):
    lecture = services.get_lecture(lecture_id)
    rows = services.versions(lecture)
    current_id = rows[0].id if rows else None
    return jsonify(
        {
            "lecture_id": lecture.id,
            "status": status.courseware_status([lecture.id])[lecture.id],
            "versions": [courseware_dict(r, current_id, analysis=False) for r in rows],
        }
    )


@bp.get("/courseware/<int:courseware_id>")
@api_view(summary="一个课件版本及其时长分析")
def get_one(courseware_id: int):
    row = services.get_courseware(courseware_id)
    return jsonify(courseware_dict(row, _current_id(row.lecture)))


@bp.get("/courseware/<int:courseware_id>/previews")
@api_view(
    summary="课件版本的幻灯片图片状态（pending/ready/failed/unavailable），供页面轮询",
)
def get_previews(courseware_id: int):
    row = services.get_courseware(courseware_id)
    body = previews.state_of(row, current=row.id == _current_id(row.lecture)).as_dict()
    body["analysed"] = row.analysed
    return jsonify(body)


@bp.delete("/courseware/<int:courseware_id>")
@api_view("admin", summary="删除一个课件版本（管理员）", responses={200: "已删除"})
def delete(courseware_id: int):
    row = services.get_courseware(courseware_id)
    lecture = services.delete_version(row, current_user)
    return jsonify({"deleted": courseware_id, "current_id": _current_id(lecture)})

"""Pages: the courseware of a talk (no-JS upload fallback), downloads, deletion, the overview."""

from __future__ import annotations

import logging

from flask import Blueprint, flash, redirect, render_template, request, send_file
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from lecturehub.core.errors import ServiceError
from lecturehub.core.security import role_required
from lecturehub.core.templating import provider
from lecturehub.courseware import panels, services, status
from lecturehub.courseware.forms import EmptyForm

bp = Blueprint("courseware", __name__)
log = logging.getLogger(__name__)

MIMETYPES = {
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "pptm": "application/vnd.ms-powerpoint.presentation.macroEnabled.12",
    "ppsx": "application/vnd.openxmlformats-officedocument.presentationml.slideshow",
    "ppsm": "application/vnd.ms-powerpoint.slideshow.macroEnabled.12",
}


def notify_search(lecture_id: int) -> None:
    """Let the search feature (if present) reindex the talk; its failure never fails ours."""
    index_deck = provider("search_index_deck")
    if index_deck is None:
        return
    try:
        index_deck(lecture_id)
    except Exception:
        log.exception("search indexing failed for lecture %s", lecture_id)


def upload_message(row, created: bool) -> str:
    if not created:
        return f"与第 {row.version} 版内容相同，未新建版本。"
    info = panels.summary(row)
    return f"已上传第 {row.version} 版课件：{info['verdict_text']}。"


@bp.get("/lectures/<int:lecture_id>/courseware")
@role_required()
def lecture(lecture_id: int):
    talk = services.get_lecture(lecture_id)
    return render_template("courseware/lecture.html", lecture=talk)


@bp.post("/lectures/<int:lecture_id>/courseware")
@role_required()
def upload(lecture_id: int):
    talk = services.get_lecture(lecture_id)
    services.check_can_upload(current_user, talk)
    try:
        file = request.files.get("file")
        if file is None or not file.filename:
            raise ServiceError("请选择要上传的课件文件（.pptx）。", "no_file", 400)
        row, created = services.upload_courseware(talk, file.stream, file.filename, current_user)
    except RequestEntityTooLarge:
        return _refused(talk, services.too_large_error())
    except ServiceError as exc:
        return _refused(talk, exc)
    if created:
        notify_search(talk.id)
    flash(upload_message(row, created), "success" if created else "info")
    return redirect(panels.talk_url(talk.id))


def _refused(talk, exc: ServiceError):
    if exc.status == 403:
        raise exc
    flash(exc.message, "danger")
    return render_template("courseware/lecture.html", lecture=talk), exc.status


@bp.get("/courseware/<int:courseware_id>/download")
@role_required()
def download(courseware_id: int):
    row = services.get_courseware(courseware_id)
    return send_file(
        services.file_path(row),
        mimetype=MIMETYPES.get(row.kind, "application/octet-stream"),
        as_attachment=True,
        download_name=row.filename,
        etag=row.sha256,
        max_age=0,
    )


@bp.post("/courseware/<int:courseware_id>/delete")
@role_required("admin")
def delete(courseware_id: int):
    row = services.get_courseware(courseware_id)
    if EmptyForm().validate_on_submit():
        version = row.version
        talk = services.delete_version(row, current_user)
        notify_search(talk.id)
        flash(f"已删除第 {version} 版课件。", "info")
        return redirect(panels.talk_url(talk.id))
    return redirect(panels.talk_url(row.lecture_id))


@bp.get("/courseware")
@role_required("admin")
def overview():
    days = request.args.get("days", type=int) or 28
    rows = status.overview(days=min(max(days, 1), 366))
    return render_template("courseware/overview.html", rows=rows, days=days)

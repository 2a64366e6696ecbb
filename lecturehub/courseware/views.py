"""Pages of courseware: downloads, deleting a version, the admin's overview.

A talk's courseware is shown (and uploaded without JavaScript) on the talk's own pages, which
gather several features and live in ``lecturehub.pages``.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file
from flask_login import current_user

from lecturehub.core.security import role_required
from lecturehub.courseware import panels, previews, services, status
from lecturehub.courseware.forms import EmptyForm
from lecturehub.notifications import workflow as notifications

bp = Blueprint("courseware", __name__)

MIMETYPES = {
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "pptm": "application/vnd.ms-powerpoint.presentation.macroEnabled.12",
    "ppsx": "application/vnd.openxmlformats-officedocument.presentationml.slideshow",
    "ppsm": "application/vnd.ms-powerpoint.slideshow.macroEnabled.12",
    "ppt": "application/vnd.ms-powerpoint",
    "pps": "application/vnd.ms-powerpoint",
    "dps": "application/octet-stream",
    "odp": "application/vnd.oasis.opendocument.presentation",
}
IMMUTABLE = 365 * 24 * 3600


@bp.get("/courseware/<int:courseware_id>/download")
@role_required()
def download(courseware_id: int):
    row = services.get_courseware(courseware_id)
    return send_file(
        services.file_path(row),
        mimetype=MIMETYPES.get(row.source_format, "application/octet-stream"),
        as_attachment=True,
        download_name=row.filename,
        etag=row.sha256,
        max_age=0,
    )


@bp.get("/courseware/previews/<sha256>/<rev>/<name>")
@role_required()
def preview_image(sha256: str, rev: str, name: str):
    """A slide image. The address names the deck's content and the render, so what it serves
    never changes: the browser keeps it (privately: signed-in users only) for a year."""
    try:
        path = previews.image_path(sha256, rev, name)
    except ValueError:
        path = None
    if path is None:
        abort(404)
    response = send_file(path, mimetype="image/jpeg", etag=f"{rev}-{name}", max_age=IMMUTABLE)
    response.cache_control.public = False
    response.cache_control.private = True
    response.cache_control.immutable = True
    return response


@bp.post("/courseware/<int:courseware_id>/delete")
@role_required("admin")
def delete(courseware_id: int):
    row = services.get_courseware(courseware_id)
    if EmptyForm().validate_on_submit():
        version = row.version
        talk = services.delete_version(row, current_user)
        flash(f"已删除第 {version} 版课件。", "info")
        return redirect(panels.talk_url(talk.id))
    return redirect(panels.talk_url(row.lecture_id))


@bp.get("/courseware")
@role_required("admin")
def overview():
    days = request.args.get("days", type=int) or 28
    rows = status.overview(days=min(max(days, 1), 366))
    ids = [lecture.id for lecture, _status in rows]
    return render_template(
        "courseware/overview.html",
        rows=rows,
        days=days,
        last_chases=notifications.last_chases(ids),
        declined=notifications.declined(ids),
    )

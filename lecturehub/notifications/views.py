"""Pages: 消息 (my messages), 通知设置 (my channels), the speaker's 接受/婉拒, the admin's 催办
and the outbox (发件箱)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from lecturehub.core.errors import ServiceError
from lecturehub.core.security import role_required
from lecturehub.core.timeutil import format_datetime_zh
from lecturehub.courseware import status as courseware_status
from lecturehub.notifications import services, workflow
from lecturehub.notifications.forms import ChannelsForm, EmptyForm, ResponseForm
from lecturehub.notifications.models import (
    CHANNEL_LABELS,
    EVENTS,
    STATE_LABELS,
    STATES,
)
from lecturehub.schedule import lectures

bp = Blueprint("notifications", __name__)


def _back(default: str) -> str:
    """The ``next`` of a form when it is a path of this site, else ``default``."""
    target = request.form.get("next") or request.args.get("next") or ""
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc:
        return target
    return default


# --- 消息 ----------------------------------------------------------------------------------


@bp.get("/notifications")
@role_required()
def index():
    unread_only = request.args.get("unread") == "1"
    return render_template(
        "notifications/index.html",
        rows=services.inbox(current_user, unread_only=unread_only),
        unread_only=unread_only,
        events=EVENTS,
        empty=EmptyForm(),
    )


@bp.post("/notifications/<int:notification_id>/read")
@role_required()
def mark_read(notification_id: int):
    if EmptyForm().validate_on_submit():
        row = services.mark_read(current_user, notification_id)
        if request.form.get("open") and row.url:
            return redirect(row.url)
    return redirect(_back(url_for("notifications.index")))


@bp.post("/notifications/read-all")
@role_required()
def mark_all_read():
    if EmptyForm().validate_on_submit():
        count = services.mark_all_read(current_user)
        flash(f"已将 {count} 条消息标为已读。", "info")
    return redirect(url_for("notifications.index"))


@bp.route("/notifications/settings", methods=["GET", "POST"])
@role_required()
def settings():
    form = ChannelsForm()
    if form.validate_on_submit():
        services.save_choices(current_user, form.email.data)
        flash("通知设置已保存。", "success")
        return redirect(url_for("notifications.settings"))
    if request.method == "GET":
        form.email.data = services.wants_email(current_user)
    return render_template(
        "notifications/settings.html",
        form=form,
        email_enabled=services.email_enabled(),
        channels=CHANNEL_LABELS,
    )


# --- the speaker's answer ------------------------------------------------------------------


def _response_page(talk, form, status: int = 200):
    return render_template(
        "notifications/response.html",
        lecture=talk,
        form=form,
        assignment=workflow.current_assignment(talk),
        deadline=courseware_status.deadline(talk),
    ), status


@bp.route("/lectures/<int:lecture_id>/response", methods=["GET", "POST"])
@role_required()
def respond(lecture_id: int):
    talk = lectures.get_lecture(lecture_id)
    form = ResponseForm()
    if talk.speaker_id != current_user.id:
        flash("只有本场讲学的讲课人可以接受或婉拒。", "danger")
        return redirect(url_for("pages.lecture", lecture_id=talk.id))
    if not form.validate_on_submit():
        return _response_page(talk, form, 422 if request.method == "POST" else 200)
    try:
        answer = workflow.respond(talk, current_user, bool(form.accept.data), form.reason.data)
    except ServiceError as exc:
        if exc.status == 403:
            raise
        flash(exc.message, "danger")
        return _response_page(talk, form, exc.status)
    accepted = answer.response == "accepted"
    flash(
        "已接受讲学安排，请按时提交课件。" if accepted else "已婉拒，党政办会另行安排。", "success"
    )
    return redirect(url_for("pages.lecture", lecture_id=talk.id))


# --- 催办 ----------------------------------------------------------------------------------


@bp.post("/lectures/<int:lecture_id>/chase")
@role_required("admin")
def chase(lecture_id: int):
    talk = lectures.get_lecture(lecture_id)
    back = _back(url_for("pages.lecture", lecture_id=talk.id))
    if EmptyForm().validate_on_submit():
        try:
            at = workflow.chase(talk, current_user)
            flash(f"已向{talk.speaker.name}催办（{format_datetime_zh(at)}）。", "success")
        except ServiceError as exc:
            flash(exc.message, "danger")
    return redirect(back)


# --- the outbox (admin) --------------------------------------------------------------------


@bp.get("/admin/notifications")
@role_required("admin")
def outbox():
    state = request.args.get("state")
    state = state if state in STATES else None
    return render_template(
        "notifications/outbox.html",
        rows=services.outbox_rows(state),
        counts=services.outbox_counts(),
        state=state,
        states=STATE_LABELS,
        events=EVENTS,
        channels=CHANNEL_LABELS,
        empty=EmptyForm(),
    )


@bp.post("/admin/notifications/<int:notification_id>/retry")
@role_required("admin")
def retry(notification_id: int):
    if EmptyForm().validate_on_submit():
        services.retry(notification_id)
        flash("已重新排队，稍后发送。", "success")
    return redirect(url_for("notifications.outbox", state="failed"))

"""Pages: rating a talk (no-JS form), my ratings and talks to rate, the speaker's view, and
for admins/组织办 a talk's participation (counts, never names) and the comment moderation log."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from lecturehub.core.errors import ServiceError
from lecturehub.core.security import role_required
from lecturehub.ratings import moderation, panels, services, summaries
from lecturehub.ratings.aggregates import DIMENSIONS, LABELS, percent
from lecturehub.ratings.forms import HideCommentForm, RatingForm
from lecturehub.schedule import lectures as schedule_lectures

bp = Blueprint("ratings", __name__)


@bp.get("/ratings")
@role_required()
def index():
    return render_template(
        "ratings/index.html",
        pending=services.pending_for(current_user),
        given=services.rated_by(current_user),
        window=services.window,
        talk_url=panels.talk_url,
        speaks=bool(schedule_lectures.talks_of(current_user)),
    )


@bp.get("/ratings/mine")
@role_required()
def mine():
    talks = summaries.speaker_talks(schedule_lectures.talks_of(current_user))
    rows = [(talk, panels.speaker_charts(talk)) for talk in talks]
    return render_template(
        "ratings/mine.html",
        talks=rows,
        labels=LABELS,
        dimensions=DIMENSIONS,
        percent=percent,
        talk_url=panels.talk_url,
    )


def _rate_page(lecture, submitted=None, status: int = 200):
    context = panels.panel_context(lecture, submitted)
    return render_template("ratings/rate.html", **context), status


@bp.get("/ratings/lectures/<int:lecture_id>")
@role_required()
def rate(lecture_id: int):
    return _rate_page(services.get_lecture(lecture_id))


@bp.post("/ratings/lectures/<int:lecture_id>")
@role_required()
def submit(lecture_id: int):
    lecture = services.get_lecture(lecture_id)
    form = RatingForm()
    if not form.validate_on_submit():
        flash("页面已过期，请刷新后重试。", "danger")
        return _rate_page(lecture, status=400)
    data = RatingForm.scores_from(request.form)
    try:
        _rating, created = services.rate(lecture, current_user, data)
    except ServiceError as exc:
        flash(exc.message, "danger")
        return _rate_page(lecture, data, exc.status)
    flash("感谢您的评价！" if created else "已更新您的评价。", "success")
    return redirect(panels.talk_url(lecture.id))


@bp.get("/ratings/lectures/<int:lecture_id>/participation")
@role_required("admin", "organiser")
def participation(lecture_id: int):
    lecture = services.get_lecture(lecture_id)
    return render_template(
        "ratings/participation.html",
        lecture=lecture,
        summary=summaries.summary(lecture),
        percent=percent,
    )


@bp.get("/ratings/moderation")
@role_required("admin")
def moderation_log():
    return render_template(
        "ratings/moderation.html",
        open_comments=moderation.open_comments(),
        hidings=moderation.hidings(),
        form=HideCommentForm(),
    )


@bp.post("/ratings/comments/<int:rating_id>/hide")
@role_required("admin")
def hide_comment(rating_id: int):
    rating = moderation.get_rating(rating_id)
    form = HideCommentForm()
    if form.validate_on_submit():
        try:
            moderation.hide_comment(rating, current_user, form.reason.data)
            flash("已隐藏该意见。", "success")
        except ServiceError as exc:
            flash(exc.message, "danger")
    return redirect(url_for("ratings.moderation_log"))

"""Notifications on the pages that gather several features (``lecturehub.pages``): the talk
page's box for the speaker (接受 / 婉拒) and for 党政办 (催办, and when it was last sent)."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user
from markupsafe import Markup

from lecturehub.core.timeutil import now as local_now
from lecturehub.notifications import workflow
from lecturehub.notifications.forms import EmptyForm, ResponseForm


def talk_panel(lecture) -> Markup | None:
    """The speaker's answer box and the admin's 催办 button; None for everyone else, and once
    the talk has begun or was cancelled."""
    is_speaker = lecture.speaker_id is not None and lecture.speaker_id == current_user.id
    is_admin = current_user.has_role("admin")
    upcoming = not lecture.session.cancelled and lecture.starts_at > local_now()
    if not upcoming or not (is_speaker or is_admin):
        return None
    html = render_template(
        "notifications/_talk_panel.html",
        lecture=lecture,
        is_speaker=is_speaker,
        is_admin=is_admin and lecture.speaker_id is not None,
        assignment=workflow.current_assignment(lecture),
        declined=workflow.declined([lecture.id]).get(lecture.id),
        last_chase=workflow.last_chases([lecture.id]).get(lecture.id),
        form=ResponseForm(),
        empty=EmptyForm(),
    )
    return Markup(html)  # a rendered, autoescaped template

"""Forms of notifications: the speaker's answer, the channels, and lone buttons."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SubmitField, TextAreaField
from wtforms.validators import Length

from lecturehub.notifications.workflow import REASON_MAX


class EmptyForm(FlaskForm):
    """A lone button (标为已读, 催办, 重试) still carries a CSRF token."""


class ResponseForm(FlaskForm):
    reason = TextAreaField(
        "理由（婉拒时必填）",
        validators=[Length(max=REASON_MAX, message=f"理由不能超过 {REASON_MAX} 字。")],
    )
    accept = SubmitField("接受")
    decline = SubmitField("婉拒")


class ChannelsForm(FlaskForm):
    email = BooleanField("同时发到我的电子邮箱")

"""Forms of notifications: the speaker's answer, the channels, and lone buttons."""

from __future__ import annotations

from wtforms import BooleanField, SubmitField, TextAreaField
from wtforms.validators import Length

from lecturehub.core.forms import Form
from lecturehub.notifications.workflow import REASON_MAX


class EmptyForm(Form):
    """A lone button (标为已读, 催办, 重试) still carries a CSRF token."""


class ResponseForm(Form):
    reason = TextAreaField(
        "理由（婉拒时必填）",
        validators=[Length(max=REASON_MAX, message=f"理由不能超过 {REASON_MAX} 字。")],
    )
    accept = SubmitField("接受")
    decline = SubmitField("婉拒")


class ChannelsForm(Form):
    email = BooleanField("同时发到我的电子邮箱")

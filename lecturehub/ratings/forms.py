"""Forms of the ratings feature. The scores are checked by the service (one set of messages
for the page and the API); the forms carry the CSRF token and the free text."""

from __future__ import annotations

from wtforms import StringField, TextAreaField

from lecturehub.core.forms import Form
from lecturehub.ratings.models import SCORE_FIELDS


class RatingForm(Form):
    comment = TextAreaField("意见建议（选填，不显示姓名）")

    @staticmethod
    def scores_from(formdata) -> dict:
        """The submitted fields as the service expects them (text scores are parsed there)."""
        data = {name: formdata.get(name) for name in SCORE_FIELDS}
        data["comment"] = formdata.get("comment", "")
        return data


class HideCommentForm(Form):
    reason = StringField("隐藏原因")

"""Forms of the attendance feature (choices are filled in by the views)."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import (
    DateField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from lecturehub.attendance.models import LEAVE_TYPES, RECORD_STATUSES, STATUS_LABELS
from lecturehub.core.forms import Form


class LeaveForm(Form):
    user = SelectField("请假人", coerce=int, validators=[Optional()])  # admins only
    series = SelectField("系列", coerce=int)
    session = SelectField("场次", coerce=int, validators=[Optional()])
    date_from = DateField("开始日期", validators=[Optional()])
    date_to = DateField("结束日期", validators=[Optional()])
    leave_type = SelectField("类型", choices=[SelectChoice(t) for t in LEAVE_TYPES])
    reason = TextAreaField("事由", validators=[DataRequired("请填写请假事由。"), Length(max=1000)])


class DecisionForm(Form):
    comment = StringField("意见", validators=[Length(max=1000)])
    decision = StringField(validators=[DataRequired()])  # "approve" | "refuse" from the buttons


class CorrectionForm(Form):
    status = SelectField(
        "更正为", choices=[SelectChoice(s, STATUS_LABELS[s]) for s in RECORD_STATUSES]
    )
    late_minutes = IntegerField(
        "迟到分钟数", default=0, validators=[Optional(), NumberRange(0, 600, "请输入 0 到 600。")]
    )
    reason = TextAreaField("更正原因", validators=[Length(max=1000)])


class MarksForm(Form):
    """补录 and bulk marks: the ticked people get one status, the rest what is chosen."""

    users = SelectMultipleField("人员", coerce=int, validators=[Optional()])
    status = SelectField(
        "所选人员记为",
        choices=[SelectChoice(s, STATUS_LABELS[s]) for s in RECORD_STATUSES],
        default="present",
    )
    rest = SelectField(
        "其余未记录的应到人员",
        choices=[
            SelectChoice("", "不处理"),
            SelectChoice("present", "其余全部到场"),
            SelectChoice("absent", "其余全部缺席"),
        ],
        default="",
    )
    reason = StringField("原因（签到结束后补录或修改时必填）", validators=[Length(max=1000)])


class ExemptionForm(Form):
    user = SelectField("人员", coerce=int)
    series = SelectField("免除的训练", coerce=int)
    date_from = DateField("开始日期", validators=[DataRequired("请填写开始日期。")])
    date_to = DateField("结束日期", validators=[DataRequired("请填写结束日期。")])
    note = TextAreaField("备案说明", validators=[Length(max=2000)])
    scan = FileField("病历扫描件（PDF/JPG/PNG，可选）")


class ExclusionForm(Form):
    user = SelectField("人员", coerce=int)
    series = SelectField("系列", coerce=int)
    date_from = DateField("开始日期", validators=[DataRequired("请填写开始日期。")])
    date_to = DateField("结束日期（留空为长期）", validators=[Optional()])
    reason = StringField("原因", validators=[Length(max=500)])

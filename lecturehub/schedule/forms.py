"""Forms of the schedule pages."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from lecturehub.auth.forms import MultiCheckboxField
from lecturehub.core.forms import Form
from lecturehub.core.timeutil import WEEKDAYS_ZH
from lecturehub.schedule.models import CATEGORIES

DATE_REQUIRED = DataRequired("请填写日期（YYYY-MM-DD）。")


class GenerateForm(Form):
    start = DateField("开始日期", validators=[DATE_REQUIRED])
    end = DateField("结束日期", validators=[DATE_REQUIRED])
    series = SelectField("系列", coerce=int, default=0)


class RotationForm(Form):
    start = DateField("开始日期", validators=[DATE_REQUIRED])
    end = DateField("结束日期", validators=[DATE_REQUIRED])
    departments = MultiCheckboxField("参加轮讲的部门和中心", coerce=int)


class CancelForm(Form):
    reason = StringField("取消原因", validators=[DataRequired("请填写原因。"), Length(max=500)])


class MoveForm(Form):
    date = DateField("新日期", validators=[DATE_REQUIRED])
    time = TimeField("开始时间", validators=[DataRequired("请填写时间。")])
    venue = StringField("地点", validators=[Length(max=120)])
    reason = StringField("调整原因", validators=[DataRequired("请填写原因。"), Length(max=500)])


class ExtraSessionForm(Form):
    series = SelectField("所属系列", coerce=int)
    title = StringField(
        "名称（如 专题讲座、双拥运动会）",
        validators=[DataRequired("请填写名称。"), Length(max=120)],
    )
    date = DateField("日期", validators=[DATE_REQUIRED])
    time = TimeField("开始时间", validators=[DataRequired("请填写时间。")])
    duration = IntegerField("时长（分钟）", validators=[Optional(), NumberRange(5, 600)])
    venue = StringField("地点（留空用系列的地点）", validators=[Length(max=120)])
    backfill = BooleanField("补录：该活动已经举行，现在补记（补录的活动在记录考勤之前不计缺席）")


class VoidForm(Form):
    reason = StringField(
        "作废原因", validators=[DataRequired("请填写作废原因。"), Length(max=1000)]
    )


class UnvoidForm(Form):
    reason = StringField("撤销作废的原因（可选）", validators=[Length(max=1000)])


class LectureForm(Form):
    title = StringField("题目", validators=[Length(max=200)])
    speaker = SelectField("讲课人", coerce=int, default=0)
    department = SelectField("负责部门", coerce=int, default=0)
    category = SelectField(
        "类别", choices=[SelectChoice("", "（未定）")] + [SelectChoice(c) for c in CATEGORIES]
    )
    abstract = TextAreaField("简介（支持 Markdown）", validators=[Length(max=5000)])
    deadline = DateTimeLocalField("课件截止时间", format="%Y-%m-%dT%H:%M", validators=[Optional()])


class SeriesForm(Form):
    weekdays = MultiCheckboxField(
        "星期", coerce=int, choices=[SelectChoice(i, day) for i, day in enumerate(WEEKDAYS_ZH)]
    )
    start_time = TimeField("开始时间（冬令 / 全年）", validators=[DataRequired("请填写时间。")])
    summer_start_time = TimeField("夏令开始时间（留空表示不区分季节）", validators=[Optional()])
    summer_from = StringField("夏令时间起（MM-DD）", validators=[Length(max=5)])
    summer_to = StringField("夏令时间止（MM-DD）", validators=[Length(max=5)])
    duration_minutes = IntegerField("时长（分钟）", validators=[NumberRange(5, 600, "5–600 分钟")])
    venue = StringField("地点", validators=[DataRequired("请填写地点。"), Length(max=120)])
    leader = SelectField("牵头领导", coerce=int, default=0)
    department = SelectField("责任单位", coerce=int, default=0)
    active = BooleanField("启用", default=True)

"""Forms of the accounts feature."""

from __future__ import annotations

from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, EqualTo, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from lecturehub.core.forms import Form
from lecturehub.core.security import ROLES


class EmptyForm(Form):
    """A lone button still carries a CSRF token."""


class LoginForm(Form):
    login = StringField("登录名", validators=[DataRequired("请输入登录名。"), Length(max=64)])
    password = PasswordField("密码", validators=[DataRequired("请输入密码。")])
    remember = BooleanField("记住我")


class ChangePasswordForm(Form):
    old = PasswordField("原密码", validators=[DataRequired("请输入原密码。")])
    new = PasswordField(
        "新密码",
        validators=[DataRequired("请输入新密码。"), Length(min=8, message="密码至少需要 8 位。")],
    )
    confirm = PasswordField("确认新密码", validators=[EqualTo("new", "两次输入的新密码不一致。")])


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class UserForm(Form):
    login = StringField("登录名", validators=[DataRequired("请输入登录名。"), Length(max=64)])
    name = StringField("姓名", validators=[DataRequired("请输入姓名。"), Length(max=64)])
    department = SelectField("部门", coerce=int, validators=[Optional()])
    title = StringField("职务", validators=[Length(max=64)])
    email = StringField("电子邮箱（接收通知，可不填）", validators=[Length(max=254)])
    roles = MultiCheckboxField(
        "角色", choices=[SelectChoice(k, v) for k, v in ROLES.items() if k != "member"]
    )
    password = PasswordField(
        "初始密码（留空则自动生成）",
        validators=[Optional(), Length(min=8, message="密码至少需要 8 位。")],
    )
    active = BooleanField("启用", default=True)


class EmailForm(Form):
    email = StringField("电子邮箱", validators=[Length(max=254)])


class TokenForm(Form):
    name = StringField("令牌用途", validators=[Length(max=80)], default="API 令牌")


class RosterForm(Form):
    file = FileField(
        "花名册（.xlsx 或 .csv）",
        validators=[
            FileRequired("请选择文件。"),
            FileAllowed(["xlsx", "csv"], "只接受 .xlsx 或 .csv 文件。"),
        ],
    )
    dry_run = BooleanField("仅预检，不导入")


class DepartmentForm(Form):
    name = StringField("名称", validators=[DataRequired("请输入名称。"), Length(max=80)])
    kind = SelectField(
        "类型",
        choices=[
            SelectChoice("department", "部门"),
            SelectChoice("centre", "中心"),
            SelectChoice("team", "大队"),
        ],
    )
    active = BooleanField("启用", default=True)

"""Every validation message is Chinese: each form of the app, found by walking lecturehub/ (so a
form added later is covered too), is submitted with bad input in every field, and no message
may be English. The forms speak Chinese through WTForms' own zh catalogue (core/forms.py)."""

from __future__ import annotations

import importlib
import io
import pkgutil
import re

import pytest
from flask_wtf import FlaskForm
from wtforms import SelectChoice

import lecturehub
from lecturehub.core.forms import Form
from tests.factories import make_user

# Words a Chinese message may carry: file types, date formats, the CSRF token's name.
ALLOWED_WORDS = {"CSRF", "YYYY", "MM", "DD", "Qn", "PDF", "JPG", "PNG", "xlsx", "csv", "pptx"}
CJK = re.compile(r"[\u4e00-\u9fff]")
WORD = re.compile(r"[A-Za-z]+")


def _import_everything() -> None:
    for module in pkgutil.walk_packages(lecturehub.__path__, "lecturehub."):
        if not module.name.startswith("lecturehub.migrations"):
            importlib.import_module(module.name)


def _subclasses(cls) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub} | _subclasses(sub)
    return found


def app_forms() -> list[type]:
    _import_everything()
    forms = [
        cls
        for cls in _subclasses(FlaskForm)
        if cls.__module__.startswith("lecturehub.") and cls is not Form
    ]
    return sorted(forms, key=lambda cls: (cls.__module__, cls.__name__))


FORMS = app_forms()


def test_the_walk_finds_the_forms_of_every_feature():
    modules = {cls.__module__.split(".")[1] for cls in FORMS}
    assert {"auth", "schedule", "attendance", "courseware", "ratings"} <= modules
    assert len(FORMS) >= 20


@pytest.mark.parametrize("form_class", FORMS, ids=lambda cls: cls.__name__)
def test_every_form_is_built_on_the_chinese_base_form(form_class):
    assert issubclass(form_class, Form), f"{form_class.__module__}.{form_class.__name__}"


def _bad_values(field, variant: str):
    """What a careless or hostile user types into a field of this type (variant: empty,
    garbage, out of range)."""
    kind = field.type
    if variant == "empty":
        return None if kind in ("FileField", "MultipleFileField") else ""
    if kind in ("FileField", "MultipleFileField"):
        return (io.BytesIO(b"MZ\x90\x00 not a document"), "virus.exe")
    values = {
        "garbage": {
            "IntegerField": "abc",
            "DecimalField": "abc",
            "FloatField": "abc",
            "DateField": "2026-13-45",
            "TimeField": "25:99",
            "DateTimeLocalField": "yesterday",
            "DateTimeField": "yesterday",
            "SelectField": "不存在的选项",
            "RadioField": "不存在的选项",
            "SelectMultipleField": ["不存在的选项"],
            "MultiCheckboxField": ["不存在的选项"],
        },
        "out_of_range": {
            "IntegerField": "100000",
            "DecimalField": "-100000",
            "FloatField": "-100000",
            "SelectField": "999999",
            "SelectMultipleField": ["999999"],
            "MultiCheckboxField": ["999999"],
        },
    }[variant]
    if kind in values:
        return values[kind]
    return "x" * 6000 if variant == "garbage" else "x"  # too long, or too short


def _fill_dynamic_choices(form) -> None:
    """Views fill some choices at request time; give those fields a real choice."""
    for field in form:
        if getattr(field, "choices", ()) is None:
            field.choices = [SelectChoice(1, "一")]


def _messages(app, form_class, variant: str) -> list[str]:
    with app.test_request_context(method="GET"):
        names = [(f.name, f) for f in form_class()]
    data = {}
    for name, field in names:
        value = _bad_values(field, variant)
        if value is not None and field.type != "CSRFTokenField":
            data[name] = value
    with app.test_request_context(method="POST", data=data):
        form = form_class()
        _fill_dynamic_choices(form)
        form.validate()
        return [message for errors in form.errors.values() for message in errors]


def _english(message: str) -> bool:
    words = set(WORD.findall(message)) - ALLOWED_WORDS
    return bool(words) or not CJK.search(message)


@pytest.mark.parametrize("form_class", FORMS, ids=lambda cls: cls.__name__)
def test_no_validation_message_is_english(app, form_class):
    messages = []
    for variant in ("empty", "garbage", "out_of_range"):
        messages += _messages(app, form_class, variant)
    assert messages, "bad input produced no message at all"
    assert [m for m in messages if _english(m)] == []


def test_the_messages_the_issue_saw_in_english_are_chinese(app):
    from lecturehub.schedule.forms import ExtraSessionForm, LectureForm

    extra = _messages(app, ExtraSessionForm, "out_of_range")
    lecture = _messages(app, LectureForm, "garbage")
    assert "数值大小必须介于 5 到 600 之间。" in extra  # was "Number must be between 5 and 600."
    assert "不是有效的选择。" in extra  # was "Not a valid choice."
    assert "字段长度不能超过 200 个字符。" in lecture  # "Field cannot be longer than 200 …"


def test_a_page_shows_the_chinese_message(client, auth):
    make_user("boss", roles=["admin"])
    auth.login("boss")
    page = auth.post(
        "/admin/schedule/extra",
        {
            "series": "1",
            "title": "专题讲座",
            "date": "2026-12-20",
            "time": "09:00",
            "duration": "1",
        },
    )
    html = page.get_data(as_text=True)
    assert page.status_code == 422
    assert "数值大小必须介于 5 到 600 之间。" in html and "Number must be" not in html

"""The one base class of every form in the app: its validation messages are Chinese.

WTForms ships its own Chinese catalogue (``wtforms/locale/zh``); :class:`Form` reads it through
WTForms' standard gettext loader, so every built-in validator (required, length, number range,
choices, dates, integers …) speaks Chinese without a message being written per form. Flask-WTF
would look for Flask-Babel, which this app does not use, so the form's ``Meta`` asks WTForms
itself. The compiled catalogue lacks a few messages — those Flask-WTF adds (file checks, the
CSRF token) and the entries WTForms marks fuzzy (left out of its .mo) — so they are listed in
``SUPPLEMENT``. A message a form passes explicitly (``DataRequired("请填写原因。")``) is used as
written.

Every feature's forms subclass :class:`Form` (``tests/test_forms.py`` finds every form under
``lecturehub/`` and submits it with bad input: no message may be English).
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import i18n
from wtforms.meta import DefaultMeta

LOCALES = ("zh",)
CSRF_MESSAGE = "页面已过期或缺少安全令牌（CSRF），请刷新页面后重试。"
# What WTForms' compiled zh catalogue does not translate: Flask-WTF's own messages, an empty
# entry and the entries marked fuzzy in wtforms/locale/zh (their msgstr is not compiled).
SUPPLEMENT = {
    "This field is disabled and cannot have a value.": "该字段已禁用，不能填写。",
    "This field cannot be edited.": "该字段不能修改。",
    "Not a valid week value.": "不是有效的周。",
    "'%(value)s' is not a valid choice for this field.": "“%(value)s” 不是该字段的有效选项。",
    "'%(value)s' are not valid choices for this field.": "“%(value)s” 不是该字段的有效选项。",
    "File does not have an approved extension.": "不接受该类型的文件。",
    "File does not have an approved extension: {extensions}": "只接受以下类型的文件：{extensions}",
}


class ChineseTranslations:
    """WTForms' zh catalogue with ``SUPPLEMENT`` in front (the gettext/ngettext protocol)."""

    def __init__(self) -> None:
        self.catalogue = i18n.get_translations(list(LOCALES))

    def gettext(self, string: str) -> str:
        return SUPPLEMENT.get(string) or self.catalogue.gettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        chosen = singular if n == 1 else plural
        return SUPPLEMENT.get(chosen) or self.catalogue.ngettext(singular, plural, n)


_TRANSLATIONS: ChineseTranslations | None = None


def translations() -> ChineseTranslations:
    global _TRANSLATIONS  # loaded once: the catalogue is read-only
    if _TRANSLATIONS is None:
        _TRANSLATIONS = ChineseTranslations()
    return _TRANSLATIONS


class Form(FlaskForm):
    """A Flask-WTF form (CSRF token included) whose messages are Chinese."""

    class Meta:
        locales = LOCALES

        def get_translations(self, form):
            # Flask-WTF's Meta would ask Flask-Babel; WTForms' own loader reads its catalogue.
            if self.locales is False:
                return DefaultMeta.get_translations(self, form)
            return translations()

    def validate(self, extra_validators=None) -> bool:
        """Validate; a CSRF refusal (Flask-WTF words it in English) reads in Chinese."""
        valid = super().validate(extra_validators)
        csrf = self._fields.get(self.meta.csrf_field_name) if self.meta.csrf else None
        if csrf is not None and csrf.errors:
            csrf.errors[:] = [CSRF_MESSAGE]
        return valid

"""Forms of the courseware feature."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField

from lecturehub.auth.forms import EmptyForm

__all__ = ["EmptyForm", "UploadForm"]


class UploadForm(FlaskForm):
    """The no-JavaScript fallback; the file itself is checked by the service (content, size)."""

    file = FileField("课件文件（.pptx）")

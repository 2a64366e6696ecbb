"""Forms of the courseware feature."""

from __future__ import annotations

from flask_wtf.file import FileField

from lecturehub.auth.forms import EmptyForm
from lecturehub.core.forms import Form

__all__ = ["EmptyForm", "UploadForm"]


class UploadForm(Form):
    """The no-JavaScript fallback; the file itself is checked by the service (content, size)."""

    file = FileField("课件文件（.pptx）")

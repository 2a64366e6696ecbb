"""`lecturehub demo` — what `make run` loads — builds the whole township through migrations."""

from __future__ import annotations

import sys

from sqlalchemy import func, select

from lecturehub import create_app
from lecturehub.attendance.models import AttendanceRecord
from lecturehub.auth.models import User
from lecturehub.commands import NEEDS_DEMO_EXTRA
from lecturehub.courseware.models import Courseware
from lecturehub.extensions import db
from lecturehub.ratings.models import Rating
from lecturehub.schedule.models import Lecture


def test_demo_loads_every_feature_and_prints_the_logins(tmp_path):
    app = create_app({"TESTING": True, "STORAGE_DIR": str(tmp_path)})
    result = app.test_cli_runner().invoke(args=["demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "演示账号（密码均为 demo1234）" in result.output
    with app.app_context():
        counts = [
            db.session.scalar(select(func.count(model.id)))
            for model in (User, Lecture, Courseware, AttendanceRecord, Rating)
        ]
        db.engine.dispose()
    assert all(count > 0 for count in counts), counts
    again = app.test_cli_runner().invoke(args=["demo", "--if-empty"])
    assert again.exit_code == 0 and "跳过演示数据" in again.output


def test_demo_without_python_pptx_says_what_to_install_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pptx", None)  # as if the `demo` extra were not installed
    app = create_app({"TESTING": True, "STORAGE_DIR": str(tmp_path)})
    result = app.test_cli_runner().invoke(args=["demo", "--if-empty"])
    assert (result.exit_code, result.output) == (2, NEEDS_DEMO_EXTRA + "\n")
    assert "pip install 'lecturehub[demo]'" in NEEDS_DEMO_EXTRA
    assert not (tmp_path / "lecturehub.sqlite").exists()

"""Fixtures: a real SMTP server and a real robot endpoint, and an app that sends to them.

Quiet hours are off in this app (start == end) unless a test turns them on: the messages that
signals queue are stamped with the real clock, and a test must not depend on the hour it runs."""

from __future__ import annotations

import pytest

from lecturehub.extensions import db as _db
from tests.conftest import make_app
from tests.notifications.servers import RobotServer, SmtpServer

SECRET = "SECtest0123456789"


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def robot():
    server = RobotServer().start()
    yield server
    server.stop()


def notify_settings(smtp: SmtpServer, robot: RobotServer, **overrides) -> dict:
    settings = {
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp.port,
        "MAIL_SENDER": "关庙乡党政办 <dzb@guanmiao.example.cn>",
        "MAIL_TIMEOUT": 5,
        "WECOM_WEBHOOK": f"{robot.url}/wecom/send?key=test-key",
        "DINGTALK_WEBHOOK": f"{robot.url}/dingtalk/robot/send?access_token=test-token",
        "DINGTALK_SECRET": SECRET,
        "BASE_URL": "http://lecturehub.example.cn:8080",
        "NOTIFY_QUIET_START": "00:00",
        "NOTIFY_QUIET_END": "00:00",
        "JOBS_RETRY_SECONDS": 30,
    }
    settings.update(overrides)
    return settings


@pytest.fixture
def settings(smtp, robot) -> dict:
    return notify_settings(smtp, robot)


@pytest.fixture
def app(tmp_path, settings):
    app = make_app(tmp_path / "storage", **settings)
    with app.app_context():
        yield app
        _db.session.remove()
        _db.engine.dispose()

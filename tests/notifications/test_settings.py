"""The notification settings read from the environment as the README says."""

from __future__ import annotations

from lecturehub.config import load_config
from lecturehub.notifications.channels import MailSettings


def test_mail_settings_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("LECTUREHUB_STORAGE_DIR", str(tmp_path))
    monkeypatch.setenv("LECTUREHUB_MAIL_SERVER", "smtp.example.gov.cn")
    monkeypatch.setenv("LECTUREHUB_MAIL_USE_TLS", "true")
    monkeypatch.setenv("LECTUREHUB_MAIL_USERNAME", "dzb@example.gov.cn")
    monkeypatch.setenv("LECTUREHUB_MAIL_PASSWORD", "123456")  # digits: still text
    monkeypatch.setenv("LECTUREHUB_MAIL_SENDER", "关庙乡党政办 <dzb@example.gov.cn>")
    monkeypatch.setenv("LECTUREHUB_DINGTALK_SECRET", "SEC0123")
    monkeypatch.setenv("LECTUREHUB_COURSEWARE_REMIND_DAYS", "[5, 2, 1]")
    config = load_config()
    assert MailSettings.from_config(config) == MailSettings(
        server="smtp.example.gov.cn",
        port=587,
        use_tls=True,
        use_ssl=False,
        username="dzb@example.gov.cn",
        password="123456",
        sender="关庙乡党政办 <dzb@example.gov.cn>",
        timeout=30.0,
    )
    assert (config["DINGTALK_SECRET"], config["COURSEWARE_REMIND_DAYS"]) == ("SEC0123", [5, 2, 1])


def test_no_mail_server_means_no_email(monkeypatch, tmp_path):
    monkeypatch.setenv("LECTUREHUB_STORAGE_DIR", str(tmp_path))
    monkeypatch.delenv("LECTUREHUB_MAIL_SERVER", raising=False)
    assert MailSettings.from_config(load_config()) is None

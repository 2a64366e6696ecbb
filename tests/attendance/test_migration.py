"""Migration 0007 on a database that already has accounts: each gets the first row of its
history, so nobody left out of the record before is suddenly expected at past sessions."""

from __future__ import annotations

from flask_migrate import upgrade
from sqlalchemy import text

from lecturehub import create_app
from lecturehub.extensions import db


def test_existing_accounts_get_their_history(tmp_path):
    app = create_app({"TESTING": True, "STORAGE_DIR": str(tmp_path)})
    with app.app_context():
        upgrade(revision="0006_jobs")
        with db.engine.begin() as conn:
            for login, active in (("zhang", True), ("gone", False)):
                conn.execute(
                    text(
                        "INSERT INTO users (login, name, password_hash, title, phone, active,"
                        " must_change_password, created_at) VALUES (:login, :login, 'x', '', '',"
                        " :active, false, '2026-03-01 08:00:00')"
                    ),
                    {"login": login, "active": active},
                )
        upgrade()
        with db.engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT u.login, a.active, a.at FROM user_activity a"
                    " JOIN users u ON u.id = a.user_id ORDER BY u.login"
                )
            ).all()
            backfill = conn.execute(text("SELECT count(*) FROM sessions WHERE backfill")).scalar()
        db.engine.dispose()
    assert [(login, bool(active), str(at)[:19]) for login, active, at in rows] == [
        ("gone", False, "2026-03-01 08:00:00"),
        ("zhang", True, "2026-03-01 08:00:00"),
    ]
    assert backfill == 0

"""attendance states: account history, backfilled and voided sessions, the sessions' audit
trail, sign-in grants that survive the login

Revision ID: 0007_attendance_states
Revises: 0006_jobs
Create Date: 2026-12-05 20:00:00

Every existing account gets its history's first row: active since it was created, or — when
it is inactive now, at an unknown date — inactive since then, so nobody who was left out of the
record before is suddenly expected at past sessions.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_attendance_states"
down_revision = "0006_jobs"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "user_activity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["by_id"], ["users.id"], name=op.f("fk_user_activity_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_user_activity_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_activity")),
    )
    with op.batch_alter_table("user_activity", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_activity_user_id"), ["user_id"], unique=False)
    op.execute(
        "INSERT INTO user_activity (user_id, active, at) SELECT id, active, created_at FROM users"
    )

    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("backfill", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("voided_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("voided_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("void_reason", sa.Text(), nullable=False, server_default="")
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_sessions_voided_by_id_users"), "users", ["voided_by_id"], ["id"]
        )
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.alter_column("backfill", server_default=None)
        batch_op.alter_column("void_reason", server_default=None)

    op.create_table(
        "session_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["by_id"], ["users.id"], name=op.f("fk_session_events_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"], ["sessions.id"], name=op.f("fk_session_events_session_id_sessions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_events")),
    )
    with op.batch_alter_table("session_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_session_events_session_id"), ["session_id"], unique=False
        )

    op.create_table(
        "attendance_checkin_grants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("scanned_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.Column("used_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name=op.f("fk_attendance_checkin_grants_session_id_sessions"),
        ),
        sa.ForeignKeyConstraint(
            ["used_by_id"],
            ["users.id"],
            name=op.f("fk_attendance_checkin_grants_used_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance_checkin_grants")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_attendance_checkin_grants_token_hash")),
    )
    with op.batch_alter_table("attendance_checkin_grants", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_attendance_checkin_grants_session_id"), ["session_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("attendance_checkin_grants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attendance_checkin_grants_session_id"))
    op.drop_table("attendance_checkin_grants")
    with op.batch_alter_table("session_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_session_events_session_id"))
    op.drop_table("session_events")
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_sessions_voided_by_id_users"), type_="foreignkey")
        batch_op.drop_column("void_reason")
        batch_op.drop_column("voided_by_id")
        batch_op.drop_column("voided_at")
        batch_op.drop_column("backfill")
    with op.batch_alter_table("user_activity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_activity_user_id"))
    op.drop_table("user_activity")

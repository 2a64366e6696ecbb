"""auth: login sessions kept server-side; login attempts name the real account they targeted

Revision ID: 0008_auth_hardening
Revises: 0006_jobs
Create Date: 2026-12-06 10:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0008_auth_hardening"
down_revision = "0007_attendance_states"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "login_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("remember", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_login_sessions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_login_sessions_token_hash")),
    )
    with op.batch_alter_table("login_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_sessions_expires_at"), ["expires_at"])
        batch_op.create_index(batch_op.f("ix_login_sessions_user_id"), ["user_id"])

    with op.batch_alter_table("login_attempts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("user_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_login_attempts_user_id"), ["user_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_login_attempts_user_id_users"),
            "users",
            ["user_id"],
            ["id"],
            ondelete="CASCADE",
        )


def downgrade():
    with op.batch_alter_table("login_attempts", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_login_attempts_user_id_users"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_login_attempts_user_id"))
        batch_op.drop_column("user_id")
    with op.batch_alter_table("login_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_sessions_user_id"))
        batch_op.drop_index(batch_op.f("ix_login_sessions_expires_at"))
    op.drop_table("login_sessions")

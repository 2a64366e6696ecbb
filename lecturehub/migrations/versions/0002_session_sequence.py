"""iCalendar SEQUENCE on sessions

Revision ID: 0002_session_sequence
Revises: 0001_initial
Create Date: 2026-11-26 11:10:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0002_session_sequence"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sequence", sa.Integer(), nullable=False, server_default="0"))


def downgrade():
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_column("sequence")

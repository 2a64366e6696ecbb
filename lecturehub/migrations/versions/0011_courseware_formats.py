"""courseware: the format the speaker uploaded (.ppt, .pps, .dps and .odp are converted)

Revision ID: 0011_courseware_formats
Revises: 0006_jobs
Create Date: 2026-12-05 19:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0011_courseware_formats"
down_revision = "0010_notifications"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("courseware", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_format", sa.String(length=8), nullable=True))
    # Every version so far was an Office Open XML upload, analysed as it was sent.
    op.execute("UPDATE courseware SET source_format = kind")
    with op.batch_alter_table("courseware", schema=None) as batch_op:
        batch_op.alter_column("source_format", existing_type=sa.String(length=8), nullable=False)


def downgrade():
    with op.batch_alter_table("courseware", schema=None) as batch_op:
        batch_op.drop_column("source_format")

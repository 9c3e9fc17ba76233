"""a digest of what each iPad change key was first sent with, so the same key with other
content is refused rather than answered as a replay

Revision ID: e4b7c1d9a2f6
Revises: d8e2f4a6b913
Create Date: 2026-12-06 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e4b7c1d9a2f6'
down_revision = 'd8e2f4a6b913'
branch_labels = None
depends_on = None


def upgrade():
    # Nullable: changes applied before this have no digest and are replayed as before.
    with op.batch_alter_table('meeting_applied_changes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('digest', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('meeting_applied_changes', schema=None) as batch_op:
        batch_op.drop_column('digest')

"""how long present mode showed a programme's card: activity_events.seconds

Revision ID: w_present_shown
Revises: 53eaca96dd1b
Create Date: 2026-12-05 20:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'w_present_shown'
down_revision = 'b4d6f8a0c2e3'
branch_labels = None
depends_on = None


def upgrade():
    # Nullable: only "programme_shown" events have it.
    with op.batch_alter_table('activity_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seconds', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('activity_events', schema=None) as batch_op:
        batch_op.drop_column('seconds')

"""one-time form tokens, so a form that creates something acts once however often it is sent

Revision ID: 53eaca96dd1b
Revises: e4b7c1d9a2f6
Create Date: 2026-12-06 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '53eaca96dd1b'
down_revision = 'e4b7c1d9a2f6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('form_tokens',
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('used_by_id', sa.Integer(), nullable=True),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('result_url', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['used_by_id'], ['users.id'], name=op.f('fk_form_tokens_used_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('token', name=op.f('pk_form_tokens'))
    )


def downgrade():
    op.drop_table('form_tokens')

"""indexes for searches by name, email, title and company, the users directory order and
meetings held in a period

Revision ID: d8e2f4a6b913
Revises: c3d7a91e5b42
Create Date: 2026-11-27 10:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd8e2f4a6b913'
down_revision = 'c3d7a91e5b42'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index('ix_users_last_name_first_name_id', ['last_name', 'first_name', 'id'], unique=False)
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meetings_started_at'), ['started_at'], unique=False)
    if op.get_bind().dialect.name != 'postgresql':
        return
    # Trigram indexes serve "contains" searches (ILIKE '%...%') and nearest-name lookups.
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_index('ix_users_full_name_trgm', 'users',
                    [sa.text("(first_name || ' ' || last_name) gin_trgm_ops")],
                    postgresql_using='gin')
    op.create_index('ix_users_email_trgm', 'users', ['email'], postgresql_using='gin',
                    postgresql_ops={'email': 'gin_trgm_ops'})
    op.create_index('ix_programmes_title_trgm', 'programmes', ['title'], postgresql_using='gin',
                    postgresql_ops={'title': 'gin_trgm_ops'})
    op.create_index('ix_companies_name_key_trgm', 'companies', ['name_key'],
                    postgresql_using='gist', postgresql_ops={'name_key': 'gist_trgm_ops'})


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_index('ix_companies_name_key_trgm', table_name='companies')
        op.drop_index('ix_programmes_title_trgm', table_name='programmes')
        op.drop_index('ix_users_email_trgm', table_name='users')
        op.drop_index('ix_users_full_name_trgm', table_name='users')
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meetings_started_at'))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index('ix_users_last_name_first_name_id')

"""restricted catalogue items, buyer groups and access grants

Revision ID: a0702904c14d
Revises: 53eaca96dd1b
Create Date: 2026-12-05 19:34:23.354046

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a0702904c14d'
down_revision = 'w_home_notify'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('buyer_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('name_key', sa.String(length=120), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_buyer_groups')),
    sa.UniqueConstraint('name_key', name=op.f('uq_buyer_groups_name_key'))
    )
    op.create_table('access_grants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=True),
    sa.Column('season_id', sa.Integer(), nullable=True),
    sa.Column('episode_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('company_id', sa.Integer(), nullable=True),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('granted_by_id', sa.Integer(), nullable=True),
    sa.Column('granted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.CheckConstraint('(CASE WHEN programme_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN season_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN episode_id IS NULL THEN 0 ELSE 1 END) = 1', name=op.f('ck_access_grants_one_item')),
    sa.CheckConstraint('(CASE WHEN user_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN company_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN group_id IS NULL THEN 0 ELSE 1 END) = 1', name=op.f('ck_access_grants_one_grantee')),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_access_grants_company_id_companies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['episode_id'], ['episodes.id'], name=op.f('fk_access_grants_episode_id_episodes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['granted_by_id'], ['users.id'], name=op.f('fk_access_grants_granted_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['group_id'], ['buyer_groups.id'], name=op.f('fk_access_grants_group_id_buyer_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_access_grants_programme_id_programmes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['season_id'], ['seasons.id'], name=op.f('fk_access_grants_season_id_seasons'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_access_grants_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_access_grants'))
    )
    with op.batch_alter_table('access_grants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_access_grants_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_access_grants_episode_id'), ['episode_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_access_grants_group_id'), ['group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_access_grants_programme_id'), ['programme_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_access_grants_season_id'), ['season_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_access_grants_user_id'), ['user_id'], unique=False)

    op.create_table('buyer_group_members',
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['buyer_groups.id'], name=op.f('fk_buyer_group_members_group_id_buyer_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_buyer_group_members_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('group_id', 'user_id', name=op.f('pk_buyer_group_members'))
    )
    with op.batch_alter_table('buyer_group_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_buyer_group_members_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('episodes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('restricted', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('restricted', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('seasons', schema=None) as batch_op:
        batch_op.add_column(sa.Column('restricted', sa.Boolean(), server_default=sa.false(), nullable=False))

    # Account Managers hold the new "grant screener access" by default, as a new install
    # gives them; administrators hold every permission anyway.
    op.execute(
        "INSERT INTO role_permissions (role_id, permission) "
        "SELECT id, 'grant_screener_access' FROM roles WHERE kind = 'account_manager'")


def downgrade():
    op.execute("DELETE FROM role_permissions WHERE permission = 'grant_screener_access'")
    with op.batch_alter_table('seasons', schema=None) as batch_op:
        batch_op.drop_column('restricted')

    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.drop_column('restricted')

    with op.batch_alter_table('episodes', schema=None) as batch_op:
        batch_op.drop_column('restricted')

    with op.batch_alter_table('buyer_group_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_buyer_group_members_user_id'))

    op.drop_table('buyer_group_members')
    with op.batch_alter_table('access_grants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_access_grants_user_id'))
        batch_op.drop_index(batch_op.f('ix_access_grants_season_id'))
        batch_op.drop_index(batch_op.f('ix_access_grants_programme_id'))
        batch_op.drop_index(batch_op.f('ix_access_grants_group_id'))
        batch_op.drop_index(batch_op.f('ix_access_grants_episode_id'))
        batch_op.drop_index(batch_op.f('ix_access_grants_company_id'))

    op.drop_table('access_grants')
    op.drop_table('buyer_groups')

"""every buyer's activity per day, and per programme and day; covering indexes

Revision ID: c3d7a91e5b42
Revises: 5f991f297e08
Create Date: 2026-11-27 10:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3d7a91e5b42'
down_revision = '5f991f297e08'
branch_labels = None
depends_on = None

MEASURES = ['logins', 'visits', 'programme_views', 'screener_plays', 'list_views',
            'email_clicks', 'meetings_attended', 'interest_marks']
DAY_INDEX_INCLUDES = ['user_id', *MEASURES, 'last_at']


def upgrade():
    op.create_table('activity_total_days',
    sa.Column('day', sa.Date(), nullable=False),
    *(sa.Column(name, sa.Integer(), nullable=False) for name in MEASURES),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_activity_total_days'))
    )
    op.create_table('activity_programme_days',
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('views', sa.Integer(), nullable=False),
    sa.Column('plays', sa.Integer(), nullable=False),
    sa.Column('interested', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_activity_programme_days_programme_id_programmes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('programme_id', 'day', name=op.f('pk_activity_programme_days'))
    )
    with op.batch_alter_table('activity_programme_days', schema=None) as batch_op:
        batch_op.create_index('ix_activity_programme_days_day', ['day'], unique=False, postgresql_include=['programme_id', 'views', 'plays', 'interested'])
    with op.batch_alter_table('activity_events', schema=None) as batch_op:
        batch_op.drop_index('ix_activity_events_user_id_occurred_at')
        batch_op.create_index('ix_activity_events_user_id_occurred_at', ['user_id', 'occurred_at'], unique=False, postgresql_include=['kind', 'programme_id', 'interest'])
    with op.batch_alter_table('activity_days', schema=None) as batch_op:
        batch_op.drop_index('ix_activity_days_day')
        batch_op.create_index('ix_activity_days_day', ['day'], unique=False, postgresql_include=DAY_INDEX_INCLUDES)

    # Fill both from what is already recorded.
    sums = ', '.join(f'sum({name})' for name in MEASURES)
    op.execute(f"INSERT INTO activity_total_days (day, {', '.join(MEASURES)}) "
               f"SELECT day, {sums} FROM activity_days GROUP BY day")
    day = ("CAST(timezone('UTC', occurred_at) AS DATE)"
           if op.get_bind().dialect.name == 'postgresql' else "date(occurred_at)")
    op.execute(
        "INSERT INTO activity_programme_days (programme_id, day, views, plays, interested) "
        f"SELECT programme_id, {day}, "
        "sum(CASE WHEN kind = 'programme_view' THEN 1 ELSE 0 END), "
        "sum(CASE WHEN kind = 'screener_play' THEN 1 ELSE 0 END), "
        "sum(CASE WHEN kind = 'interest_marked' AND interest > 0 THEN 1 ELSE 0 END) "
        "FROM activity_events WHERE programme_id IS NOT NULL "
        "AND kind IN ('programme_view', 'screener_play', 'interest_marked') "
        f"GROUP BY programme_id, {day}")


def downgrade():
    with op.batch_alter_table('activity_days', schema=None) as batch_op:
        batch_op.drop_index('ix_activity_days_day')
        batch_op.create_index('ix_activity_days_day', ['day'], unique=False)
    with op.batch_alter_table('activity_events', schema=None) as batch_op:
        batch_op.drop_index('ix_activity_events_user_id_occurred_at')
        batch_op.create_index('ix_activity_events_user_id_occurred_at', ['user_id', 'occurred_at'], unique=False)
    with op.batch_alter_table('activity_programme_days', schema=None) as batch_op:
        batch_op.drop_index('ix_activity_programme_days_day')
    op.drop_table('activity_programme_days')
    op.drop_table('activity_total_days')

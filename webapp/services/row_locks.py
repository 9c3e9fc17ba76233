"""Holding a row while an action decides on it, so that a double submit acts once."""

from sqlalchemy import inspect, update

from webapp.extensions import db


def lock(instance) -> None:
    """Hold `instance`'s row until the transaction ends, and read it again as it now stands.

    A second request that locks the same row waits here until the first has committed, and
    then sees what the first did. On PostgreSQL this is SELECT ... FOR UPDATE. SQLite has no
    row locks, and its Python driver begins a transaction only at the first INSERT, UPDATE or
    DELETE, so a write to the row that changes nothing (its key, and any column stamped on
    update, set to themselves) takes the database's write lock instead: the second
    request's write waits for the first's commit (the driver's busy timeout), and all the
    request reads from then on is read after that commit.
    """
    state = inspect(instance)
    mapper = state.mapper
    if db.session.get_bind().dialect.name != "postgresql":
        table = mapper.local_table
        [key] = mapper.primary_key
        unchanged = [key, *(column for column in table.columns if column.onupdate is not None)]
        db.session.execute(update(table).where(key == state.identity[0])
                           .values({column.name: column for column in unchanged}))
    db.session.refresh(instance, with_for_update={"of": mapper.class_})
    # Rows it refers to (who decided, who attends) are read again when next used.
    db.session.expire(instance, [relationship.key for relationship in mapper.relationships])

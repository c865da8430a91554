"""Alembic environment for the review database. The service runs `upgrade head` itself on
open (see `pubguard.review.db`), passing its connection in `config.attributes["connection"]`."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from pubguard.review.models import Base
from pubguard.review.settings import normalise_db_url

config = context.config
target_metadata = Base.metadata


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(normalise_db_url(config.get_main_option("sqlalchemy.url") or ""))
    with engine.begin() as conn:
        _run(conn)
    engine.dispose()


def run_migrations_offline() -> None:
    context.configure(
        url=normalise_db_url(config.get_main_option("sqlalchemy.url") or ""),
        target_metadata=target_metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()

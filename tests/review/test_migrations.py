"""The schema comes from Alembic migrations run on open; they must match the models."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext

from pubguard.review.db import MIGRATIONS_DIR, Database, _head_revision
from pubguard.review.models import Base


def test_migrations_match_models_and_round_trip(db_url):
    db = Database(db_url)
    try:
        db.migrate()
        db.migrate()  # idempotent on an up-to-date database
        with db.write_engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(ctx, Base.metadata) == []
            assert ctx.get_current_revision() == _head_revision()
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
        with db.write_engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "base")
        db.migrate()
        with db.read() as s:
            from sqlalchemy import text

            assert s.execute(text("SELECT seq FROM audit_head")).scalar() == 0
    finally:
        db.dispose()

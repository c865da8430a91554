"""Engines, transactions and migrations.

SQLite: the sqlite3 driver's own transaction handling is switched off and we emit BEGIN
ourselves — `BEGIN IMMEDIATE` for writes, so writers queue on the database lock instead of
failing half-way, and plain `BEGIN` for reads (WAL lets reads run beside a writer).
PostgreSQL (psycopg 3): one engine; writers lock the draft row with SELECT … FOR UPDATE.
Either way `Draft.lock_version` is the last line of defence against lost updates.

The unit of work: every write of the review service is one `Database.write()` block, a
`UnitOfWork` — one session, one transaction. The rows an operation changes, its audit entries
(`audit.append` on the same session) and its outbox rows (消息 `notifications`) commit together
or not at all; what must not happen before the commit (sending the e-mails) is registered on
the unit of work (`UnitOfWork.of(session).collect(...)`) and runs only after it committed,
never after a rollback. An operation that must survive a crash between two steps (a release:
intent row, publish, record) uses one unit of work per step, on purpose (releasing.py)."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from pubguard.review.errors import Conflict, InvalidInput

log = logging.getLogger("pubguard.review.db")

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_PG_MIGRATION_LOCK = 0x70756267  # "pubg": advisory lock so two processes never migrate at once

CONFLICT_MESSAGE = "该稿件正被他人同时处理，您的操作未生效。请刷新后重试。"
_UOW_KEY = "pubguard.unit_of_work"

T = TypeVar("T")


class UnitOfWork:
    """One write transaction of the review service (see the module docstring): `session`,
    plus the outboxes whose contents are handed over only once the transaction committed."""

    def __init__(self, session: Session) -> None:
        self.session = session
        # key -> (sender, items); Any: each key's items and sender agree (see `collect`).
        self._outboxes: dict[str, tuple[Callable[[list[Any]], None], list[Any]]] = {}

    @classmethod
    def of(cls, session: Session) -> UnitOfWork:
        """The unit of work `session` belongs to; a read session has none (writing an outbox
        row there would be lost), so asking for it is a programming error."""
        uow = session.info.get(_UOW_KEY)
        if not isinstance(uow, UnitOfWork):
            raise RuntimeError("outbox use outside Database.write(): a read session has no unit of work")
        return uow

    def collect(self, key: str, item: T, send: Callable[[list[T]], None]) -> None:
        """Put `item` in the outbox `key`. After the commit, `send` gets every item of that
        outbox in one call, in the order they came; after a rollback, nothing is sent."""
        box = self._outboxes.get(key)
        if box is None:
            box = self._outboxes[key] = (send, [])
        box[1].append(item)

    def pending(self, key: str) -> int:
        """How many items the outbox `key` holds (tests, logs)."""
        box = self._outboxes.get(key)
        return len(box[1]) if box else 0

    def _committed(self) -> None:
        outboxes, self._outboxes = self._outboxes, {}
        for send, items in outboxes.values():
            send(items)


def _sqlite_engine(url: str, begin: str) -> Engine:
    # hide_parameters: a failed statement's error (logged by the API's 500 handler) never carries
    # the values it tried to write — a writer's phone number, an applicant's name.
    engine = create_engine(
        url, connect_args={"timeout": 30, "check_same_thread": False}, hide_parameters=True
    )

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn) -> None:  # type: ignore[no-untyped-def]
        conn.exec_driver_sql(begin)

    return engine


def _is_conflict(exc: DBAPIError) -> bool:
    """Lock timeouts, serialisation failures and deadlocks: someone else got there first."""
    orig = getattr(exc, "orig", None)
    sqlstate = getattr(orig, "sqlstate", None) or getattr(getattr(orig, "diag", None), "sqlstate", None)
    if sqlstate in ("40001", "40P01", "55P03"):
        return True
    msg = str(orig or exc).lower()
    return "database is locked" in msg or "database is busy" in msg


@functools.lru_cache(maxsize=1)
def _head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(cfg).get_current_head()


class Database:
    """Owns the engines and hands out sessions inside a transaction."""

    def __init__(self, url: str):
        self.url = url
        self.dialect = url.split(":", 1)[0].split("+", 1)[0]
        if self.dialect == "sqlite":
            path = url.split("///", 1)[1] if "///" in url else ""
            if not path or path == ":memory:":
                raise InvalidInput("审核数据库需要一个 SQLite 文件路径（不支持内存数据库）。")
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            self.write_engine = _sqlite_engine(url, "BEGIN IMMEDIATE")
            self.read_engine = _sqlite_engine(url, "BEGIN")
        else:
            self.write_engine = create_engine(url, pool_pre_ping=True, hide_parameters=True)
            self.read_engine = self.write_engine

            @event.listens_for(self.write_engine, "connect")
            def _pg_connect(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
                # A writer stuck behind a lock gives up (and reports a conflict) instead of
                # hanging the request forever.
                with dbapi_conn.cursor() as cur:
                    cur.execute("SET lock_timeout = '30s'")
                dbapi_conn.commit()

        self._write = sessionmaker(self.write_engine, expire_on_commit=False)
        self._read = sessionmaker(self.read_engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One unit of work (`UnitOfWork`): commits on success, rolls back on any error, then
        hands the outboxes over (after a commit only). Lost races surface as `Conflict` with a
        Chinese message."""
        try:
            with self._write() as session:
                uow = session.info[_UOW_KEY] = UnitOfWork(session)
                with session.begin():
                    yield session
        except StaleDataError as exc:
            raise Conflict(CONFLICT_MESSAGE) from exc
        except OperationalError as exc:
            if _is_conflict(exc):
                raise Conflict(CONFLICT_MESSAGE) from exc
            raise
        except DBAPIError as exc:
            if _is_conflict(exc):
                raise Conflict(CONFLICT_MESSAGE) from exc
            raise
        uow._committed()  # outside the try: a sender's failure is not a lost race

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._read() as session, session.begin():
            yield session

    def migrate(self) -> None:
        """`alembic upgrade head`, serialised across processes (skipped when already at head,
        which is every open but the first)."""
        head = _head_revision()
        try:
            with self.read_engine.connect() as conn:
                current = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except DBAPIError:
            current = None
        if current == head:
            return
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
        cfg.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        with self.write_engine.begin() as conn:
            if not self.is_sqlite:
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")

    def dispose(self) -> None:
        self.write_engine.dispose()
        if self.read_engine is not self.write_engine:
            self.read_engine.dispose()

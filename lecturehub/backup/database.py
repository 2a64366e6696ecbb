"""A consistent snapshot of the database while the app keeps writing, and its restore.

SQLite: the backup API (``sqlite3.Connection.backup``) copies every page in one step inside one
read transaction; in WAL mode writers carry on meanwhile. PostgreSQL: ``pg_dump -Fc`` under a
snapshot exported by our own REPEATABLE READ transaction, so the list of files the snapshot
refers to is read from exactly the same state; ``pg_restore --single-transaction`` restores
it all or nothing. No Flask here: the engine and settings are passed in.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.sql import Select

from lecturehub.backup.archive import BackupError

PG_BIN_GLOBS = (
    "/usr/lib/postgresql/*/bin",  # Debian, Ubuntu
    "/usr/pgsql-*/bin",  # RHEL
    "/opt/homebrew/opt/postgresql@*/bin",
    "/usr/local/opt/postgresql@*/bin",
    "C:/Program Files/PostgreSQL/*/bin",
)


@dataclass(frozen=True)
class Snapshot:
    path: Path
    schema: str  # the Alembic revision(s) the snapshot is at
    keys: frozenset[str]  # content keys of the stored files it refers to


def kind(engine: Engine) -> str:
    name = engine.url.get_backend_name()
    if name not in ("sqlite", "postgresql"):
        raise BackupError(f"不支持备份 {name} 数据库（只支持 SQLite 和 PostgreSQL）。")
    return name


def schema_of(conn: Connection) -> str:
    """The Alembic revision the database is at ("+"-joined if several heads)."""
    if "alembic_version" not in inspect(conn).get_table_names():
        raise BackupError("数据库没有版本记录（alembic_version）：请先运行 lecturehub init。")
    rows = sorted(conn.scalars(text("SELECT version_num FROM alembic_version")))
    return "+".join(rows)


def is_empty(engine: Engine) -> bool:
    """No table in the database (a SQLite file that does not exist yet is not created)."""
    if kind(engine) == "sqlite" and not _sqlite_path(engine).exists():
        return True
    with engine.connect() as conn:
        return not inspect(conn).get_table_names()


def size_estimate(engine: Engine) -> int:
    """Roughly how many bytes a snapshot will take (for a progress bar)."""
    if kind(engine) == "sqlite":
        path = _sqlite_path(engine)
        return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())
    with engine.connect() as conn:
        return int(conn.scalar(text("SELECT pg_database_size(current_database())")) or 0)


# --- SQLite ------------------------------------------------------------------------------------


def _sqlite_path(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:":
        raise BackupError("内存中的数据库无法备份或恢复。")
    return Path(database)


def _copy_sqlite(source: Path, target: Path) -> None:
    """Every page of ``source`` into ``target`` in one step (one read transaction)."""
    if not target.exists():  # created readable by its owner only, like the archive
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT, 0o600))
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(target, timeout=30)
    try:
        with dst:
            src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    finally:
        src.close()
        dst.close()


def _snapshot_sqlite(engine: Engine, into: Path, referenced: Select) -> Snapshot:
    _copy_sqlite(_sqlite_path(engine), into)
    copy = create_engine(f"sqlite:///{into}")
    try:
        with copy.connect() as conn:
            return Snapshot(into, schema_of(conn), frozenset(conn.scalars(referenced)))
    finally:
        copy.dispose()
        Path(f"{into}-wal").unlink(missing_ok=True)
        Path(f"{into}-shm").unlink(missing_ok=True)


# --- PostgreSQL --------------------------------------------------------------------------------


def _version(directory: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", directory)) or (0,)


def pg_tool(name: str, bin_dir: str | None = None) -> str:
    """The path of pg_dump / pg_restore: PG_BIN_DIR, else PATH, else the newest PostgreSQL
    installed in the usual places (Debian keeps them off PATH in /usr/lib/postgresql/*/bin)."""
    exe = f"{name}.exe" if os.name == "nt" else name
    if bin_dir:
        candidate = Path(bin_dir) / exe
        if candidate.is_file():
            return str(candidate)
        raise BackupError(f"PG_BIN_DIR 指定的目录中没有 {exe}：{bin_dir}")
    found = shutil.which(name)
    if found:
        return found
    dirs = sorted((d for pattern in PG_BIN_GLOBS for d in glob.glob(pattern)), key=_version)
    for directory in reversed(dirs):
        if (Path(directory) / exe).is_file():
            return str(Path(directory) / exe)
    raise BackupError(
        f"找不到 {name}：请安装 PostgreSQL 客户端，或用 LECTUREHUB_PG_BIN_DIR 指明它所在的目录。"
    )


def _libpq(engine: Engine) -> tuple[str, dict]:
    """The database's URL as libpq reads it (no driver name, no password) and the environment
    with the password (kept off the command line, where ``ps`` would show it)."""
    url = engine.url
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(command: list[str], env: dict, what: str) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()[-3:]
        raise BackupError(f"{what}失败（{os.path.basename(command[0])}）：{' '.join(detail)}")


def _snapshot_postgres(engine: Engine, into: Path, referenced: Select, bin_dir: str | None):
    url, env = _libpq(engine)
    pg_dump = pg_tool("pg_dump", bin_dir)
    with engine.connect() as conn:
        conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            exported = conn.scalar(text("SELECT pg_export_snapshot()"))
            schema, keys = schema_of(conn), frozenset(conn.scalars(referenced))
            command = [pg_dump, "--format=custom", "--no-owner", "--no-privileges"]
            command += [f"--snapshot={exported}", f"--file={into}", f"--dbname={url}"]
            _run(command, env, "导出数据库")
    return Snapshot(into, schema, keys)


# --- either ------------------------------------------------------------------------------------


def snapshot(
    engine: Engine, into: Path, referenced: Select, bin_dir: str | None = None
) -> Snapshot:
    """A consistent copy of the database at one moment, written to ``into``, with the content
    keys that ``referenced`` (a SELECT of one column) finds in that same state."""
    if kind(engine) == "sqlite":
        return _snapshot_sqlite(engine, into, referenced)
    return _snapshot_postgres(engine, into, referenced, bin_dir)


def restore(engine: Engine, dump: Path, bin_dir: str | None = None) -> None:
    """Load a snapshot into the (empty) database, all or nothing."""
    engine.dispose()
    if kind(engine) == "sqlite":
        _copy_sqlite(dump, _sqlite_path(engine))
    else:
        url, env = _libpq(engine)
        command = [pg_tool("pg_restore", bin_dir), "--no-owner", "--no-privileges"]
        command += ["--single-transaction", "--exit-on-error", f"--dbname={url}", str(dump)]
        _run(command, env, "恢复数据库")
    engine.dispose()

"""``backup(FILE)`` and ``restore(FILE)``: what the commands call.

Backup while the server keeps running, in three steps whose order makes the archive consistent:
every stored file present now; then the database snapshot (with the content keys it refers
to); then the files stored since step one. A file deleted before step two is not in the
snapshot either (a deletion commits the row before removing the file); a file the snapshot
refers to was stored before it (an upload stores the file before committing its row). Only a
version uploaded *and* deleted during the backup could be missing: the backup then stops and
says so. Stored files are everything under ``storage/files`` but ``tmp/`` (uploads in flight);
derived data outside it (the search index) is rebuilt after a restore.

Restore checks everything before it changes anything: the archive (names, manifest, schema
revision, database kind), that the target is empty (no table in the database, no stored file),
then every member's SHA-256 while extracting into a staging directory inside the storage; only
then does it load the database and move the files into place.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from alembic.script import ScriptDirectory
from alembic.util import CommandError
from flask import current_app
from sqlalchemy import select

from lecturehub import setup_data
from lecturehub.backup import database
from lecturehub.backup.archive import (
    DATABASE_MEMBERS,
    DIR_MODE,
    STORAGE_FILES,
    BackupError,
    Manifest,
    read_archive,
    write_archive,
)
from lecturehub.core.storage import FileStore, get_store
from lecturehub.core.timeutil import iso
from lecturehub.core.timeutil import now as local_now
from lecturehub.courseware.models import Courseware
from lecturehub.extensions import db

Progress = Callable[[int, int], None]  # (bytes done, bytes in all)
KINDS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


@dataclass
class _Counter:
    progress: Progress | None
    total: int
    done: int = 0

    def advance(self, count: int) -> None:
        self.done += count
        self.total = max(self.total, self.done)
        if self.progress is not None:
            self.progress(self.done, self.total)


def _stored_files(store: FileStore) -> Iterator[tuple[str, Path, int]]:
    """(member name, path, size) of every stored file: all under files/ but tmp/."""
    for directory, subdirs, names in os.walk(store.root):
        here = Path(directory)
        if here == store.root:
            subdirs[:] = [d for d in subdirs if d != store.tmp_dir.name]
        for name in sorted(names):
            path = here / name
            try:
                size = path.stat().st_size
            except FileNotFoundError:
                continue
            yield "files/" + path.relative_to(store.root).as_posix(), path, size


def _member(store: FileStore, key: str) -> str:
    return "files/" + store.path(key).relative_to(store.root).as_posix()


def _app_version() -> str:
    try:
        return metadata.version("lecturehub")
    except metadata.PackageNotFoundError:
        return ""


def _check_target(target: Path, store: FileStore, overwrite: bool) -> None:
    if target.is_relative_to(store.root.resolve()):
        raise BackupError("备份文件不能放在 storage/files 目录里，请换一个位置。")
    if target.exists() and not overwrite:
        raise BackupError(f"备份文件 {target} 已存在：请换一个文件名，或加 --overwrite 覆盖。")
    if not target.parent.is_dir():
        raise BackupError(f"目录 {target.parent} 不存在。")


def backup(target: Path, progress: Progress | None = None, overwrite: bool = False) -> Manifest:
    """Write the archive ``target`` while the app keeps serving; returns its manifest."""
    target, store, engine = Path(target).resolve(), get_store(), db.engine
    _check_target(target, store, overwrite)
    kind, bin_dir = database.kind(engine), current_app.config.get("PG_BIN_DIR") or None
    first = list(_stored_files(store))
    counter = _Counter(progress, sum(size for *_, size in first) + database.size_estimate(engine))
    manifest = Manifest("", kind, iso(local_now()), _app_version())
    with (
        tempfile.TemporaryDirectory(dir=target.parent, prefix=".lecturehub-backup-") as tmp,
        write_archive(target, manifest, counter.advance) as writer,
    ):
        for name, path, _size in first:
            writer.add_file(name, path)
        referenced = select(Courseware.sha256).distinct()
        snap = database.snapshot(engine, Path(tmp) / "snapshot", referenced, bin_dir)
        manifest.schema = snap.schema
        writer.add_file(DATABASE_MEMBERS[kind], snap.path)
        for name, path, _size in _stored_files(store):
            if name not in writer:
                writer.add_file(name, path)
        missing = sorted(key for key in snap.keys if _member(store, key) not in writer)
        if missing:
            raise BackupError(
                f"备份期间有 {len(missing)} 个课件文件被删除（{missing[0][:12]}…），"
                "备份未完成，请重新运行。"
            )
        for name in STORAGE_FILES:
            writer.add_file(f"storage/{name}", Path(current_app.config["STORAGE_DIR"]) / name)
    return manifest


# --- restore -----------------------------------------------------------------------------------


def _scripts() -> ScriptDirectory:
    migrate = current_app.extensions["migrate"].migrate
    return ScriptDirectory.from_config(migrate.get_config())


def _check_schema(schema: str) -> None:
    """Refuse an archive whose database is at a revision this code does not know (newer)."""
    scripts = _scripts()
    for revision in schema.split("+"):
        try:
            known = scripts.get_revision(revision) is not None
        except CommandError:
            known = False
        if not known:
            raise BackupError(
                f"这个备份来自更新版本的 LectureHub（数据库结构版本 {revision}，"
                "当前程序不认识）：请先升级 LectureHub 再恢复。"
            )


def _check_kind(manifest: Manifest, kind: str) -> None:
    if manifest.database != kind:
        raise BackupError(
            f"这个备份的数据库是 {KINDS.get(manifest.database, manifest.database)}，"
            f"当前配置的是 {KINDS[kind]}：请让 DATABASE_URL 指向同一种数据库（空的）再恢复。"
        )


def _check_empty(store: FileStore) -> None:
    if not database.is_empty(db.engine):
        raise BackupError(
            "恢复目标不是空的：数据库中已有数据表。请换一个空数据库（和空的存储目录）再恢复。"
        )
    if next(_stored_files(store), None) is not None:
        raise BackupError(
            f"恢复目标不是空的：{store.root} 中已有文件。请换一个空的存储目录再恢复。"
        )


def _move_tree(source: Path, target: Path) -> None:
    """Move the files under ``source`` to the same places under ``target`` (same disk)."""
    for directory, _subdirs, names in os.walk(source):
        destination = target / Path(directory).relative_to(source)
        destination.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
        for name in names:
            os.replace(Path(directory) / name, destination / name)


def _put_storage_files(staged: Path, storage: Path) -> None:
    """The secret key comes back (sessions and tokens signed with it stay valid); an instance
    settings file only where the target has none of its own."""
    for name in STORAGE_FILES:
        source, target = staged / name, storage / name
        if source.is_file() and (name == "secret_key" or not target.exists()):
            os.replace(source, target)


def restore(source: Path, progress: Progress | None = None) -> Manifest:
    """Bring back the database and the stored files of an archive into an empty storage
    directory and an empty database, upgraded to this version's schema; the caller rebuilds
    the search index afterwards."""
    storage, store, engine = Path(current_app.config["STORAGE_DIR"]), get_store(), db.engine
    bin_dir = current_app.config.get("PG_BIN_DIR") or None
    with read_archive(Path(source)) as archive:
        manifest = archive.manifest
        _check_kind(manifest, database.kind(engine))
        _check_schema(manifest.schema)
        _check_empty(store)
        counter = _Counter(progress, archive.total_bytes)
        staging = Path(tempfile.mkdtemp(dir=storage, prefix=".restore-"))
        try:
            archive.extract_to(staging, counter.advance)
            dump = staging / DATABASE_MEMBERS[manifest.database]
            database.restore(engine, dump, bin_dir)
            _move_tree(staging / "files", store.root)
            _put_storage_files(staging / "storage", storage)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    setup_data.upgrade_database()  # an older backup's schema becomes this version's
    return manifest

"""Content-addressed file store: ``save(fileobj) -> key``, ``open(key)``.

Files are written to a temporary file in the store, fsynced and renamed into place, so a
crash never leaves a half file under a key. Files are 0600 and folders 0700 (``core.private``).
The key is the SHA-256 of the content; the user's filename is never part of a path. A crash
can leave the temporary file (``tmp/*.part``) behind: ``remove_temp_files`` deletes those
nobody has written to for a while.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from lecturehub.core import private

CHUNK = 1024 * 1024
KEY_RE = re.compile(r"^[0-9a-f]{64}$")


class StorageError(Exception):
    pass


class TooLarge(StorageError):
    pass


@dataclass(frozen=True)
class StoredFile:
    key: str
    size: int
    path: Path


@dataclass(frozen=True)
class TempFile:
    """A temp file of the store: an upload being written, or one a crash left behind."""

    path: Path
    size: int
    modified: float  # the last write, seconds since the epoch

    def age(self, now: float) -> float:
        return now - self.modified


class FileStore:
    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)
        self.tmp_dir = self.root / "tmp"

    def path(self, key: str) -> Path:
        if not KEY_RE.match(key or ""):
            raise StorageError("invalid key")
        return self.root / key[:2] / key[2:4] / key

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def open(self, key: str) -> BinaryIO:
        return self.path(key).open("rb")

    def spool(self, fileobj: BinaryIO, max_bytes: int | None = None) -> tuple[Path, str, int]:
        """Copy a stream to a temp file in the store, hashing it; raise TooLarge past max_bytes."""
        private.make_dir(self.tmp_dir)
        digest, size = hashlib.sha256(), 0
        fd, name = tempfile.mkstemp(dir=self.tmp_dir, suffix=".part")
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := fileobj.read(CHUNK):
                    size += len(chunk)
                    if max_bytes is not None and size > max_bytes:
                        raise TooLarge(f"more than {max_bytes} bytes")
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
        except BaseException:
            Path(name).unlink(missing_ok=True)
            raise
        return Path(name), digest.hexdigest(), size

    def commit_spooled(self, tmp_path: Path, key: str) -> StoredFile:
        """Move a spooled temp file into place under its key (atomic rename)."""
        target = self.path(key)
        private.make_dir(target.parent)
        size = tmp_path.stat().st_size
        if target.exists():
            tmp_path.unlink(missing_ok=True)
        else:
            os.replace(tmp_path, target)
            _fsync_dir(target.parent)
        return StoredFile(key=key, size=size, path=target)

    def save(self, fileobj: BinaryIO, max_bytes: int | None = None) -> StoredFile:
        tmp_path, key, _size = self.spool(fileobj, max_bytes)
        return self.commit_spooled(tmp_path, key)

    def temp_files(self) -> list[TempFile]:
        """The spooled uploads in ``tmp/``, oldest first."""
        found = []
        try:
            entries = list(os.scandir(self.tmp_dir))
        except FileNotFoundError:
            return []
        for entry in entries:
            if not entry.name.endswith(".part"):
                continue
            try:
                stat = entry.stat(follow_symlinks=False)
            except FileNotFoundError:  # finished (renamed or removed) meanwhile
                continue
            found.append(TempFile(Path(entry.path), stat.st_size, stat.st_mtime))
        return sorted(found, key=lambda f: (f.modified, f.path.name))

    def stale_temp_files(self, older_than: float, now: float | None = None) -> list[TempFile]:
        """Temp files nobody has written to for ``older_than`` seconds. An upload in progress
        writes its file chunk by chunk, then analyses and renames it within seconds; a file
        that old belongs to an upload that died with its process."""
        now = time.time() if now is None else now
        return [f for f in self.temp_files() if f.age(now) > older_than]

    def remove_temp_files(self, older_than: float, now: float | None = None) -> list[TempFile]:
        """Delete the stale temp files; returns those it deleted."""
        removed = []
        for stale in self.stale_temp_files(older_than, now):
            try:
                stale.path.unlink()
            except FileNotFoundError:  # another process removed it first
                continue
            removed.append(stale)
        return removed

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def verify(self, key: str) -> bool:
        """True when the stored bytes still hash to their key."""
        path = self.path(key)
        if not path.is_file():
            return False
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            while chunk := fh.read(CHUNK):
                digest.update(chunk)
        return digest.hexdigest() == key


def _fsync_dir(directory: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def get_store() -> FileStore:
    from flask import current_app

    return FileStore(current_app.config["FILES_DIR"])

"""Content-addressed file store: ``save(fileobj) -> key``, ``open(key)``.

Files are written to a temporary file in the store, fsynced and renamed into place, so a
crash never leaves a half file under a key. Files are 0600 and folders 0700 (``core.private``). The key is the SHA-256 of the content; the user's
filename is never part of a path.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
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

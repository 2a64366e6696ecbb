"""The backup archive: one uncompressed tar, its members hashed into a manifest.

Layout (decks are zip files already, so the tar is not compressed)::

    files/<aa>/<bb>/<sha256>   every stored file (anything under storage/files but tmp/)
    database.sqlite            a consistent SQLite snapshot (or database.pgdump: pg_dump -Fc)
    storage/secret_key         the generated secret key, when the storage has one
    storage/lecturehub.cfg     the instance settings file, when the storage has one
    manifest.json              last: format, schema revision, database kind, and the size and
                               SHA-256 of every other member

Reading checks everything before anything is written: every member name is one of the above
(no absolute path, no "..", no link or device), the manifest lists exactly the members, and
each member's bytes hash to the manifest's SHA-256 as they are extracted into a staging
directory. Pure: no Flask, no database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import re
import tarfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO

FORMAT, FORMAT_VERSION = "lecturehub-backup", 1
MANIFEST = "manifest.json"
DATABASE_MEMBERS = {"sqlite": "database.sqlite", "postgresql": "database.pgdump"}
STORAGE_FILES = ("secret_key", "lecturehub.cfg")
CHUNK = 1024 * 1024
MANIFEST_MAX = 64 * 1024 * 1024
SAFE_PART = re.compile(r"^[A-Za-z0-9._-]+$")
FILE_MODE, DIR_MODE = 0o600, 0o700  # an archive holds password hashes and the secret key

Progress = Callable[[int], None]  # bytes done since the last call


class BackupError(Exception):
    """A backup or restore cannot go on; ``message`` says why, in Chinese. Raised before
    anything was changed (a restore checks everything first)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- writing -----------------------------------------------------------------------------------


@dataclass
class Manifest:
    schema: str  # the Alembic revision(s) of the database, "+"-joined
    database: str  # sqlite | postgresql
    created_at: str = ""
    app_version: str = ""
    members: dict[str, dict] = field(default_factory=dict)  # name -> {size, sha256}

    def as_json(self) -> bytes:
        body = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": self.created_at,
            "app_version": self.app_version,
            "schema": self.schema,
            "database": self.database,
            "members": self.members,
        }
        return json.dumps(body, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")


class _Hashing(io.RawIOBase):
    """A reader that hashes what passes through it and reports progress."""

    def __init__(self, source: BinaryIO, progress: Progress | None):
        self.source, self.progress, self.digest = source, progress, hashlib.sha256()

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self.source.read(size)
        self.digest.update(data)
        if self.progress is not None and data:
            self.progress(len(data))
        return data


class ArchiveWriter:
    """Adds members to an open tar and records them in the manifest."""

    def __init__(self, tar: tarfile.TarFile, manifest: Manifest, progress: Progress | None):
        self.tar, self.manifest, self.progress = tar, manifest, progress

    def __contains__(self, name: str) -> bool:
        return name in self.manifest.members

    def add_file(self, name: str, source: Path) -> bool:
        """Add a file under ``name``; False when it vanished before it could be opened."""
        try:
            fh = source.open("rb")
        except FileNotFoundError:
            return False
        with fh:
            stat = os.fstat(fh.fileno())
            info = tarfile.TarInfo(check_name(name))
            info.size, info.mode, info.mtime = stat.st_size, FILE_MODE, int(stat.st_mtime)
            hashing = _Hashing(fh, self.progress)
            self.tar.addfile(info, hashing)
        self.manifest.members[name] = {"size": info.size, "sha256": hashing.digest.hexdigest()}
        return True

    def add_manifest(self) -> None:
        now = dt.datetime.now().astimezone()
        self.manifest.created_at = self.manifest.created_at or now.isoformat(timespec="seconds")
        data = self.manifest.as_json()
        info = tarfile.TarInfo(MANIFEST)
        info.size, info.mode, info.mtime = len(data), FILE_MODE, int(now.timestamp())
        self.tar.addfile(info, io.BytesIO(data))


@contextmanager
def write_archive(
    path: Path, manifest: Manifest, progress: Progress | None = None
) -> Iterator[ArchiveWriter]:
    """Write an archive: add members in the ``with`` block, the manifest goes last. It appears
    under its name only when complete (written as ``<name>.part``, fsynced, renamed); an error
    in the block deletes the unfinished file."""
    path = Path(path)
    partial = path.with_name(path.name + ".part")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    try:
        with os.fdopen(fd, "wb") as out:
            with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tar:
                writer = ArchiveWriter(tar, manifest, progress)
                yield writer
                writer.add_manifest()
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, path)


# --- reading -----------------------------------------------------------------------------------


def check_name(name: str) -> str:
    """The member name if it is one a backup may hold; BackupError otherwise."""
    path = PurePosixPath(name)
    parts = path.parts
    safe = (
        bool(parts)
        and not path.is_absolute()
        and "\\" not in name
        and all(SAFE_PART.match(part) and part not in (".", "..") for part in parts)
    )
    allowed = (
        (len(parts) == 1 and name in (MANIFEST, *DATABASE_MEMBERS.values()))
        or (len(parts) == 2 and parts[0] == "storage" and parts[1] in STORAGE_FILES)
        or (len(parts) >= 2 and parts[0] == "files" and parts[1] != "tmp")
    )
    if not (safe and allowed):
        raise BackupError(f"备份中有不安全或无法识别的路径「{name}」，已拒绝恢复。")
    return name


def _member_names(tar: tarfile.TarFile) -> dict[str, tarfile.TarInfo]:
    members: dict[str, tarfile.TarInfo] = {}
    for info in tar.getmembers():
        check_name(info.name)
        if not info.isreg():
            raise BackupError(f"备份中的「{info.name}」不是普通文件（链接或设备），已拒绝恢复。")
        if info.name in members:
            raise BackupError(f"备份中「{info.name}」出现了两次，备份已损坏。")
        members[info.name] = info
    return members


def _parse_manifest(data: bytes) -> tuple[Manifest, int]:
    body = json.loads(data.decode("utf-8"))
    if not isinstance(body, dict) or body.get("format") != FORMAT:
        raise ValueError("not a LectureHub backup manifest")
    members = body["members"]
    if not isinstance(members, dict) or not all(isinstance(m, dict) for m in members.values()):
        raise ValueError("members is not a mapping of mappings")
    manifest = Manifest(
        schema=str(body["schema"]),
        database=str(body["database"]),
        created_at=str(body.get("created_at", "")),
        app_version=str(body.get("app_version", "")),
        members=members,
    )
    return manifest, int(body.get("format_version", 0))


def _manifest(tar: tarfile.TarFile, members: dict[str, tarfile.TarInfo]) -> Manifest:
    info = members.get(MANIFEST)
    if info is None or info.size > MANIFEST_MAX:
        raise BackupError("备份中没有可用的清单（manifest.json）：备份不完整或已损坏。")
    try:
        manifest, version = _parse_manifest(tar.extractfile(info).read())
    except (KeyError, TypeError, ValueError) as exc:
        raise BackupError(
            "备份清单（manifest.json）无法读取：这不是 LectureHub 的备份或已损坏。"
        ) from exc
    if version > FORMAT_VERSION:
        raise BackupError("备份格式比当前 LectureHub 新，请先升级 LectureHub 再恢复。")
    listed, present = set(manifest.members), set(members) - {MANIFEST}
    if listed != present or manifest.database not in DATABASE_MEMBERS:
        missing = sorted(listed ^ present)[:3]
        raise BackupError(
            f"备份内容与清单不符（{'、'.join(missing) or manifest.database}）：备份已损坏。"
        )
    if DATABASE_MEMBERS[manifest.database] not in present:
        raise BackupError("备份中没有数据库：备份不完整。")
    return manifest


class ArchiveReader:
    """An open archive whose names and manifest have been checked (nothing written yet)."""

    def __init__(self, tar: tarfile.TarFile):
        self.tar = tar
        try:
            self.members = _member_names(tar)
        except (OSError, tarfile.TarError, EOFError) as exc:
            raise BackupError(
                f"无法读取备份文件（{exc}）：文件不完整或不是 LectureHub 的备份。"
            ) from exc
        self.manifest = _manifest(tar, self.members)

    @property
    def total_bytes(self) -> int:
        return sum(int(m["size"]) for m in self.manifest.members.values())

    def names(self) -> list[str]:
        return sorted(self.manifest.members)

    def extract_to(self, staging: Path, progress: Progress | None = None) -> None:
        """Extract every member under ``staging``, checking each one's SHA-256 on the way;
        BackupError at the first that does not match (the caller removes ``staging``)."""
        for name in self.names():
            target = staging.joinpath(*PurePosixPath(name).parts)
            target.parent.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
            expected = self.manifest.members[name]
            try:
                digest = _copy_hashed(self.tar.extractfile(self.members[name]), target, progress)
            except (OSError, tarfile.TarError, EOFError) as exc:
                raise BackupError(f"读取备份中的「{name}」失败（{exc}）：备份已损坏。") from exc
            if digest != expected.get("sha256"):
                raise BackupError(f"备份已损坏：「{name}」的 SHA-256 与清单不符，已停止恢复。")


@contextmanager
def read_archive(path: Path) -> Iterator[ArchiveReader]:
    """Open an archive for restoring; BackupError when it cannot be used."""
    try:
        usable = tarfile.is_tarfile(path)
    except OSError as exc:
        raise BackupError(f"无法读取备份文件（{exc.strerror or exc}）。") from exc
    if not usable:
        raise BackupError("这不是 LectureHub 的备份文件（不是 tar 归档，或文件已损坏）。")
    with tarfile.open(path, mode="r:*") as tar:
        yield ArchiveReader(tar)


def _copy_hashed(source: BinaryIO, target: Path, progress: Progress | None) -> str:
    digest = hashlib.sha256()
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with os.fdopen(fd, "wb") as out:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            out.write(chunk)
            if progress is not None:
                progress(len(chunk))
        out.flush()
        os.fsync(out.fileno())
    return digest.hexdigest()

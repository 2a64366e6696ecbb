"""Generations of an index in local files (whoosh, tantivy), swapped atomically, no symlinks::

    <directory>/CURRENT      "gen-000003 <schema version>", replaced atomically (os.replace)
    <directory>/gen-000003/  the live index
    <directory>/REBUILD      a file lock held while a generation is created or rebuilt

A rebuild fills a fresh gen-N+1 beside the live one and points CURRENT at it; readers re-read
CURRENT before each search. Pure: no engine, no Flask.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path

from lecturehub.search.index.base import IndexStatus, IndexUnavailableError

GEN_RE = re.compile(r"^gen-(\d{6,})$")
CHECK_TRIES = 3  # reads of an index before check() calls it corrupt


def read_pointer(directory: Path) -> tuple[str, int] | None:
    """(generation, schema version) of CURRENT; None when there is none."""
    try:
        parts = (directory / "CURRENT").read_text("ascii").split()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise IndexUnavailableError(f"CURRENT unreadable: {exc}") from exc
    if len(parts) != 2 or not GEN_RE.match(parts[0]) or not parts[1].isdigit():
        raise IndexUnavailableError(f"CURRENT is garbage: {parts[:2]!r}")
    return parts[0], int(parts[1])


def current(directory: Path, schema_version: int) -> str:
    """The live generation's name; IndexUnavailableError when missing or of another schema."""
    pointer = read_pointer(directory)
    if pointer is None:
        raise IndexUnavailableError(f"no index in {directory}")
    if pointer[1] != schema_version:
        raise IndexUnavailableError(f"index schema v{pointer[1]}, need v{schema_version}")
    return pointer[0]


def write_pointer(directory: Path, name: str, schema_version: int) -> None:
    tmp = directory / f"CURRENT.{os.getpid()}.{threading.get_ident()}.tmp"
    with open(tmp, "w", encoding="ascii") as f:
        f.write(f"{name} {schema_version}\n")
        f.flush()
        os.fsync(f.fileno())
    for attempt in range(50):  # Windows refuses while a reader has CURRENT open
        try:
            os.replace(tmp, directory / "CURRENT")
            return
        except PermissionError:
            if attempt == 49:
                raise
            time.sleep(0.02)


def generations(directory: Path) -> list[str]:
    return [p.name for p in directory.iterdir() if GEN_RE.match(p.name) and p.is_dir()]


def new_generation(directory: Path) -> Path:
    n = max((int(name[4:]) for name in generations(directory)), default=0) + 1
    while True:
        try:
            path = directory / f"gen-{n:06d}"
            path.mkdir()
            return path
        except FileExistsError:
            n += 1


def remove_generations(directory: Path, keep: str | None) -> None:
    """Delete every generation but keep (failures, e.g. files open on Windows, are ignored:
    the next rebuild retries)."""
    for name in generations(directory):
        if name != keep:
            shutil.rmtree(directory / name, ignore_errors=True)


def live_or_none(directory: Path) -> str | None:
    """The generation CURRENT names (any schema), None when there is none or it is garbage."""
    with contextlib.suppress(IndexUnavailableError):
        return (read_pointer(directory) or (None,))[0]
    return None


@contextlib.contextmanager
def file_lock(path: Path):
    """An exclusive lock on a file, across processes (blocks until it is free)."""
    with open(path, "a+b") as f:
        _lock(f.fileno())
        try:
            yield
        finally:
            _unlock(f.fileno())


if os.name == "nt":  # pragma: no cover - Windows
    import msvcrt

    def _lock(fd: int) -> None:
        while True:
            try:
                msvcrt.locking(fd, msvcrt.LK_LOCK, 1)
                return
            except OSError:  # LK_LOCK gives up after 10 s
                continue

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX)

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


def check_live(
    directory: Path, schema_version: int, read: Callable[[str], IndexStatus]
) -> IndexStatus:
    """ok / missing / corrupt of the live generation, as ``read(name)`` finds it (never
    raises). A read that fails is tried again, CHECK_TRIES in all: a writer in another process
    may delete merged segments between a reader's table of contents and its opening them,
    which is a moment, not a broken index to rebuild."""
    for attempt in range(CHECK_TRIES):
        try:
            name = current(directory, schema_version)
        except IndexUnavailableError as exc:
            missing = not (directory / "CURRENT").exists()
            return IndexStatus("missing" if missing else "corrupt", detail=str(exc))
        try:
            return read(name)
        except BaseException as exc:  # tantivy's panics are BaseExceptions: any failure counts
            if isinstance(exc, KeyboardInterrupt | SystemExit | GeneratorExit):
                raise
            error = exc
        time.sleep(0.05 * (attempt + 1))
    return IndexStatus("corrupt", detail=f"{type(error).__name__}: {error}")

"""Files and folders that only the server's own account may read: 0600 files, 0700 folders.

The storage directory holds the secret key, the database and every uploaded deck; none of them
is for the other accounts of the machine. Modes are POSIX: on Windows ``os.chmod`` only sets the
read-only flag, and access follows the folder's ACL (keep the storage directory in a folder
only the service account can open).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


def make_dir(path: str | os.PathLike) -> Path:
    """Create the folder and any missing parents with mode 0700 (``mkdir -p`` would give the
    parents the default mode); an existing folder keeps its mode."""
    target = Path(path)
    missing, folder = [], target
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=DIR_MODE)
        except FileExistsError:  # another process made it a moment ago
            continue
    return target


def tighten(path: str | os.PathLike, mode: int) -> None:
    """Take away what ``mode`` does not allow from an existing file or folder of ours (one made
    by an older version, or copied in by hand)."""
    if os.name != "posix":
        return
    try:
        current = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        return
    if current & ~mode:
        os.chmod(path, current & mode)


def create_file(path: str | os.PathLike) -> None:
    """Create an empty file with mode 0600 unless it exists (e.g. an SQLite database before the
    driver creates it with the default mode); an existing one is tightened to 0600."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    except FileExistsError:
        tighten(path, FILE_MODE)


def write_text(path: str | os.PathLike, text: str) -> None:
    """Write a new file with mode 0600 from its first byte (no window in which it is readable)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
    tighten(path, FILE_MODE)

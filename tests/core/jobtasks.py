"""Tasks for the job-queue tests: real module-level functions the worker imports by name."""

from __future__ import annotations

import os
from pathlib import Path

from lecturehub.core.jobs import task


@task
def append_line(path: str, text: str) -> None:
    """Append one line with O_APPEND, so lines from several processes never interleave."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, f"{text}\n".encode())
    finally:
        os.close(fd)


@task
def always_fails(reason: str) -> None:
    raise RuntimeError(reason)


def not_a_task(path: str) -> None:
    Path(path).write_text("ran")


def drain_in_child(storage_dir: str) -> int:
    """Run every due job in a new process on the same database; return how many ran."""
    from lecturehub.core.jobs import run_pending
    from tests.conftest import make_app

    app = make_app(Path(storage_dir))
    with app.app_context():
        return run_pending().done

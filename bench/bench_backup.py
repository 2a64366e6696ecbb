"""Backup and restore of the demo township: how long ``lecturehub backup`` and ``restore`` take.

Loads ``lecturehub demo`` into a temporary storage directory (and, with ``--postgres URL``, a
throw-away PostgreSQL database), then times, each as the command a user runs (a subprocess):

- the baseline: copying the same bytes with ``shutil`` (the database file and ``files/``;
  on PostgreSQL, ``pg_dump -Fc`` alone);
- ``lecturehub backup FILE`` (snapshot + every stored file, hashed into the manifest);
- ``lecturehub restore FILE`` into an empty storage directory (and empty database), which
  includes rebuilding the search index; and ``lecturehub reindex`` alone for comparison.

Run by hand::

    .venv/bin/python bench/bench_backup.py [--repeat 3] [--postgres postgresql+psycopg://postgres@127.0.0.1:5433/postgres]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parents[1]
LECTUREHUB = [sys.executable, "-m", "lecturehub.cli"]


TOOK = re.compile(r"用时 ([0-9.]+) 秒")


def run(args: list[str], env: dict) -> tuple[float, float | None]:
    """(wall seconds of the command, the seconds it reports itself — without the interpreter's
    start-up — when it does)."""
    started = time.perf_counter()
    done = subprocess.run(LECTUREHUB + args, env=env, check=True, capture_output=True, text=True)
    took = TOOK.search(done.stdout)
    return time.perf_counter() - started, float(took.group(1)) if took else None


def environment(storage: Path, database_url: str | None) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["LECTUREHUB_STORAGE_DIR"] = str(storage)
    env["LECTUREHUB_SECRET_KEY"] = "bench"
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


class Databases:
    """Throw-away PostgreSQL databases on the server of ``url`` (none on SQLite)."""

    def __init__(self, url: str | None):
        self.server = create_engine(url, isolation_level="AUTOCOMMIT") if url else None
        self.names: list[str] = []

    def new(self) -> str | None:
        if self.server is None:
            return None
        name = f"lh_bench_{uuid.uuid4().hex[:10]}"
        with self.server.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        self.names.append(name)
        return make_url(str(self.server.url)).set(database=name).render_as_string(False)

    def drop_all(self) -> None:
        if self.server is None:
            return
        with self.server.connect() as conn:
            for name in self.names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.server.dispose()


def baseline(storage: Path, into: Path, database_url: str | None) -> float:
    """Copying the same bytes without checks: the floor a backup cannot beat."""
    started = time.perf_counter()
    shutil.copytree(storage / "files", into / "files", ignore=shutil.ignore_patterns("tmp"))
    if database_url:
        url = make_url(database_url).set(drivername="postgresql")
        pg_dump = (
            shutil.which("pg_dump") or sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_dump"))[-1]
        )
        subprocess.run(
            [
                str(pg_dump),
                "-Fc",
                f"--file={into / 'db.dump'}",
                f"--dbname={url.render_as_string(False)}",
            ],
            check=True,
        )
    else:
        shutil.copy2(storage / "lecturehub.sqlite", into / "lecturehub.sqlite")
    return time.perf_counter() - started


def describe(storage: Path, database_url: str | None) -> None:
    root = storage / "files"
    files = [p for p in root.rglob("*") if p.is_file() and p.relative_to(root).parts[0] != "tmp"]
    size = sum(p.stat().st_size for p in files) / 1e6
    database = (
        ""
        if database_url
        else f", database {(storage / 'lecturehub.sqlite').stat().st_size / 1e6:.1f} MB"
    )
    print(f"  {len(files)} stored files, {size:.1f} MB{database}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="one repeat")
    parser.add_argument("--postgres", help="a PostgreSQL server URL: use it instead of SQLite")
    args = parser.parse_args()
    repeat = 1 if args.quick else args.repeat
    databases = Databases(args.postgres)
    work = Path(tempfile.mkdtemp(prefix="lh-bench-backup-"))
    try:
        source_url = databases.new()
        source = work / "source"
        env = environment(source, source_url)
        print(f"the demo township on {'PostgreSQL' if source_url else 'SQLite'}")
        print(f"  lecturehub demo: {run(['demo'], env)[0]:.1f} s")
        describe(source, source_url)
        figures: dict[str, list[float]] = {}
        for n in range(repeat):
            archive, target = work / f"backup{n}.tar", work / f"target{n}"
            target_env = environment(target, databases.new())
            (work / f"copy{n}").mkdir()
            measured = {
                "command start-up (jobs list)": run(["jobs", "list"], env),
                "baseline: copy the bytes": (baseline(source, work / f"copy{n}", source_url), None),
                "lecturehub backup": run(["backup", str(archive)], env),
                "lecturehub restore (+ index)": run(["restore", str(archive)], target_env),
                "lecturehub reindex alone": run(["reindex"], target_env),
            }
            for label, (wall, inside) in measured.items():
                figures.setdefault(f"{label}, wall", []).append(wall)
                if inside is not None:
                    figures.setdefault(f"{label}, in-command", []).append(inside)
        print(f"  archive: {archive.stat().st_size / 1e6:.1f} MB")
        for label, values in figures.items():
            runs = ", ".join(f"{v:.2f}" for v in values)
            print(f"  {label:44s} median {statistics.median(values):6.2f} s  ({runs})")
    finally:
        databases.drop_all()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

"""A restore refuses, in Chinese with exit status 2 and without changing anything: a target
that is not empty, a damaged archive, one from a newer schema or another database, a member
that would land outside the storage; a backup refuses to overwrite or to write into files/."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from lecturehub import setup_data
from lecturehub.extensions import db
from tests.backup.test_backup import run


def state(app) -> tuple:
    """Everything a restore could change: the storage's files (the database's own files
    aside: their sizes move with SQLite's checkpoints) and the database's tables and rows."""
    storage = Path(app.config["STORAGE_DIR"])
    files = sorted(
        (p.relative_to(storage).as_posix(), p.read_bytes())
        for p in storage.rglob("*")
        if p.is_file() and not p.name.startswith("lecturehub.sqlite")
    )
    with app.app_context():
        url = db.engine.url
        exists = url.get_backend_name() != "sqlite" or Path(url.database).exists()
        tables = []
        if exists:
            with db.engine.connect() as conn:
                for name in sorted(inspect(conn).get_table_names()):
                    tables.append((name, conn.scalar(text(f'SELECT count(*) FROM "{name}"'))))
        db.engine.dispose()
    return files, tables


@pytest.fixture
def archive(source, township, tmp_path) -> Path:
    path = tmp_path / "backup.tar"
    result = run(source, "backup", path)
    assert result.exit_code == 0, result.output
    return path


def rewrite(archive: Path, out: Path, manifest=None, member=None, extra=(), rename=None) -> Path:
    """A copy of ``archive`` with its manifest (a dict) or one stored file's bytes changed by
    the given functions, members renamed, and ``extra`` (TarInfo, bytes) members added before
    the manifest."""
    with tarfile.open(archive) as source, tarfile.open(out, "w") as copy:
        for info in source.getmembers():
            data = source.extractfile(info).read()
            info.name = (rename or {}).get(info.name, info.name)
            if info.name == "manifest.json":
                for extra_info, extra_data in extra:
                    copy.addfile(extra_info, io.BytesIO(extra_data))
                if manifest:
                    body = json.loads(data)
                    manifest(body)
                    data = json.dumps(body).encode()
            elif member and info.name.startswith("files/"):
                data, member = member(data), None
            info.size = len(data)
            copy.addfile(info, io.BytesIO(data))
    return out


def refused(target, archive: Path) -> str:
    before = state(target)
    result = run(target, "restore", archive)
    assert result.exit_code == 2, result.output
    assert state(target) == before  # nothing changed
    assert not list(Path(target.config["STORAGE_DIR"]).glob(".restore-*"))
    return result.output.strip().splitlines()[-1]  # after the progress bar's label


def test_a_target_with_tables_is_refused(archive, target):
    with target.app_context():
        setup_data.upgrade_database()
    assert refused(target, archive) == (
        "恢复目标不是空的：数据库中已有数据表。请换一个空数据库（和空的存储目录）再恢复。"
    )


def test_a_target_with_stored_files_is_refused(archive, target):
    stray = Path(target.config["FILES_DIR"]) / "ab" / "cd" / ("ab" + "0" * 62)
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"an earlier upload")
    message = refused(target, archive)
    assert message == (
        f"恢复目标不是空的：{target.config['FILES_DIR']} 中已有文件。请换一个空的存储目录再恢复。"
    )


def test_a_damaged_archive_is_refused_by_its_sha256(archive, target, tmp_path):
    damaged = rewrite(archive, tmp_path / "damaged.tar", member=lambda d: d[:-1] + b"?")
    message = refused(target, damaged)
    assert message.startswith("备份已损坏：「files/")
    assert message.endswith("」的 SHA-256 与清单不符，已停止恢复。")


def test_a_truncated_archive_is_refused(archive, target, tmp_path):
    cut = tmp_path / "cut.tar"
    cut.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    assert refused(target, cut).startswith("无法读取备份文件")


def test_a_file_that_is_no_archive_is_refused(target, tmp_path):
    other = tmp_path / "notes.tar"
    other.write_text("不是备份")
    assert refused(target, other) == "这不是 LectureHub 的备份文件（不是 tar 归档，或文件已损坏）。"


def test_an_archive_from_a_newer_schema_is_refused(archive, target, tmp_path):
    def newer(body):
        body["schema"] = "9999_from_the_future"

    newer_archive = rewrite(archive, tmp_path / "newer.tar", manifest=newer)
    assert refused(target, newer_archive) == (
        "这个备份来自更新版本的 LectureHub（数据库结构版本 9999_from_the_future，"
        "当前程序不认识）：请先升级 LectureHub 再恢复。"
    )


def test_an_archive_of_the_other_database_is_refused(archive, target, tmp_path):
    names = {"sqlite": "database.sqlite", "postgresql": "database.pgdump"}
    labels = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    with tarfile.open(archive) as tar:
        ours = json.loads(tar.extractfile("manifest.json").read())["database"]
    other = "postgresql" if ours == "sqlite" else "sqlite"

    def swap(body):
        body["database"] = other
        body["members"][names[other]] = body["members"].pop(names[ours])

    swapped = rewrite(archive, tmp_path / "other.tar", swap, rename={names[ours]: names[other]})
    assert refused(target, swapped) == (
        f"这个备份的数据库是 {labels[other]}，当前配置的是 {labels[ours]}："
        "请让 DATABASE_URL 指向同一种数据库（空的）再恢复。"
    )


@pytest.mark.parametrize(
    "name", ["../evil.txt", "/etc/evil.txt", "files/../../evil.txt", "files/tmp/x.part", "x.txt"]
)
def test_a_member_outside_the_storage_is_refused(archive, target, tmp_path, name):
    info = tarfile.TarInfo(name)
    info.size = 4
    crafted = rewrite(archive, tmp_path / "crafted.tar", extra=[(info, b"evil")])
    assert refused(target, crafted) == f"备份中有不安全或无法识别的路径「{name}」，已拒绝恢复。"
    assert not (tmp_path / "evil.txt").exists()


def test_a_link_member_is_refused(archive, target, tmp_path):
    info = tarfile.TarInfo("files/aa/bb/link")
    info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
    crafted = rewrite(archive, tmp_path / "link.tar", extra=[(info, b"")])
    assert refused(target, crafted) == (
        "备份中的「files/aa/bb/link」不是普通文件（链接或设备），已拒绝恢复。"
    )


def test_backup_refuses_to_overwrite_unless_asked(source, tmp_path):
    existing = tmp_path / "old.tar"
    existing.write_bytes(b"yesterday's backup")
    result = run(source, "backup", existing)
    assert (result.exit_code, result.output.strip()) == (
        2,
        f"备份文件 {existing} 已存在：请换一个文件名，或加 --overwrite 覆盖。",
    )
    assert existing.read_bytes() == b"yesterday's backup"
    assert run(source, "backup", existing, "--overwrite").exit_code == 0
    assert tarfile.is_tarfile(existing)


def test_backup_refuses_to_write_into_the_stored_files(source):
    inside = Path(source.config["FILES_DIR"]) / "backup.tar"
    result = run(source, "backup", inside)
    assert (result.exit_code, result.output.strip()) == (
        2,
        "备份文件不能放在 storage/files 目录里，请换一个位置。",
    )
    assert not inside.exists()

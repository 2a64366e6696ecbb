"""Finding pg_dump and pg_restore where Debian keeps them (off PATH), or where told."""

from __future__ import annotations

import glob

import pytest

from lecturehub.backup import database
from lecturehub.backup.archive import BackupError


def test_pg_dump_is_found_off_path_in_the_newest_postgresql(monkeypatch, tmp_path):
    installed = glob.glob("/usr/lib/postgresql/*/bin/pg_dump")
    if not installed:
        pytest.skip("no PostgreSQL under /usr/lib/postgresql")
    newest = max(installed, key=lambda path: int(path.split("/")[4].split(".")[0]))
    monkeypatch.setenv("PATH", str(tmp_path))
    assert database.pg_tool("pg_dump") == newest


def test_pg_bin_dir_names_the_tools_and_a_wrong_one_is_refused(tmp_path):
    tool = tmp_path / "pg_restore"
    tool.write_text("#!/bin/sh\n")
    assert database.pg_tool("pg_restore", str(tmp_path)) == str(tool)
    with pytest.raises(BackupError) as info:
        database.pg_tool("pg_dump", str(tmp_path))
    assert info.value.message == f"PG_BIN_DIR 指定的目录中没有 pg_dump：{tmp_path}"

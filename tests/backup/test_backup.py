"""``lecturehub backup FILE`` and ``lecturehub restore FILE``: the same township comes back —
every table row, every stored file byte for byte, the secret key (signed-in sessions go on),
a rebuilt search index — also from a backup taken while the app kept writing."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import tarfile
import threading
from pathlib import Path

import pytest
from sqlalchemy import select

from lecturehub import setup_data
from lecturehub.auth.models import User
from lecturehub.core.storage import get_store
from lecturehub.courseware.models import Courseware
from lecturehub.extensions import db
from lecturehub.schedule import services as schedule_services
from lecturehub.schedule.models import Lecture
from lecturehub.search import maintenance
from lecturehub.search import services as search_services
from tests.backup.conftest import migrated_app
from tests.conftest import csrf_token
from tests.factories import PASSWORD, make_user
from tests.factories.search import deck, talk_with_deck, upload_deck
from tests.search.engines import ENGINES


def tables() -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order."""
    dump = {}
    for table in db.metadata.sorted_tables:
        query = select(table).order_by(*table.primary_key.columns)
        dump[table.name] = [tuple(row) for row in db.session.execute(query)]
    return dump


def stored_files(app) -> dict[str, bytes]:
    root = Path(app.config["FILES_DIR"])
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and path.relative_to(root).parts[0] != "tmp"
    }


def hits(query: str) -> list[tuple]:
    found = search_services.search(query, per_page=50).hits
    return [(h.lecture_id, h.courseware_id, h.slide, h.snippet) for h in found]


def run(app, *args):
    """A command of ``app`` (its context pushed: Flask's CLI reuses whichever is current)."""
    with app.app_context():
        return app.test_cli_runner().invoke(args=[str(a) for a in args])


def test_restore_brings_back_the_same_township(source, township, target, target_url, tmp_path):
    client = source.test_client()
    client.post(
        "/login",
        data={"login": "boss", "password": PASSWORD, "csrf_token": csrf_token(client)},
    )
    archive = tmp_path / "backup.tar"
    result = run(source, "backup", archive)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1].startswith(f"已写入备份 {archive}：数据库（")
    before, files = tables(), stored_files(source)
    searches = {q: hits(q) for q in ("乡村振兴", "防汛")}
    key = (Path(source.config["STORAGE_DIR"]) / "secret_key").read_bytes()
    assert oct(archive.stat().st_mode & 0o777) == "0o600"

    result = run(target, "restore", archive)
    assert result.exit_code == 0, result.output
    assert "重建搜索索引 4 页幻灯片" in result.output.splitlines()[-1]
    with target.app_context():
        assert tables() == before
        assert stored_files(target) == files and len(files) == 3
        assert {q: hits(q) for q in searches} == searches and searches["防汛"] != []
        assert maintenance.check().found == []
    assert (Path(target.config["STORAGE_DIR"]) / "secret_key").read_bytes() == key
    restored = [Path(target.config["FILES_DIR"], name) for name in files]
    if target_url is None:
        restored.append(Path(target.config["STORAGE_DIR"]) / "lecturehub.sqlite")
    assert {oct(path.stat().st_mode & 0o777) for path in restored} == {"0o600"}
    served = migrated_app(target.config["STORAGE_DIR"], target_url)  # the server started anew
    again = served.test_client()
    again.set_cookie("session", client.get_cookie("session").value)
    me = again.get("/api/v1/me")
    assert (me.status_code, me.get_json()["login"]) == (200, "boss")
    with served.app_context():
        db.engine.dispose()


def test_a_backup_taken_while_the_app_writes_restores_consistently(
    source, township, target, tmp_path
):
    admin_id, talk_id = township.admin.id, township.held.id
    blob = tmp_path / "blob"
    blob.write_bytes(os.urandom(24 * 1024 * 1024))
    with blob.open("rb") as fh:
        get_store().save(fh)  # a stored file big enough for the backup to take a while
    started, stop, errors = threading.Event(), threading.Event(), []

    def write():
        with source.app_context():
            try:
                talk, admin = db.session.get(Lecture, talk_id), db.session.get(User, admin_id)
                series, day = schedule_services.lecture_series(), talk.session.date
                for n in itertools.count():  # uploads and sessions until the backup is done
                    upload_deck(talk, deck(tmp_path, [f"备份期间上传的第{n}份课件"]), admin)
                    at = dt.time(6 + n // 60 % 12, n % 60)
                    spec = schedule_services.ExtraSession(
                        series, day, at, f"加场{n}", backfill=True
                    )
                    schedule_services.add_extra_session(spec)
                    started.set()
                    if stop.is_set():
                        break
            except Exception as exc:  # reported below, in the test's thread
                errors.append(exc)
                started.set()
            finally:
                db.session.remove()

    def versions() -> int:
        db.session.expire_all()
        return len(db.session.scalars(select(Courseware.id)).all())

    writer = threading.Thread(target=write)
    writer.start()
    assert started.wait(60)
    first = versions()
    result = run(source, "backup", tmp_path / "busy.tar")
    last = versions()
    stop.set()
    writer.join(60)
    assert (errors, result.exit_code) == ([], 0), result.output
    assert first < last  # the app kept writing during the backup

    result = run(target, "restore", tmp_path / "busy.tar")
    assert result.exit_code == 0, result.output
    with target.app_context():
        assert first <= versions() <= last
        assert maintenance.check().found == []  # every version's file is there and intact


def test_the_archive_lists_every_member_with_its_sha256(source, township, tmp_path):
    archive = tmp_path / "backup.tar"
    assert run(source, "backup", archive).exit_code == 0
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert names[-1] == "manifest.json"
    assert sorted(names[:-1]) == sorted(
        ["database.sqlite" if db.engine.url.get_backend_name() == "sqlite" else "database.pgdump"]
        + ["storage/secret_key"]
        + [f"files/{name}" for name in stored_files(source)]
    )


@pytest.mark.parametrize("engine", ENGINES)
def test_restore_rebuilds_the_index_of_every_engine(engine, tmp_path, target_url):
    source = migrated_app(tmp_path / "source", SEARCH_ENGINE=engine)
    with source.app_context():
        setup_data.upgrade_database()
        setup_data.ensure_reference_data()
        admin = make_user("boss", roles=["admin"])
        talk_with_deck(tmp_path, admin, ["防汛演练", "防汛物资"], title="防汛工作")
        found = hits("防汛")
        assert run(source, "backup", tmp_path / "backup.tar").exit_code == 0
        db.session.remove()
        db.engine.dispose()
    target = migrated_app(tmp_path / "target", target_url, SEARCH_ENGINE=engine)
    result = run(target, "restore", tmp_path / "backup.tar")
    assert result.exit_code == 0, result.output
    with target.app_context():
        assert hits("防汛") == found and len(found) == 2
        db.engine.dispose()

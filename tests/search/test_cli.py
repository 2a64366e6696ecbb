"""``lecturehub reindex`` and ``lecturehub check [--repair]`` through the CLI runner."""

from __future__ import annotations

import os
import time
from pathlib import Path

from lecturehub.auth import services as auth_services
from lecturehub.core.storage import get_store
from lecturehub.courseware import services as courseware_services
from lecturehub.search import services
from tests.factories.search import talk_with_deck
from tests.search.engines import ENGINES, corrupt, index_dir

ALL_WELL = "检查完毕：搜索索引与数据库一致，课件文件完好。\n"


def listing(q: str) -> list[tuple]:
    result = services.search(q, per_page=100)
    return [
        (h.lecture_id, h.courseware_id, h.slide, h.snippet, h.lecture_title) for h in result.hits
    ]


def test_reindex_rebuilds_the_same_results(runner, two_talks):
    before = {q: listing(q) for q in ("防汛", "乡村振兴", "低保 OR 防汛")}
    result = runner.invoke(args=["reindex"])
    assert result.exit_code == 0, result.output
    assert "已重建搜索索引：2 场讲学，5 页幻灯片" in result.output
    assert {q: listing(q) for q in before} == before


def test_check_passes_when_index_and_files_are_in_step(runner, two_talks):
    result = runner.invoke(args=["check"])
    assert (result.exit_code, result.output) == (0, ALL_WELL)


def test_check_reports_a_missing_deck_and_a_tampered_file(runner, two_talks):
    a, b = two_talks
    services.get_index().remove_deck(a.id)
    row = courseware_services.current_version(b)
    get_store().path(row.sha256).write_bytes(b"tampered")
    result = runner.invoke(args=["check"])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"[问题] 讲学 #{a.id}「乡村振兴」：当前课件（#{courseware_services.current_version(a).id}）不在索引中",
        f"[问题] 讲学 #{b.id}「防汛工作」 第 1 版课件文件缺失或已损坏（SHA-256 不符）：无法自动修复，请重新上传或从备份恢复",
        "检查完毕：仍有 2 个问题；可运行 lecturehub check --repair 修复索引。",
    ]


def test_repair_fixes_the_index_but_not_a_damaged_file(runner, two_talks):
    a, b = two_talks
    services.get_index().remove_deck(a.id)
    get_store().path(courseware_services.current_version(b).sha256).write_bytes(b"tampered")
    result = runner.invoke(args=["check", "--repair"])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"[已修复] 讲学 #{a.id}「乡村振兴」：当前课件（#{courseware_services.current_version(a).id}）不在索引中",
        f"[问题] 讲学 #{b.id}「防汛工作」 第 1 版课件文件缺失或已损坏（SHA-256 不符）：无法自动修复，请重新上传或从备份恢复",
        "检查完毕：仍有 1 个问题。",
    ]
    assert [hit[0] for hit in listing("乡村振兴")] == [a.id]


def test_check_finds_a_renamed_speaker_and_repair_refreshes_the_talk(runner, admin, two_talks):
    auth_services.update_user(admin, auth_services.UserDetails("孔锐锐", ["admin"]))
    result = runner.invoke(args=["check"])
    assert (result.exit_code, result.output.splitlines()) == (
        1,
        [
            f"[问题] 讲学 #{two_talks[0].id}「乡村振兴」：索引中的讲课人已过时",
            "检查完毕：仍有 1 个问题；可运行 lecturehub check --repair 修复索引。",
        ],
    )
    repaired = runner.invoke(args=["check", "--repair"])
    assert (repaired.exit_code, repaired.output) == (
        0,
        f"[已修复] 讲学 #{two_talks[0].id}「乡村振兴」：索引中的讲课人已过时\n" + ALL_WELL,
    )
    assert services.search("乡村振兴").hits[0].speaker == "孔锐锐"
    assert runner.invoke(args=["check"]).output == ALL_WELL


def test_repair_removes_the_slides_of_a_talk_without_courseware(db, runner, two_talks):
    a, _ = two_talks
    db.session.delete(courseware_services.current_version(a))  # behind the services' back:
    db.session.commit()  # nothing tells the index
    result = runner.invoke(args=["check", "--repair"])
    assert (result.exit_code, result.output) == (
        0,
        f"[已修复] 讲学 #{a.id}「乡村振兴」：已没有课件，索引中仍有其幻灯片\n" + ALL_WELL,
    )
    assert listing("乡村振兴") == []


def test_repair_rebuilds_a_corrupt_index(app, runner, two_talks):
    a, b = two_talks
    corrupt(services.get_index(), index_dir(app))
    services.close_index()
    result = runner.invoke(args=["check", "--repair"])
    first, rest = result.output.split("\n", 1)
    assert (result.exit_code, first.startswith("[已修复] 搜索索引已损坏（"), rest) == (
        0,
        True,
        ALL_WELL,
    )
    assert [(hit[0], hit[2]) for hit in listing("防汛")] == [(b.id, 1), (b.id, 2), (a.id, 2)]


def other_engine(app) -> str:
    """An engine present in this run other than the app's (tantivy is in the test extra)."""
    return next(e for e in ENGINES if e != app.config["SEARCH_ENGINE"])


def test_reindex_with_engine_builds_another_engines_index_beside_the_live_one(
    app, runner, two_talks
):
    other = other_engine(app)
    live = listing("防汛")
    result = runner.invoke(args=["reindex", "--engine", other])
    assert result.exit_code == 0, result.output
    assert "已重建搜索索引：2 场讲学，5 页幻灯片" in result.output
    assert result.output.splitlines()[-1] == (
        f"搜索引擎 {other} 的索引已建好（当前使用的仍是 {app.config['SEARCH_ENGINE']}）："
        f"可运行 lecturehub check --engine {other} 核对，"
        f"再设置 LECTUREHUB_SEARCH_ENGINE={other} 并重启。"
    )
    assert runner.invoke(args=["check", "--engine", other]).output == ALL_WELL
    assert listing("防汛") == live  # the live engine still answers
    built = services.open_index(other)
    try:
        assert [(h.lecture_id, h.slide) for h in built.search("防汛", sort="date").hits] == [
            (two_talks[1].id, 1),
            (two_talks[1].id, 2),
            (two_talks[0].id, 2),
        ]
    finally:
        built.close()


def test_check_with_engine_finds_what_changed_since_its_reindex(
    app, runner, admin, two_talks, tmp_path
):
    other = other_engine(app)
    runner.invoke(args=["reindex", "--engine", other])
    talk = talk_with_deck(tmp_path, admin, ["新讲低保"], title="新讲学")
    result = runner.invoke(args=["check", "--engine", other])
    current = courseware_services.current_version(talk).id
    assert (result.exit_code, result.output.splitlines()) == (
        1,
        [
            f"[问题] 讲学 #{talk.id}「新讲学」：当前课件（#{current}）不在索引中",
            f"检查完毕：仍有 1 个问题；可运行 lecturehub check --repair --engine {other} 修复索引。",
        ],
    )
    repaired = runner.invoke(args=["check", "--repair", "--engine", other])
    assert (repaired.exit_code, repaired.output.splitlines()[-1]) == (0, ALL_WELL.strip())


def test_an_engine_that_cannot_run_here_is_refused_in_chinese(app, runner):
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        return  # every engine runs on PostgreSQL (tantivy is in the test extra)
    result = runner.invoke(args=["reindex", "--engine", "postgres"])
    assert (result.exit_code, result.output) == (
        2,
        "搜索引擎 postgres 需要 PostgreSQL 数据库：请把 DATABASE_URL 设为 postgresql+psycopg://…。\n",
    )


def leftover(name: str, minutes_ago: float, size: int = 16) -> Path:
    """A temp file of an upload, last written ``minutes_ago`` minutes ago."""
    tmp = get_store().tmp_dir
    tmp.mkdir(parents=True, exist_ok=True)
    path = tmp / name
    path.write_bytes(b"x" * size)
    when = time.time() - minutes_ago * 60
    os.utime(path, (when, when))
    return path


def test_check_reports_temp_files_left_by_interrupted_uploads(runner, two_talks):
    old = leftover("tmpold.part", 125, 3 * 1024 * 1024)
    fresh = leftover("tmpfresh.part", 1)  # an upload being written now
    result = runner.invoke(args=["check"])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "[问题] 上传中断留下的临时文件 tmp/tmpold.part（3.0 MB，2 小时 5 分前）",
        "检查完毕：仍有 1 个问题；可运行 lecturehub check --repair 清理临时文件、修复索引。",
    ]
    assert (old.exists(), fresh.exists()) == (True, True)


def test_repair_removes_stale_temp_files_but_never_one_being_written(runner, two_talks):
    old = leftover("tmpold.part", 61)
    fresh = leftover("tmpfresh.part", 59)
    result = runner.invoke(args=["check", "--repair"])
    assert (result.exit_code, result.output.splitlines()) == (
        0,
        [
            "[已修复] 上传中断留下的临时文件 tmp/tmpold.part（0.0 MB，1 小时 1 分前）",
            ALL_WELL.strip(),
        ],
    )
    assert (old.exists(), fresh.exists()) == (False, True)

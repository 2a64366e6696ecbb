"""``lecturehub reindex`` and ``lecturehub check [--repair]`` through the CLI runner."""

from __future__ import annotations

from pathlib import Path

from lecturehub.auth import services as auth_services
from lecturehub.core.storage import get_store
from lecturehub.courseware import services as courseware_services
from lecturehub.search import services

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
    services.close_index()
    (Path(app.config["INDEX_DIR"]) / "CURRENT").write_bytes(b"garbage")
    result = runner.invoke(args=["check", "--repair"])
    assert (result.exit_code, result.output) == (
        0,
        "[已修复] 搜索索引已损坏（CURRENT is garbage: ['garbage']）\n" + ALL_WELL,
    )
    assert [(hit[0], hit[2]) for hit in listing("防汛")] == [(b.id, 1), (b.id, 2), (a.id, 2)]

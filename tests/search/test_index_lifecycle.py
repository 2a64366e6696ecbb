"""Index lifecycle on disk: create, rebuild and swap, check() on missing and corrupt indexes."""

from __future__ import annotations

import pytest
from whoosh.util.filelock import FileLock

from lecturehub.search.index import IndexBusyError, IndexUnavailableError, SlideIndex
from tests.search import make_deck

DECKS = [
    make_deck(1, ["全面推进乡村振兴", "防汛抗旱"]),
    make_deck(2, ["城乡低保", "乡村振兴示范村"]),
]


def all_docs():
    return [slide for deck in DECKS for slide in deck]


def hits(index, query):
    return [(h.lecture_id, h.slide, h.snippet) for h in index.search(query, sort="date").hits]


def generation(directory):
    return directory / (directory / "CURRENT").read_text().split()[0]


def test_missing_index_is_created_empty(tmp_path):
    status = SlideIndex(tmp_path / "index").check()
    assert (status.state, status.decks, status.doc_count) == ("ok", {}, 0)


def test_check_reports_missing_when_the_pointer_is_gone(tmp_path):
    index = SlideIndex(tmp_path / "index")
    (tmp_path / "index" / "CURRENT").unlink()
    assert index.check().state == "missing"


def test_rebuild_gives_the_same_results_and_drops_the_old_generation(tmp_path):
    index = SlideIndex(tmp_path / "index")
    for deck in DECKS:
        index.add_deck(deck)
    before, old = hits(index, "乡村振兴"), generation(tmp_path / "index")
    counts = []
    assert index.rebuild(all_docs(), progress=counts.append) == 4
    assert (hits(index, "乡村振兴"), counts[-1]) == (before, 4)
    assert generation(tmp_path / "index") != old and not old.exists()
    assert index.check().decks == {1: 10, 2: 20}


def test_parallel_rebuild_indexes_every_slide(tmp_path):
    index = SlideIndex(tmp_path / "index")
    docs = [s for n in range(1, 31) for s in make_deck(n, [f"第{n}讲防汛", "低保"])]
    assert index.rebuild(docs, procs=2) == 60
    assert (index.search("防汛").total, len(index.indexed_decks())) == (30, 30)


def test_other_instances_see_the_rebuilt_generation_and_write_into_it(tmp_path):
    reader, builder = SlideIndex(tmp_path / "index"), SlideIndex(tmp_path / "index")
    reader.add_deck(DECKS[0])
    assert hits(reader, "防汛") == [(1, 2, "<mark>防汛</mark>抗旱")]
    builder.rebuild(DECKS[1])
    assert (hits(reader, "防汛"), len(hits(reader, "低保"))) == ([], 1)
    reader.add_deck(make_deck(3, ["高标准农田"]))
    assert builder.indexed_decks() == {2: 20, 3: 30}


def test_a_reader_sees_replaced_and_removed_slides_of_another_instance(tmp_path):
    reader, writer = SlideIndex(tmp_path / "index"), SlideIndex(tmp_path / "index")
    writer.add_deck(make_deck(1, ["低保"] * 3))
    writer.add_deck(make_deck(2, ["低保"]))
    assert reader.search("低保").total == 4
    writer.add_deck(make_deck(1, ["医保"]))  # deletes from an existing segment
    assert [h.lecture_id for h in reader.search("低保").hits] == [2]
    writer.remove_deck(2)
    assert (reader.search("低保").hits, reader.search("医保").total) == ([], 1)


def test_a_truncated_segment_is_reported_corrupt_and_rebuild_fixes_it(tmp_path):
    index = SlideIndex(tmp_path / "index")
    index.rebuild(all_docs())
    (segment,) = generation(tmp_path / "index").glob("*.seg")
    segment.write_bytes(segment.read_bytes()[: segment.stat().st_size // 2])
    fresh = SlideIndex(tmp_path / "index")
    assert fresh.check().state == "corrupt"
    with pytest.raises(IndexUnavailableError):
        fresh.search("乡村振兴")
    index.rebuild(all_docs())
    assert (index.check().state, len(hits(index, "乡村振兴"))) == ("ok", 2)


@pytest.mark.parametrize("name", ["CURRENT", "_MAIN_1.toc"])
def test_a_garbage_pointer_or_toc_is_reported_corrupt(tmp_path, name):
    index = SlideIndex(tmp_path / "index")
    index.rebuild(all_docs())
    target = tmp_path / "index" / name
    if not target.exists():
        (target,) = generation(tmp_path / "index").glob("_MAIN_*.toc")
    target.write_bytes(b"\x00garbage\xff" * 10)
    assert index.check().state == "corrupt"


def test_a_held_write_lock_makes_add_deck_fail_with_busy_after_the_timeout(tmp_path):
    index = SlideIndex(tmp_path / "index", writer_timeout=0.3)
    lock = FileLock(str(generation(tmp_path / "index") / "MAIN_WRITELOCK"))
    assert lock.acquire()
    try:
        with pytest.raises(IndexBusyError):
            index.add_deck(DECKS[0])
    finally:
        lock.release()
    index.add_deck(DECKS[0])
    assert index.indexed_decks() == {1: 10}

"""Index lifecycle on every engine: create, rebuild and swap, other instances (processes) in
step, check() on missing and corrupt indexes, a busy index, a rebuild while writing."""

from __future__ import annotations

import threading

import pytest

from lecturehub.search.index import IndexBusyError, IndexUnavailableError, postgres_sql
from tests.search import make_deck
from tests.search.engines import corrupt, delete, only

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


def test_missing_index_is_created_empty(new_index):
    status = new_index().check()
    assert (status.state, status.decks, status.doc_count) == ("ok", {}, 0)


def test_check_reports_missing_when_the_index_is_gone(new_index, tmp_path):
    index = new_index()
    delete(index, tmp_path / "index")
    assert index.check().state == "missing"


def test_rebuild_gives_the_same_results(new_index):
    index = new_index()
    for deck in DECKS:
        index.add_deck(deck)
    before = hits(index, "乡村振兴")
    counts = []
    assert index.rebuild(all_docs(), progress=counts.append) == 4
    assert (hits(index, "乡村振兴"), counts[-1]) == (before, 4)
    assert index.check().decks == {1: 10, 2: 20}


@only("whoosh", "tantivy")
def test_a_rebuild_drops_the_old_generation(new_index, tmp_path):
    index = new_index()
    index.add_deck(DECKS[0])
    old = generation(tmp_path / "index")
    index.rebuild(all_docs())
    assert generation(tmp_path / "index") != old and not old.exists()


def test_parallel_rebuild_indexes_every_slide(new_index):
    index = new_index()
    docs = [s for n in range(1, 31) for s in make_deck(n, [f"第{n}讲防汛", "低保"])]
    assert index.rebuild(docs, procs=2) == 60
    assert (index.search("防汛").total, len(index.indexed_decks())) == (30, 30)


def test_other_instances_see_the_rebuilt_index_and_write_into_it(new_index):
    reader, builder = new_index(), new_index()
    reader.add_deck(DECKS[0])
    assert hits(reader, "防汛") == [(1, 2, "<mark>防汛</mark>抗旱")]
    builder.rebuild(DECKS[1])
    assert (hits(reader, "防汛"), len(hits(reader, "低保"))) == ([], 1)
    reader.add_deck(make_deck(3, ["高标准农田"]))
    assert builder.indexed_decks() == {2: 20, 3: 30}


def test_a_reader_sees_replaced_and_removed_slides_of_another_instance(new_index):
    reader, writer = new_index(), new_index()
    writer.add_deck(make_deck(1, ["低保"] * 3))
    writer.add_deck(make_deck(2, ["低保"]))
    assert reader.search("低保").total == 4
    writer.add_deck(make_deck(1, ["医保"]))  # deletes from an existing segment
    assert [h.lecture_id for h in reader.search("低保").hits] == [2]
    writer.remove_deck(2)
    assert (reader.search("低保").hits, reader.search("医保").total) == ([], 1)


def test_a_corrupt_index_is_reported_and_rebuild_fixes_it(new_index, tmp_path):
    index = new_index()
    index.rebuild(all_docs())
    corrupt(index, tmp_path / "index")
    fresh = new_index()
    assert fresh.check().state == "corrupt"
    with pytest.raises(IndexUnavailableError):
        fresh.search("乡村振兴")
    index.rebuild(all_docs())
    assert (index.check().state, len(hits(index, "乡村振兴"))) == ("ok", 2)


@only("whoosh")
def test_a_truncated_whoosh_segment_is_reported_corrupt(new_index, tmp_path):
    index = new_index()
    index.rebuild(all_docs())
    (segment,) = generation(tmp_path / "index").glob("*.seg")
    segment.write_bytes(segment.read_bytes()[: segment.stat().st_size // 2])
    assert new_index().check().state == "corrupt"


@only("whoosh", "tantivy")
@pytest.mark.parametrize("name", ["CURRENT", "meta"])
def test_a_garbage_pointer_or_table_of_contents_is_reported_corrupt(new_index, tmp_path, name):
    index = new_index()
    index.rebuild(all_docs())
    target = tmp_path / "index" / name
    if name == "meta":  # whoosh's TOC, tantivy's meta.json
        (target,) = [
            p
            for p in generation(tmp_path / "index").iterdir()
            if p.name.endswith((".toc", "meta.json"))
        ]
    target.write_bytes(b"\x00garbage\xff" * 10)
    index.close()
    assert index.check().state == "corrupt"


def test_a_held_write_lock_makes_add_deck_fail_with_busy_after_the_timeout(new_index):
    index, other = new_index(writer_timeout=0.3), new_index(writer_timeout=0.3)
    release, holding = threading.Event(), threading.Event()

    def hold_the_lock():
        def slow(*_):
            holding.set()
            release.wait(10)

        with _held(other, slow):
            pass

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    try:
        assert holding.wait(10)
        with pytest.raises(IndexBusyError):
            index.add_deck(DECKS[0])
    finally:
        release.set()
        holder.join()
    index.add_deck(DECKS[0])
    assert index.indexed_decks() == {1: 10}


class _held:
    """Hold another instance's write lock while `during` runs (whoosh's and tantivy's writer
    of the directory, postgres's advisory lock of the talk)."""

    def __init__(self, index, during):
        self.index, self.during = index, during

    def __enter__(self):
        engine = self.index.engine
        if engine.name == "postgres":
            with engine.bind.begin() as conn:
                conn.exec_driver_sql(
                    "SELECT pg_advisory_xact_lock(%(c)s, 1)", {"c": postgres_sql.LOCK_CLASS}
                )
                self.during()
        else:
            engine._write(lambda *args: self.during(*args) or False)
        return self

    def __exit__(self, *exc):
        return False


def test_writes_during_a_rebuild_are_kept_or_found_missing(new_index):
    """A deck written while a rebuild runs is either in the new index or reported missing by
    indexed_decks() (the app then re-adds it): never half there, never an error."""
    index, writer = new_index(), new_index()
    docs = [s for n in range(1, 41) for s in make_deck(n, [f"第{n}讲防汛", "低保"])]
    errors, written = [], []

    def write():
        try:
            for n in range(100, 110):
                writer.add_deck(make_deck(n, [f"第{n}讲河长制"]))
                written.append(n)
        except Exception as exc:
            errors.append(exc)

    thread = threading.Thread(target=write)
    thread.start()
    assert index.rebuild(docs) == 80
    thread.join()
    decks = index.indexed_decks()
    assert (errors, sorted(written)) == ([], list(range(100, 110)))
    assert {n: decks[n] for n in range(1, 41)} == {n: n * 10 for n in range(1, 41)}
    for n in written:
        assert index.search(f"第{n}讲河长制").total == (1 if n in decks else 0)

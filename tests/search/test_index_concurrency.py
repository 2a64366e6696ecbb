"""Several processes and threads writing and searching one index at once, and a writer process
killed mid-write, on every engine."""

from __future__ import annotations

import importlib
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from lecturehub.search.index import postgres_sql
from tests.search import make_deck
from tests.search.engines import open_test_index

PROCESSES, DECKS_EACH, SLIDES_EACH = 4, 25, 3


def write_decks(engine: str, directory: str, url: str, worker: int) -> int:
    """(Spawned process) add this worker's decks through its own index."""
    index = open_test_index(engine, Path(directory), url or None, writer_timeout=120)
    for n in range(DECKS_EACH):
        lecture = worker * 1000 + n
        index.add_deck(
            make_deck(lecture, [f"deck{lecture} 防汛第{i}页" for i in range(SLIDES_EACH)])
        )
    index.close()
    return DECKS_EACH


def test_four_processes_writing_25_decks_each_leave_all_100_searchable(new_index, tmp_path):
    index = new_index()
    engine, url = index.name, os.environ.get("DATABASE_URL", "")
    context = multiprocessing.get_context("spawn")
    args = ([engine] * PROCESSES, [str(tmp_path / "index")] * PROCESSES, [url] * PROCESSES)
    with ProcessPoolExecutor(PROCESSES, mp_context=context) as pool:
        written = list(pool.map(write_decks, *args, range(PROCESSES)))
    lectures = [w * 1000 + n for w in range(PROCESSES) for n in range(DECKS_EACH)]
    assert (sum(written), sorted(index.indexed_decks())) == (100, lectures)
    assert all(index.search(f"deck{lecture}").total == SLIDES_EACH for lecture in lectures)
    assert len(index.search("防汛", per_page=1000).hits) == 100 * SLIDES_EACH
    assert index.check().state == "ok"


def test_threads_search_one_instance_while_another_thread_writes(new_index):
    index = new_index()
    index.add_deck(make_deck(1, ["低保"] * 3))
    errors: list[BaseException] = []
    done = threading.Event()

    def search_until_done():
        try:
            while not done.is_set():
                assert {h.lecture_id for h in index.search("低保").hits} >= {1}
        except BaseException as exc:
            errors.append(exc)

    searchers = [threading.Thread(target=search_until_done) for _ in range(3)]
    for thread in searchers:
        thread.start()
    for lecture in range(2, 12):
        index.add_deck(make_deck(lecture, ["低保", "医保"]))
    done.set()
    for thread in searchers:
        thread.join()
    assert (errors, index.search("低保").total) == ([], 13)


def die_while_writing(engine: str, directory: str, url: str, ready: str) -> None:
    """(Spawned process) start writing a deck, say so, and wait to be killed mid-write."""
    index = open_test_index(engine, Path(directory), url or None)
    slides = make_deck(77, ["半途而废的课件"] * 5)

    def hang(*_):
        Path(ready).touch()
        time.sleep(120)

    if engine == "postgres":  # rows inserted, the transaction never committed
        bind = index.engine.bind
        with bind.begin() as conn:
            index.engine._write_transaction(conn, 77)
            sql = f"INSERT INTO {postgres_sql.TABLE} ({postgres_sql.COLUMNS})"
            conn.exec_driver_sql(
                f"{sql} VALUES ({postgres_sql.VALUES})", [postgres_sql.row(s) for s in slides]
            )
            hang()
    else:  # documents added to the engine's writer, never committed
        module = "analyzers" if engine == "whoosh" else "tantivy_query"
        document = importlib.import_module(f"lecturehub.search.index.{module}").document

        def apply(*args):
            writer = args[-1]
            for slide in slides:
                if engine == "whoosh":
                    writer.add_document(**document(slide))
                else:
                    writer.add_document(document(slide))
            hang()

        index.engine._write(apply)


def test_a_writer_killed_mid_write_leaves_the_index_usable(new_index, tmp_path):
    """The day after a crash: the lock a dead process held is free, its deck is not there, the
    index reads and writes as before."""
    index = new_index(writer_timeout=30)
    index.add_deck(make_deck(1, ["防汛预案"]))
    ready = tmp_path / "ready"
    context = multiprocessing.get_context("spawn")
    url = os.environ.get("DATABASE_URL", "")
    args = (index.name, str(tmp_path / "index"), url, str(ready))
    child = context.Process(target=die_while_writing, args=args)
    child.start()
    deadline = time.monotonic() + 60
    while not ready.exists() and time.monotonic() < deadline and child.is_alive():
        time.sleep(0.05)
    assert ready.exists()
    child.kill()
    child.join()
    index.add_deck(make_deck(2, ["防汛演练"]))
    assert (index.indexed_decks(), index.search("半途而废").total) == ({1: 10, 2: 20}, 0)
    assert (index.search("防汛").total, index.check().state) == (2, "ok")


def test_check_never_calls_the_index_corrupt_while_another_process_writes(new_index, tmp_path):
    """A writer in another process merges segments and deletes the old ones as it goes; the
    check (the server's start-up check, ``lecturehub check``) reads the index meanwhile and must
    not mistake that for corruption, which would rebuild the whole index."""
    index = new_index()
    engine, url = index.name, os.environ.get("DATABASE_URL", "")
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=context) as pool:
        writing = pool.submit(write_decks, engine, str(tmp_path / "index"), url, 7)
        states = []
        while not writing.done():
            states.append(index.check().state)
        assert writing.result() == DECKS_EACH
    assert (set(states), index.check().state) == ({"ok"}, "ok")
    assert len(index.indexed_decks()) == DECKS_EACH

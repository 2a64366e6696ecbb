"""The app's one index: created lazily, checked on first use (corrupt or missing → rebuilt from
the database, decks out of step re-added), rebuilt whole on request, recovered at search time."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from lecturehub.core.errors import ServiceError
from lecturehub.courseware import services as courseware_services
from lecturehub.extensions import db
from lecturehub.schedule.models import Lecture
from lecturehub.search import results, services
from lecturehub.search.params import SearchParams
from tests.factories.courseware import make_lecture
from tests.factories.search import deck, talk_with_deck, upload_deck
from tests.search.engines import corrupt, delete, index_dir, index_exists


def listing(q: str) -> list[tuple[int, int, str]]:
    return [(h.lecture_id, h.slide, h.snippet) for h in services.search(q).hits]


def found(q: str, **options) -> list[tuple[int, int]]:
    return [(h.lecture_id, h.slide) for h in services.search(q, sort="date", **options).hits]


def test_creating_the_app_does_not_open_the_index(app):
    assert not index_exists(app)  # opening the index creates it
    services.get_index()
    assert index_exists(app)


def test_one_index_per_app_even_when_threads_race_for_it(app):
    seen = []

    def use():
        with app.app_context():
            seen.append(services.get_index())

    threads = [threading.Thread(target=use) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(index) for index in seen}) == 1
    assert services.get_index() is seen[0]


def test_a_corrupt_index_is_rebuilt_from_the_database_at_first_use(app, two_talks):
    a, b = two_talks
    corrupt(services.get_index(), index_dir(app))
    services.close_index()  # as after a restart
    assert found("防汛") == [(b.id, 1), (b.id, 2), (a.id, 2)]
    assert services.get_index().check().ok


def test_a_deleted_index_directory_is_rebuilt_at_first_use(app, two_talks):
    a, _ = two_talks
    delete(services.get_index(), index_dir(app))
    services.close_index()
    assert found("乡村振兴") == [(a.id, 1)]


def test_a_deck_missing_from_the_index_is_added_back_at_first_use(app, admin, tmp_path):
    talks = [talk_with_deck(tmp_path, admin, [f"第{n}讲防汛"]) for n in range(3)]
    services.get_index().remove_deck(talks[1].id)
    services.close_index()
    assert sorted(lecture_id for lecture_id, _ in found("防汛")) == [t.id for t in talks]


def test_an_index_broken_while_open_is_rebuilt_when_a_search_fails(app, two_talks):
    a, _ = two_talks
    corrupt(services.get_index(), index_dir(app))
    assert found("乡村振兴") == [(a.id, 1)]


def test_rebuild_gives_the_same_hits_and_counts_every_slide(app, two_talks):
    before = listing("防汛")
    counts = []
    assert services.rebuild(progress=counts.append) == 5
    assert (listing("防汛"), counts[-1]) == (before, 5)
    assert courseware_services.current_slides_total() == 5


def test_a_malformed_query_is_a_400_service_error(app, two_talks):
    with pytest.raises(ServiceError) as error:
        services.search("(防汛")
    assert (error.value.code, error.value.status, error.value.message) == (
        "bad_query",
        400,
        "括号没有配对，请检查查询中的括号。",
    )


def test_results_are_grouped_by_talk_with_their_matching_slide_count(app, two_talks):
    a, b = two_talks
    page = results.search_talks(SearchParams(q="防汛"))
    assert [(t.lecture_id, t.count) for t in page.talks] == [(b.id, 2), (a.id, 1)]
    assert (page.total, page.talk_count, page.pages, page.truncated) == (3, 2, 1, False)


def test_recent_talks_are_the_latest_with_courseware_and_follow_the_filters(app, two_talks):
    a, b = two_talks
    assert [r.lecture.id for r in results.recent_talks(SearchParams())] == [b.id, a.id]
    until_april = SearchParams(date_to=dt.date(2024, 4, 1))
    assert [r.lecture.id for r in results.recent_talks(until_april)] == [a.id]


def test_decks_uploaded_during_a_rebuild_are_all_found_after_it(app, admin, tmp_path):
    """The rebuild reconciles with the database after the swap: a deck that went to the old
    index meanwhile is added again (on every engine)."""
    before = [talk_with_deck(tmp_path, admin, [f"第{n}讲防汛", "低保"]) for n in range(6)]
    decks = [deck(tmp_path, [f"重建期间上传{n}号"]) for n in range(5)]
    lectures = [make_lecture(None, f"新讲学{n}").id for n in range(5)]
    db.session.commit()
    errors = []

    def upload():
        with app.app_context():
            try:
                for lecture_id, path in zip(lectures, decks, strict=True):
                    upload_deck(db.session.get(Lecture, lecture_id), path, db.session.merge(admin))
            except Exception as exc:
                errors.append(exc)

    thread = threading.Thread(target=upload)
    thread.start()
    services.rebuild()
    thread.join()
    assert errors == []
    assert [services.search(f"重建期间上传{n}号").total for n in range(5)] == [1] * 5
    assert services.search("防汛").total == len(before)

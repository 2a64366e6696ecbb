"""Upload-to-searchable time through the app's services for a 60-slide deck.

For each round: build a 60-slide .pptx (python-pptx), then time (1) the courseware upload service
(spool, analyse, store, row), (2) indexing the new version as the upload path does
(``search.services.index_version``), and (3) the first search that finds a word unique to the
new deck. Earlier rounds' decks stay in the index, so later rounds write into a growing index.
Run by hand from the repo root::

    .venv/bin/python bench/bench_search_app.py [--rounds 5] [--slides 60] [--engine tantivy]

(``--engine postgres`` needs ``DATABASE_URL`` naming an empty PostgreSQL database.)
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from lecturehub import create_app  # noqa: E402
from lecturehub.auth import services as auth_services  # noqa: E402
from lecturehub.courseware import services as courseware_services  # noqa: E402
from lecturehub.extensions import db  # noqa: E402
from lecturehub.schedule import lectures  # noqa: E402
from lecturehub.schedule import services as schedule_services  # noqa: E402
from lecturehub.schedule.models import Session  # noqa: E402
from lecturehub.search import services as search_services  # noqa: E402
from lecturehub.setup_data import ensure_reference_data  # noqa: E402
from tests.pptx_factory import SlideSpec, build_deck  # noqa: E402

TEXT = "全面推进乡村振兴，抓好防汛抗旱、医保报销、河长制等重点工作，" * 6


def make_talk(n: int):
    series = schedule_services.lecture_series()
    starts = dt.datetime(2024, 1, 1, 19) + dt.timedelta(days=n)
    session = Session(
        series=series,
        date=starts.date(),
        starts_at=starts,
        duration_minutes=60,
        venue=series.venue,
        is_extra=True,
    )
    db.session.add(session)
    db.session.flush()
    return lectures.new_lecture(session, title=f"第{n}讲", category="业务知识讲解")


def one_round(n: int, slides: int, admin, tmp: Path) -> tuple[float, float, float]:
    marker = f"标记词{n:04d}"
    specs = [
        SlideSpec(f"第{i}页", TEXT + (marker if i == slides else ""), notes=TEXT)
        for i in range(1, slides + 1)
    ]
    path = build_deck(tmp / f"deck{n}.pptx", specs)
    talk = make_talk(n)
    t0 = time.perf_counter()
    with path.open("rb") as fh:
        row, _ = courseware_services.upload_courseware(talk, fh, path.name, admin)
    t1 = time.perf_counter()
    search_services.index_version(row)
    t2 = time.perf_counter()
    hits = search_services.search(marker).hits
    t3 = time.perf_counter()
    assert [(h.lecture_id, h.slide) for h in hits] == [(talk.id, slides)]
    return t1 - t0, t2 - t1, t3 - t2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--slides", type=int, default=60)
    parser.add_argument("--engine", default="whoosh", help="whoosh | tantivy | postgres")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        storage = str(Path(tmp) / "storage")
        app = create_app({"STORAGE_DIR": storage, "TESTING": True, "SEARCH_ENGINE": args.engine})
        with app.app_context():
            db.create_all()
            ensure_reference_data()
            admin, _ = auth_services.create_user(
                "bench", auth_services.UserDetails("基准", ["admin"]), "benchpass123"
            )
            t = time.perf_counter()
            search_services.get_index()
            print(f"first use of the index (jieba load, check): {time.perf_counter() - t:.2f} s")
            rows = [one_round(n, args.slides, admin, Path(tmp)) for n in range(args.rounds)]
    print(f"{args.engine}: {args.slides}-slide deck, {args.rounds} rounds (median / max, seconds):")
    names = ("upload service", "index_version", "first search")
    for name, values in zip(names, zip(*rows, strict=True), strict=True):
        print(f"  {name:15s} {statistics.median(values):6.3f} / {max(values):6.3f}")
    total = [sum(r) for r in rows]
    print(f"  {'upload→found':15s} {statistics.median(total):6.3f} / {max(total):6.3f}")


if __name__ == "__main__":
    main()

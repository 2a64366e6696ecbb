"""Benchmark the slide index (whoosh, exact CJK bigrams) beside SQLite FTS5 with the trigram tokenizer.

Run by hand from the repo root (never part of pytest):

    .venv/bin/python bench/bench_search.py --sizes 20000,100000
    .venv/bin/python bench/bench_search.py --quick          # 5k slides, fewer repeats

Slides come from ../shared/corpus-zh/government_work_reports.jsonl, split into ~150-character
slides and cycled with varied talk metadata to reach each size. Prints: indexing slides/s,
query p50/p95 for one- and two-word queries returning 10 highlighted hits, hit counts against
true substring counts, index size on disk, and the time from add_deck() of a 60-slide deck
until a search finds it.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import itertools
import json
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from lecturehub.search.index import SlideDoc, SlideIndex  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus-zh" / "government_work_reports.jsonl"
TERMS = [
    "乡村振兴",
    "河长制",
    "医疗保障",
    "防汛",
    "低保",
    "营商环境",
    "5G",
    "2023年",
    "党史学习教育",
    "高标准农田",
]
POLICY_TERMS = [
    "乡村振兴",
    "河长制",
    "医疗保障",
    "营商环境",
    "高标准农田",
    "防汛",
    "低保",
    "党史学习教育",
]
GENERIC_WORDS = ["改革", "经济", "发展", "党", "人民群众"]  # on 4-50% of the slides
TWO_WORDS = [
    "乡村振兴 高标准农田",
    "医疗保障 低保",
    "营商环境 改革",
    "经济 发展",
    "防汛 抗旱",
    "科技 创新",
    "教育 公平",
    "生态 环境",
    "就业 收入",
    "党史学习教育 成果",
]
SPEAKERS = ["孔锐", "郭雨", "彭宗惠", "储晓波", "王敏", "李强", "陈静", "张伟"]
DEPARTMENTS = ["党政办", "组织办", "督查办", "文化站", "财政所", "农业中心", "民政所", "应急办"]
CATEGORIES = ["政治理论", "党史和红色故事学习", "最新政策和文件解读", "业务知识讲解"]


def corpus_slides(width: int = 150) -> list[tuple[str, str]]:
    """(report title, slide text) pieces of ~width chars, cut after a 。 where possible."""
    out = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        report = json.loads(line)
        text = "\n".join(p.strip() for p in report["content"].splitlines() if p.strip())
        start = 0
        while start < len(text):
            cut = text.rfind("。", start + width - 40, start + width + 40)
            end = cut + 1 if cut > 0 else start + width
            out.append((report["title"], text[start:end]))
            start = end
    return out


def make_docs(count: int, first_lecture: int = 1) -> list[SlideDoc]:
    """count slides cycled from the corpus, grouped into decks of 20-60 slides."""
    pieces = itertools.cycle(corpus_slides())
    docs, lecture, day = [], first_lecture, datetime.date(2015, 1, 5)
    while len(docs) < count:
        size = min(20 + (lecture * 7) % 41, count - len(docs))
        title, _ = next(pieces)
        meta = dict(
            lecture_id=lecture,
            courseware_id=lecture * 3,
            hidden=False,
            lecture_title=f"{title[:4]}报告学习 第{lecture}讲",
            speaker=SPEAKERS[lecture % 8],
            department=DEPARTMENTS[lecture % 7],
            category=CATEGORIES[lecture % 4],
            date=day,
            series_id=1 + lecture % 3,
        )
        for n in range(1, size + 1):
            _, text = next(pieces)
            docs.append(SlideDoc(slide=n, slide_title=text[:12], text=text, notes="", **meta))
        lecture, day = lecture + 1, day + datetime.timedelta(days=2 + lecture % 2 * 2)
    return docs


def dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))] * 1000


def build_whoosh(path: Path, docs, procs: int) -> tuple[SlideIndex, float]:
    index = SlideIndex(path)
    t0 = time.perf_counter()
    index.rebuild(docs, procs=procs)
    return index, time.perf_counter() - t0


def one_core_rate(path: Path, docs) -> tuple[float, float]:
    """(slides per wall second, slides per CPU second) of a serial rebuild of docs."""
    index = SlideIndex(path)
    t0, c0 = time.perf_counter(), time.process_time()
    index.rebuild(docs)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    index.close()
    return len(docs) / wall, len(docs) / cpu


def build_fts(path: Path, docs) -> tuple[sqlite3.Connection, float]:
    db = sqlite3.connect(path)
    db.execute(
        "CREATE VIRTUAL TABLE slides USING fts5(slide_title, text, notes, lecture_id UNINDEXED,"
        " slide UNINDEXED, lecture_title UNINDEXED, tokenize='trigram')"
    )
    t0 = time.perf_counter()
    rows = ((d.slide_title, d.text, d.notes, d.lecture_id, d.slide, d.lecture_title) for d in docs)
    db.executemany("INSERT INTO slides VALUES (?, ?, ?, ?, ?, ?)", rows)
    db.commit()
    return db, time.perf_counter() - t0


def fts_match(query: str) -> str:
    return " AND ".join(f'"{w}"' for w in query.split())


def time_queries(run, queries, repeats: int) -> list[float]:
    for q in queries:  # warm-up
        run(q)
    times = []
    for _ in range(repeats):
        for q in queries:
            t0 = time.perf_counter()
            run(q)
            times.append(time.perf_counter() - t0)
    return times


def whoosh_query(index: SlideIndex):
    return lambda q: [h.snippet for h in index.search(q, per_page=10).hits]


def fts_query(db: sqlite3.Connection):
    sql = (
        "SELECT lecture_id, slide, snippet(slides, 1, '<mark>', '</mark>', '…', 12) FROM slides"
        " WHERE slides MATCH ? ORDER BY rank LIMIT 10"
    )
    return lambda q: db.execute(sql, (fts_match(q),)).fetchall()


def report_counts(index: SlideIndex, db, docs) -> None:
    print(f"  {'term':<8} {'true':>6} {'whoosh':>7} {'fts5':>6} {'fts5 LIKE':>9}")
    for term in TERMS:
        low = term.lower()
        truth = sum(
            1 for d in docs if any(low in f.lower() for f in (d.slide_title, d.text, d.notes))
        )
        got = len(index.search(term, per_page=len(docs)).hits)
        fts = db.execute("SELECT count(*) FROM slides WHERE slides MATCH ?", (fts_match(term),))
        like = db.execute(
            "SELECT count(*) FROM slides WHERE text LIKE ? OR slide_title LIKE ?",
            (f"%{term}%", f"%{term}%"),
        )
        flag = "" if got == truth else "  <-- MISMATCH"
        print(
            f"  {term:<8} {truth:>6} {got:>7} {fts.fetchone()[0]:>6} {like.fetchone()[0]:>9}{flag}"
        )


def add_deck_latency(index: SlideIndex, db, lecture_id: int) -> tuple[float, float]:
    marker = "独一无二的标记词语"
    source = make_docs(200, first_lecture=lecture_id)[:60]
    deck = [
        dataclasses.replace(
            d, lecture_id=lecture_id, slide=n, text=d.text + (marker if n == 30 else "")
        )
        for n, d in enumerate(source, 1)
    ]
    t0 = time.perf_counter()
    index.add_deck(deck)
    while not index.search(marker).hits:
        time.sleep(0.001)
    whoosh_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    db.executemany(
        "INSERT INTO slides VALUES (?, ?, ?, ?, ?, ?)",
        [(d.slide_title, d.text, d.notes, d.lecture_id, d.slide, d.lecture_title) for d in deck],
    )
    db.commit()
    db.execute("SELECT count(*) FROM slides WHERE slides MATCH ?", (f'"{marker}"',)).fetchone()
    fts_s = time.perf_counter() - t0
    index.remove_deck(lecture_id)  # leave both indexes as built, for --reuse
    db.execute("DELETE FROM slides WHERE lecture_id = ?", (lecture_id,))
    db.commit()
    return whoosh_s, fts_s


def build_both(size: int, docs, workdir: Path, procs: int, reuse: bool):
    """The whoosh index and FTS5 table of docs, built (and timed) unless reusing earlier ones."""
    path, db_path = workdir / f"whoosh-{size}", workdir / f"fts-{size}.sqlite"
    if reuse and (path / "CURRENT").exists() and db_path.exists():
        print("indexing    (reusing the indexes in --workdir)")
        return SlideIndex(path), sqlite3.connect(db_path)
    wall_rate, cpu_rate = one_core_rate(workdir / f"serial-{size}", docs[:5000])
    print(
        f"one core    whoosh {wall_rate:8.0f} slides/s wall, {cpu_rate:.0f} slides/CPU-s"
        " (serial rebuild of 5,000)"
    )
    index, w_secs = build_whoosh(path, docs, procs)
    db, f_secs = build_fts(db_path, docs)
    print(
        f"indexing    whoosh {size / w_secs:8.0f} slides/s ({w_secs:6.1f} s, procs={procs})   "
        f"fts5 {size / f_secs:8.0f} slides/s ({f_secs:5.1f} s)"
    )
    print(
        f"size        whoosh {dir_size(path) / 2**20:8.1f} MB{'':14}"
        f"fts5 {db_path.stat().st_size / 2**20:8.1f} MB"
    )
    return index, db


def report_queries(index: SlideIndex, db, repeats: int) -> None:
    groups = (
        ("policy terms", POLICY_TERMS),
        ("generic words", GENERIC_WORDS),
        ("two words", TWO_WORDS),
        ("all of them", POLICY_TERMS + GENERIC_WORDS + TWO_WORDS),
    )
    for label, queries in groups:
        wt = time_queries(whoosh_query(index), queries, repeats)
        ft = time_queries(fts_query(db), queries, repeats)
        print(
            f"query {label:<13} whoosh p50 {pct(wt, 0.5):6.1f} p95 {pct(wt, 0.95):6.1f} ms   "
            f"fts5 p50 {pct(ft, 0.5):5.1f} p95 {pct(ft, 0.95):5.1f} ms"
        )
    print("whoosh per query (median ms, total hits):")
    for q in POLICY_TERMS + GENERIC_WORDS + TWO_WORDS:
        times = time_queries(whoosh_query(index), [q], 5)
        print(f"  {q:<14} {pct(times, 0.5):7.1f} ms  {index.search(q, per_page=10).total:7,}")


def bench_size(size: int, workdir: Path, repeats: int, procs: int, reuse: bool) -> None:
    print(f"\n=== {size:,} slides ===")
    docs = make_docs(size)
    index, db = build_both(size, docs, workdir, procs, reuse)
    report_queries(index, db, repeats)
    print("hit counts (true = slides containing the term as a substring):")
    report_counts(index, db, docs)
    w_add, f_add = add_deck_latency(index, db, docs[-1].lecture_id + 1)
    print(
        f"add 60-slide deck until searchable: whoosh {w_add * 1000:.0f} ms   "
        f"fts5 {f_add * 1000:.0f} ms"
    )
    index.close()
    db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="20000,100000")
    parser.add_argument("--quick", action="store_true", help="5,000 slides, 3 repeats")
    parser.add_argument("--procs", type=int, default=os.cpu_count() or 1, help="rebuild processes")
    parser.add_argument("--workdir", type=Path, help="keep the indexes here (default: a temp dir)")
    parser.add_argument("--reuse", action="store_true", help="reuse indexes left in --workdir")
    args = parser.parse_args()
    if not CORPUS.exists():
        sys.exit(f"corpus not found: {CORPUS}")
    sizes = [5000] if args.quick else [int(s) for s in args.sizes.split(",")]
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench-search-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        for size in sizes:
            bench_size(size, workdir, 3 if args.quick else 10, args.procs, args.reuse)
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()

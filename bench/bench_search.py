"""Benchmark the slide search engines (whoosh, tantivy, postgres) beside SQLite FTS5 (trigram).

Run by hand from the repo root (never part of pytest), when the machine is quiet:

    .venv/bin/python bench/bench_search.py --engines whoosh,tantivy,postgres,fts5 --sizes 20000,100000
    .venv/bin/python bench/bench_search.py --quick          # 5k slides, fewer repeats

Slides come from ../shared/corpus-zh/government_work_reports.jsonl, split into ~150-character
slides and cycled with varied talk metadata to reach each size. For every engine and size it
prints: indexing slides/s (a full build, and one core on 5,000 slides), size, query p50/p95
for policy terms, generic words and two words (top 10 with highlights, through SlideIndex),
hit counts against true substring counts, and the time from add_deck() of a 60-slide deck
until a search finds it; then the table of the issue with one column per engine.

postgres uses a database of its own (``lh_bench_search``, created afresh) on the server of
--pg-url. --whoosh-baseline DIR also times whoosh's queries with the code of another checkout
(e.g. ../main) on the same index, in a process of its own: "no slower than before".
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
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from lecturehub.search.index import SlideDoc, SlideIndex, open_index  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus-zh" / "government_work_reports.jsonl"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5433/postgres"
PG_DATABASE = "lh_bench_search"
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
GROUPS = {"policy terms": POLICY_TERMS, "generic words": GENERIC_WORDS, "two words": TWO_WORDS}
SPEAKERS = ["孔锐", "郭雨", "彭宗惠", "储晓波", "王敏", "李强", "陈静", "张伟"]
DEPARTMENTS = ["党政办", "组织办", "督查办", "文化站", "财政所", "农业中心", "民政所", "应急办"]
CATEGORIES = ["政治理论", "党史和红色故事学习", "最新政策和文件解读", "业务知识讲解"]
MARKER = "独一无二的标记词语"


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


def true_count(docs: list[SlideDoc], term: str) -> int:
    low = term.lower()
    return sum(1 for d in docs if any(low in f.lower() for f in (d.slide_title, d.text, d.notes)))


# The engines behind one small interface --------------------------------------------------------


class Bench:
    """One engine under test: build, query, count, add a deck."""

    name = ""

    def __init__(self, workdir: Path, size: int, options):
        self.workdir, self.size, self.options = workdir, size, options

    def built(self) -> bool:
        return False

    def build(self, docs) -> None: ...

    def one_core(self, docs) -> tuple[float, float] | None:
        return None

    def disk_mb(self) -> float: ...

    def query(self, q: str):
        return [h.snippet for h in self.index.search(q, per_page=10).hits]

    def count(self, term: str, limit: int) -> int:
        return self.index.search(term, per_page=limit).total

    def add_deck(self, deck: list[SlideDoc]) -> float:
        t0 = time.perf_counter()
        self.index.add_deck(deck)
        while not self.index.search(MARKER).hits:
            time.sleep(0.001)
        spent = time.perf_counter() - t0
        self.index.remove_deck(deck[0].lecture_id)  # leave the index as built, for --reuse
        return spent

    def close(self) -> None:
        self.index.close()


class IndexBench(Bench):
    """whoosh, tantivy and postgres through SlideIndex."""

    def __init__(self, name: str, workdir: Path, size: int, options):
        super().__init__(workdir, size, options)
        self.name = name
        self.path = workdir / f"{name}-{size}"
        self.bind = pg_bind(options.pg_url) if name == "postgres" else None
        self.index = self.open(self.path)

    def open(self, path: Path) -> SlideIndex:
        return open_index(self.name, directory=path, bind=self.bind, writer_timeout=60)

    def built(self) -> bool:
        return self.index.check().doc_count >= self.size

    def build(self, docs) -> None:
        self.index.rebuild(docs, procs=self.options.procs if self.name == "whoosh" else 1)

    def one_core(self, docs) -> tuple[float, float]:
        """(slides per wall second, per CPU second of this process) of a one-process build."""
        if self.name == "postgres":
            return self._one_core_postgres(docs)
        index = self.open(self.workdir / f"serial-{self.name}-{self.size}")
        t0, c0 = time.perf_counter(), time.process_time()
        index.rebuild(docs)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        index.close()
        return len(docs) / wall, len(docs) / cpu

    def _one_core_postgres(self, docs) -> tuple[float, float]:
        t0, c0 = time.perf_counter(), time.process_time()
        self.index.rebuild(docs)  # rebuilt whole right after
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        return len(docs) / wall, len(docs) / cpu

    def disk_mb(self) -> float:
        if self.name != "postgres":
            return dir_size(self.path) / 2**20
        with self.bind.connect() as conn:
            size = conn.exec_driver_sql(
                "SELECT pg_total_relation_size('search_slides_v1')"
            ).scalar()
        return size / 2**20


class Fts5Bench(Bench):
    """The baseline: SQLite FTS5 with the trigram tokenizer (no CJK bigram exactness)."""

    name = "fts5"

    def __init__(self, workdir: Path, size: int, options):
        super().__init__(workdir, size, options)
        self.path = workdir / f"fts-{size}.sqlite"
        self.db = sqlite3.connect(self.path)

    def built(self) -> bool:
        return bool(
            self.db.execute("SELECT count(*) FROM sqlite_master WHERE name='slides'").fetchone()[0]
        )

    def build(self, docs) -> None:
        self.db.execute(
            "CREATE VIRTUAL TABLE slides USING fts5(slide_title, text, notes,"
            " lecture_id UNINDEXED, slide UNINDEXED, lecture_title UNINDEXED,"
            " tokenize='trigram')"
        )
        self.db.executemany("INSERT INTO slides VALUES (?, ?, ?, ?, ?, ?)", map(_fts_row, docs))
        self.db.commit()

    def disk_mb(self) -> float:
        return self.path.stat().st_size / 2**20

    def query(self, q: str):
        sql = (
            "SELECT lecture_id, slide, snippet(slides, 1, '<mark>', '</mark>', '…', 12)"
            " FROM slides WHERE slides MATCH ? ORDER BY rank LIMIT 10"
        )
        return self.db.execute(sql, (_fts_match(q),)).fetchall()

    def count(self, term: str, limit: int) -> int:
        sql = "SELECT count(*) FROM slides WHERE slides MATCH ?"
        return self.db.execute(sql, (_fts_match(term),)).fetchone()[0]

    def add_deck(self, deck: list[SlideDoc]) -> float:
        t0 = time.perf_counter()
        self.db.executemany("INSERT INTO slides VALUES (?, ?, ?, ?, ?, ?)", map(_fts_row, deck))
        self.db.commit()
        self.db.execute("SELECT count(*) FROM slides WHERE slides MATCH ?", (f'"{MARKER}"',))
        spent = time.perf_counter() - t0
        self.db.execute("DELETE FROM slides WHERE lecture_id = ?", (deck[0].lecture_id,))
        self.db.commit()
        return spent

    def close(self) -> None:
        self.db.close()


def _fts_row(d: SlideDoc) -> tuple:
    return (d.slide_title, d.text, d.notes, d.lecture_id, d.slide, d.lecture_title)


def _fts_match(query: str) -> str:
    return " AND ".join(f'"{w}"' for w in query.split())


_PG_BINDS: dict = {}


def pg_bind(url: str):
    """An engine on a fresh benchmark database of the server at url (made once per run)."""
    if url not in _PG_BINDS:
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url

        server = create_engine(url, isolation_level="AUTOCOMMIT")
        with server.connect() as conn:
            if not _REUSE:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')
            exists = conn.exec_driver_sql(
                "SELECT 1 FROM pg_database WHERE datname = %(n)s", {"n": PG_DATABASE}
            ).scalar()
            if not exists:
                conn.exec_driver_sql(f'CREATE DATABASE "{PG_DATABASE}"')
        server.dispose()
        bench_url = make_url(url).set(database=PG_DATABASE)
        _PG_BINDS[url] = create_engine(bench_url, pool_size=4)
    return _PG_BINDS[url]


_REUSE = False


def make_bench(name: str, workdir: Path, size: int, options) -> Bench:
    return (
        Fts5Bench(workdir, size, options)
        if name == "fts5"
        else IndexBench(name, workdir, size, options)
    )


# One size ------------------------------------------------------------------------------------


def bench_engine(name: str, size: int, docs, workdir: Path, options) -> dict:
    """Build, time and check one engine at one size; prints as it goes, returns the figures."""
    bench = make_bench(name, workdir, size, options)
    figures: dict = {"engine": name}
    if options.reuse and bench.built():
        print(f"  {name:<8} indexing (reusing the index in --workdir)")
    else:
        rate = bench.one_core(docs[:5000])
        if rate is not None:
            figures["one_core"] = rate
            print(
                f"  {name:<8} one core {rate[0]:8.0f} slides/s wall, {rate[1]:8.0f} slides/CPU-s"
                " (5,000 slides, one process)"
            )
        t0 = time.perf_counter()
        bench.build(docs)
        seconds = time.perf_counter() - t0
        figures["indexing"] = size / seconds
        print(f"  {name:<8} indexing {size / seconds:8.0f} slides/s ({seconds:6.1f} s)")
    print(f"  {name:<8} size     {bench.disk_mb():8.1f} MB")
    for label, queries in GROUPS.items():
        times = time_queries(bench.query, queries, options.repeats)
        figures[label] = (pct(times, 0.5), pct(times, 0.95))
        print(
            f"  {name:<8} query {label:<13} p50 {figures[label][0]:6.1f} ms"
            f"  p95 {figures[label][1]:6.1f} ms"
        )
    figures["counts"] = {t: bench.count(t, size) for t in TERMS}
    adds = [bench.add_deck(deck_of_60(docs, size + n)) for n in range(1, 4)]
    figures["add_deck"] = sorted(adds)[1]
    print(f"  {name:<8} add 60-slide deck until searchable: {figures['add_deck'] * 1000:.0f} ms")
    bench.close()
    return figures


def deck_of_60(docs: list[SlideDoc], lecture_id: int) -> list[SlideDoc]:
    return [
        dataclasses.replace(
            d, lecture_id=lecture_id, slide=n, text=d.text + (MARKER if n == 30 else "")
        )
        for n, d in enumerate(docs[-60:], 1)
    ]


_WHOOSH_QUERIES = """
import json, sys, time
sys.path.insert(0, {checkout!r})
try:  # since the engines
    from lecturehub.search.index import open_index
    index = open_index("whoosh", directory={path!r})
except ImportError:  # before them, SlideIndex was whoosh's
    from lecturehub.search.index import SlideIndex
    index = SlideIndex({path!r})
out = {{}}
for label, queries in {groups!r}.items():
    for q in queries:
        index.search(q, per_page=10)
    times = []
    for _ in range({repeats}):
        for q in queries:
            t0 = time.perf_counter()
            [h.snippet for h in index.search(q, per_page=10).hits]
            times.append(time.perf_counter() - t0)
    times.sort()
    out[label] = [times[min(len(times) - 1, int(round(p * (len(times) - 1))))] * 1000 for p in (0.5, 0.95)]
print(json.dumps(out))
"""


def _whoosh_run(checkout: Path, index_dir: Path, repeats: int) -> dict:
    code = _WHOOSH_QUERIES.format(
        checkout=str(checkout), path=str(index_dir), groups=GROUPS, repeats=repeats
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=checkout
    )
    return json.loads(result.stdout.splitlines()[-1])


def whoosh_baseline(checkout: Path, index_dir: Path, repeats: int, rounds: int = 3) -> dict:
    """p50/p95 per group of whoosh's queries with another checkout's code and with this one,
    on the same index, each in a fresh process, alternating `rounds` times (the best of each:
    the machine's other load only ever slows a round down). Prints both; returns the other's."""
    runs: dict[str, list[dict]] = {"baseline": [], "this": []}
    for _ in range(rounds):
        runs["baseline"].append(_whoosh_run(checkout, index_dir, repeats))
        runs["this"].append(_whoosh_run(REPO, index_dir, repeats))
    best = {
        name: {label: [min(r[label][i] for r in rs) for i in (0, 1)] for label in GROUPS}
        for name, rs in runs.items()
    }
    for label in GROUPS:
        (b50, b95), (t50, t95) = best["baseline"][label], best["this"][label]
        print(
            f"  whoosh {label:<13} baseline code p50 {b50:6.1f} p95 {b95:6.1f} ms"
            f"   this code p50 {t50:6.1f} p95 {t95:6.1f} ms (best of {rounds} alternating runs)"
        )
    return best["baseline"]


def table(size: int, results: list[dict], baseline: dict | None) -> None:
    """The issue's table: one column per engine (plus whoosh with the baseline's code)."""
    columns = [r["engine"] for r in results] + (["whoosh (baseline code)"] if baseline else [])
    print(f"\n| {size:,} slides | " + " | ".join(columns) + " |")
    print("| --- |" + " --- |" * len(columns))
    for label in GROUPS:
        cells = [f"{r[label][1]:.1f} ms" for r in results]
        cells += [f"{baseline[label][1]:.1f} ms"] if baseline else []
        print(f"| query p95, {label} | " + " | ".join(cells) + " |")
    cells = [f"{r['indexing']:,.0f} slides/s" if "indexing" in r else "—" for r in results]
    print("| indexing | " + " | ".join(cells) + (" | — |" if baseline else " |"))
    cells = [
        f"{r['one_core'][0]:,.0f} slides/s ({r['one_core'][1]:,.0f}/CPU-s)"
        if "one_core" in r
        else "—"
        for r in results
    ]
    print("| indexing, one process | " + " | ".join(cells) + (" | — |" if baseline else " |"))
    cells = [f"{r['add_deck'] * 1000:.0f} ms" for r in results]
    print(
        "| 60-slide deck until searchable | " + " | ".join(cells) + (" | — |" if baseline else " |")
    )


def report_counts(docs, results: list[dict]) -> None:
    names = [r["engine"] for r in results]
    print("\nhit counts (true = slides containing the term as a substring):")
    print(f"  {'term':<8} {'true':>6} " + " ".join(f"{n:>8}" for n in names))
    for term in TERMS:
        truth = true_count(docs, term)
        got = [r["counts"][term] for r in results]
        flags = [n for n, g in zip(names, got, strict=True) if g != truth and n != "fts5"]
        flag = f"  <-- MISMATCH {flags}" if flags else ""
        print(f"  {term:<8} {truth:>6} " + " ".join(f"{g:>8}" for g in got) + flag)


def bench_size(size: int, engines: list[str], workdir: Path, options) -> None:
    print(f"\n=== {size:,} slides (load average {os.getloadavg()[0]:.2f}) ===")
    docs = make_docs(size)
    results = [bench_engine(name, size, docs, workdir, options) for name in engines]
    baseline = None
    if options.whoosh_baseline and "whoosh" in engines:
        baseline = whoosh_baseline(
            options.whoosh_baseline, workdir / f"whoosh-{size}", options.repeats
        )
        for label, (p50, p95) in baseline.items():
            print(
                f"  whoosh (baseline code) query {label:<13} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms"
            )
    report_counts(docs, results)
    table(size, results, baseline)
    print(f"(load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())})")


def main() -> None:
    global _REUSE
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", default="whoosh,tantivy,postgres,fts5")
    parser.add_argument("--sizes", default="20000,100000")
    parser.add_argument("--quick", action="store_true", help="5,000 slides, 3 repeats")
    parser.add_argument("--procs", type=int, default=os.cpu_count() or 1, help="whoosh rebuild")
    parser.add_argument("--workdir", type=Path, help="keep the indexes here (default: a temp dir)")
    parser.add_argument("--reuse", action="store_true", help="reuse indexes left in --workdir")
    parser.add_argument("--pg-url", default=PG_URL, help="PostgreSQL server for postgres")
    parser.add_argument("--whoosh-baseline", type=Path, help="another checkout's whoosh code")
    options = parser.parse_args()
    if not CORPUS.exists():
        sys.exit(f"corpus not found: {CORPUS}")
    _REUSE = options.reuse
    engines = options.engines.split(",")
    sizes = [5000] if options.quick else [int(s) for s in options.sizes.split(",")]
    options.repeats = 3 if options.quick else 10
    workdir = options.workdir or Path(tempfile.mkdtemp(prefix="bench-search-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"engines: {', '.join(engines)}; {os.cpu_count()} cores; load {os.getloadavg()}")
    try:
        for size in sizes:
            bench_size(size, engines, workdir, options)
    finally:
        if options.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()

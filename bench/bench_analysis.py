"""Benchmark analyze_pptx; run by hand from the repository root:

    .venv/bin/python bench/bench_analysis.py [--runs 30] [--video-mb 300]

1. A 60-slide deck with Chinese notes (real policy text: ../shared/corpus-zh when present, else
   the reports sampled in tests/data): median analysis time against the "floor" — unzipping
   and lxml-parsing every XML part of the same file — measured in the same run. Aim: at most
   3x the floor.
2. Peak memory analysing a deck with a big embedded video (random bytes, ZIP_STORED, written
   in chunks), in a fresh subprocess: ru_maxrss after the analysis minus ru_maxrss after the
   imports; compared with python-pptx ``Presentation(path)`` on the same file. Aim: <= 64 MiB.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lecturehub.courseware.analysis import analyze_pptx  # noqa: E402
from tests import data  # noqa: E402
from tests.pptx_factory import SlideSpec, build_deck  # noqa: E402

MiB = 1024 * 1024


def chinese_text(chars: int) -> str:
    """The first ``chars`` characters of real policy text (whitespace removed): the full corpus
    when present, else the sample committed in tests/data (about 76,000 characters)."""
    reports = data.reports(data.report_sets()[-1])
    return "".join("".join(r["content"].split()) for r in reports)[:chars]


def build_chinese_deck(path: Path, slides: int = 60) -> Path:
    text = chinese_text(slides * 460)
    specs = [
        SlideSpec(
            text[i * 460 : i * 460 + 12],
            body=text[i * 460 + 12 : i * 460 + 160],
            notes=text[i * 460 + 160 : i * 460 + 460],
        )
        for i in range(slides)
    ]
    return build_deck(path, specs)


def parse_floor(path: Path) -> None:
    """The raw cost: inflate and parse every XML part once."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            if info.filename.endswith((".xml", ".rels")):
                etree.fromstring(zf.read(info), parser)


def timed(fn, *args) -> float:
    started = time.perf_counter()
    fn(*args)
    return time.perf_counter() - started


def bench_speed(folder: Path, runs: int) -> None:
    deck = build_chinese_deck(folder / "sixty.pptx")
    result = analyze_pptx(deck)
    analysis, floor = [], []
    for _ in range(runs):
        analysis.append(timed(analyze_pptx, deck))
        floor.append(timed(parse_floor, deck))
    a, f = statistics.median(analysis), statistics.median(floor)
    print(
        f"60-slide deck: {deck.stat().st_size / 1024:.0f} KiB, estimate {result.estimated_seconds} s "
        f"({result.method}), {sum(s.notes_counts[0] for s in result.slides)} Han chars of notes"
    )
    print(
        f"  analyze_pptx median {a * 1000:.1f} ms over {runs} runs (min {min(analysis) * 1000:.1f})"
    )
    print(f"  floor (unzip + lxml-parse all XML parts) median {f * 1000:.1f} ms")
    print(f"  ratio {a / f:.2f}x (aim <= 3x)")


def build_video_deck(folder: Path, megabytes: int) -> Path:
    """A one-slide deck whose ppt/media/media1.mp4 is ``megabytes`` of random bytes, stored."""
    small = folder / "clip.mp4"
    small.write_bytes(b"\0" * 1024)
    base = build_deck(
        folder / "base.pptx", [SlideSpec("视频", notes="播放一段视频")], media={1: small}
    )
    path = folder / "video.pptx"
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            if not info.filename.startswith("ppt/media/media1."):
                out.writestr(info.filename, src.read(info))
            else:
                member = zipfile.ZipInfo(info.filename)
                member.compress_type = zipfile.ZIP_STORED
                with out.open(member, "w", force_zip64=True) as fh:
                    for _ in range(megabytes):
                        fh.write(os.urandom(MiB))
    return path


PROBE = """
import resource, sys, time
sys.path.insert(0, {root!r})
from lecturehub.courseware.analysis import analyze_pptx
from pptx import Presentation
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
{call}
elapsed = time.perf_counter() - started
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print((after - before) / 1024, before / 1024, elapsed)
"""


def peak_rss(path: Path, call: str) -> tuple[float, float, float]:
    """(MiB above the post-import baseline, baseline MiB, seconds) in a fresh interpreter."""
    code = PROBE.format(root=str(ROOT), call=call.format(path=str(path)))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    delta, base, elapsed = map(float, out.stdout.split())
    return delta, base, elapsed


def bench_memory(folder: Path, megabytes: int) -> None:
    deck = build_video_deck(folder, megabytes)
    result = analyze_pptx(deck)
    media = ", ".join(f"{m.part} duration={m.duration_seconds}" for m in result.media)
    print(
        f"video deck: {deck.stat().st_size / MiB:.0f} MiB; media: {media}; "
        f"warnings: {[w.code for w in result.warnings]}"
    )
    for label, call in (
        ("analyze_pptx", "analyze_pptx({path!r})"),
        ("python-pptx Presentation()", "Presentation({path!r})"),
    ):
        delta, base, elapsed = peak_rss(deck, call)
        print(
            f"  {label}: peak RSS +{delta:.1f} MiB above a {base:.0f} MiB baseline, {elapsed:.2f} s"
        )
    print("  aim for analyze_pptx: <= 64 MiB above baseline")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--video-mb", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-analysis-") as tmp:
        bench_speed(Path(tmp), args.runs)
        bench_memory(Path(tmp), args.video_mb)


if __name__ == "__main__":
    main()

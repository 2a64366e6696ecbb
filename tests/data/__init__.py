"""Real-world test data: the sample committed here, and the large corpora when they are present.

``tests/data`` holds a few real decks (``decks/``, one row of facts each in ``decks/INDEX.tsv``)
and five records of the Chinese policy corpus (``corpus-zh/``); README.md says where they come
from and under which licence. Every test runs on them, in any clone of the project.

In the project's workspace the full corpora sit beside the checkout
(``<checkout>/../shared/corpus`` and ``../shared/corpus-zh``). When present they only *add*
parameters to the same tests (every other deck, all 72 reports); nothing skips without them.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
SAMPLE_DECKS = HERE / "decks"
SAMPLE_REPORTS = HERE / "corpus-zh" / "government_work_reports.jsonl"
SHARED = HERE.parents[2] / "shared"  # tests/data -> tests -> checkout -> its parent
LARGE_DECKS = SHARED / "corpus"
LARGE_REPORTS = SHARED / "corpus-zh" / "government_work_reports.jsonl"


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []


def decks() -> dict[str, Path]:
    """Every file by name: the sample's, then (when present) the large corpus's others. Both
    folders also hold non-decks (INDEX.tsv, README.md) on purpose: they must be refused."""
    found = {p.name: p for p in _files(SAMPLE_DECKS)}
    for path in _files(LARGE_DECKS):
        found.setdefault(path.name, path)
    return found


def deck_facts() -> dict[str, dict[str, str]]:
    """INDEX.tsv rows by file name (facts read straight from the zip/XML by another tool)."""
    facts: dict[str, dict[str, str]] = {}
    for folder in (SAMPLE_DECKS, LARGE_DECKS):
        if (folder / "INDEX.tsv").is_file():
            with (folder / "INDEX.tsv").open(encoding="utf-8", newline="") as fh:
                for row in csv.DictReader(fh, delimiter="\t"):
                    facts.setdefault(row["file"], row)
    return facts


def report_sets() -> list[str]:
    """Names for reports(): always "sample"; "full" too when the whole corpus is present."""
    return ["sample", "full"] if LARGE_REPORTS.is_file() else ["sample"]


def reports(which: str = "sample") -> list[dict]:
    """The government work reports as dicts with title, url, content and year (None for the
    NPC's resolutions on a report), in the file's order (newest first)."""
    path = {"sample": SAMPLE_REPORTS, "full": LARGE_REPORTS}[which]
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]

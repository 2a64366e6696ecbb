"""Every real-world file in ../shared/corpus gives a DeckAnalysis or a clear AnalysisError.

The corpus sits beside the repository (``<checkout>/../shared/corpus``) and is never committed;
these tests skip when it is absent. INDEX.tsv there holds facts read straight from the XML.
"""

import csv
import json
import re
from pathlib import Path

import pytest

from lecturehub.courseware.analysis import AnalysisError, analyze_pptx

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
FILES = sorted(p for p in CORPUS.iterdir() if p.is_file()) if CORPUS.is_dir() else []
HAN = re.compile(r"[\u4e00-\u9fff]")
pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"no corpus at {CORPUS}")

EXPECTED_REFUSALS = {
    "poi__Divino_Revelado.pptx": "corrupt_zip",
    "poi__clusterfuzz-testcase-minimized-POIFuzzer-5205835528404992.pptx": "corrupt_zip",
    "poi__clusterfuzz-testcase-minimized-POIXSLFFuzzer-6254434927378432.pptx": "corrupt_zip",
    "poi__bug55902-mixedFontChineseCharacters.ppt": "legacy_ppt",
    "poi__empty.ppt": "legacy_ppt",
    "poi__ppt_with_png_encrypted.ppt": "encrypted",
    "poi__bug59273.potx": "template",
    "poi__62592.thmx": "theme",
    "poi__testPPT.thmx": "theme",
    "pyp__minimal.pptx": "no_slides",
    "pyp__no-slides.pptx": "no_slides",
    "INDEX.tsv": "not_presentation",
    "README.md": "not_presentation",
}


def _index() -> dict[str, dict[str, str]]:
    if not CORPUS.is_dir():
        return {}
    with (CORPUS / "INDEX.tsv").open(encoding="utf-8", newline="") as fh:
        return {row["file"]: row for row in csv.DictReader(fh, delimiter="\t")}


INDEX = _index()
ANALYSABLE = sorted(name for name in INDEX if name not in EXPECTED_REFUSALS)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_corpus_file_gives_an_analysis_or_a_clear_refusal(path):
    try:
        result = analyze_pptx(path)
    except AnalysisError as error:
        assert error.code == EXPECTED_REFUSALS.get(path.name), error.code
        assert HAN.search(error.message) and "\n" not in error.message
        return
    assert path.name not in EXPECTED_REFUSALS
    assert json.loads(json.dumps(result.to_dict(include_text=True)))["slides_total"] > 0


@pytest.mark.parametrize("name", ANALYSABLE)
def test_corpus_facts_match_the_index(name):
    row = INDEX[name]

    result = analyze_pptx(CORPUS / name)

    timed = [s.advance_ms for s in result.slides if s.advance_ms is not None]
    assert result.slides_total == int(row["slides"])
    assert len(result.hidden_slides) == int(row["hidden_slides"])
    assert sum(1 for s in result.slides if s.notes) == int(row["slides_with_notes"])
    assert (len(timed), sum(timed) / 1000) == (
        int(row["advTm_slides"]),
        float(row["advTm_total_s"]),
    )
    assert len(result.media) == int(row["media_files"])
    assert sum(s.text_counts[0] for s in result.slides) == int(row["slide_cjk_chars"])


@pytest.mark.parametrize("name", [n for n in ANALYSABLE if INDEX[n]["media_duration_s"]])
def test_corpus_media_durations_match_the_index_closely(name):
    expected = float(INDEX[name]["media_duration_s"])

    result = analyze_pptx(CORPUS / name)

    # INDEX rounds another tool's reading; mutagen differs by a few hundredths
    assert sum(m.seconds for m in result.media) == pytest.approx(expected, abs=0.05)


def test_how_we_refactor_counts_its_six_rehearsed_slides():
    result = analyze_pptx(CORPUS / "poi__ca.ubc.cs.people_~emhill_presentations_HowWeRefactor.pptx")

    rehearsed = [s.number for s in result.slides if s.source == "rehearsed"]
    assert (len(rehearsed), result.method) == (6, "estimated")  # 6 of 28: not "most"
    assert result.estimated_seconds == 6 * 1 + 22 * 60


def test_performance_up_hides_two_slides_and_ignores_timings():
    result = analyze_pptx(CORPUS / "poi__2411-Performance_Up.pptx")

    assert (result.hidden_slides, result.use_timings, result.slides_counted) == (
        (13, 48),
        False,
        46,
    )


def test_macro_enabled_deck_under_a_pptx_name_is_reported():
    result = analyze_pptx(CORPUS / "poi__keyframes.pptx")

    assert (result.kind, result.has_macros) == ("pptm", True)
    assert "macros" in [w.code for w in result.warnings]


def test_embedded_video_duration_is_counted():
    result = analyze_pptx(CORPUS / "poi__EmbeddedVideo.pptx")

    assert [(m.name, m.kind) for m in result.media] == [("media1.mp4", "video")]
    assert result.estimated_seconds == 63  # 60 s minimum + 3.16 s of video


def test_smartart_and_table_text_is_extracted():
    smartart = analyze_pptx(CORPUS / "poi__smartart-simple.pptx").slide(1).text
    table = analyze_pptx(CORPUS / "poi__table_test2.pptx").slide(1).text

    assert smartart.endswith("Shapes are styled with theme\nabc\ndef\nghi")  # face, then data
    assert table.startswith("Header1\nHeader2\nHeader3\nLorem")

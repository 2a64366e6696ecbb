"""Every real-world file gives a DeckAnalysis or a clear AnalysisError, with the right facts.

Runs on the sample in tests/data (see its README.md); where the full corpus is present
(``<checkout>/../shared/corpus``) its other files are swept as extra parameters. INDEX.tsv holds
facts read straight from the XML by another tool.
"""

import json
import re

import pytest

from lecturehub.courseware.analysis import AnalysisError, analyze_pptx
from tests import data

DECKS = data.decks()
FACTS = data.deck_facts()
HAN = re.compile(r"[\u4e00-\u9fff]")

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
ANALYSABLE = sorted(name for name in FACTS if name not in EXPECTED_REFUSALS)


def known(kind="pptx", slides=(1, 1), seconds=60, **changes) -> dict:
    """What we know of an analysed deck: the defaults of an ordinary one, with changes."""
    facts = {
        "kind": kind,
        "has_macros": False,
        "slides_total/counted": slides,
        "hidden_slides": (),
        "use_timings": True,
        "method": "estimated",
        "rehearsed_slides": 0,
        "estimated_seconds": seconds,
        "media": [],
        "warnings": [],
    }
    return facts | changes


def summary(result) -> dict:
    return {
        "kind": result.kind,
        "has_macros": result.has_macros,
        "slides_total/counted": (result.slides_total, result.slides_counted),
        "hidden_slides": result.hidden_slides,
        "use_timings": result.use_timings,
        "method": result.method,
        "rehearsed_slides": sum(1 for s in result.slides if s.source == "rehearsed"),
        "estimated_seconds": result.estimated_seconds,
        "media": [(m.name, m.kind) for m in result.media],
        "warnings": [w.code for w in result.warnings],
    }


KNOWN = {
    # the sample
    "poi__EmbeddedVideo.pptx": known(
        seconds=63,  # 60 s minimum + 3.16 s of video
        media=[("media1.mp4", "video")],
        warnings=["media_found", "no_text"],
    ),
    "poi__testPPT.pptm": known("pptm", (3, 3), 180, has_macros=True, warnings=["macros"]),
    "poi__testPPT.ppsx": known("ppsx", (3, 3), 180),
    "pyp__sld-notes.pptx": known(slides=(2, 2), seconds=120, warnings=["no_text"]),
    "pyp__tbl-cell.pptx": known(slides=(3, 3), seconds=180),
    # the full corpus only
    "poi__ca.ubc.cs.people_~emhill_presentations_HowWeRefactor.pptx": known(
        slides=(28, 28),
        rehearsed_slides=6,  # 6 of 28: not "most", so the method stays "estimated"
        seconds=6 * 1 + 22 * 60,
        warnings=["text_heavy"],
    ),
    "poi__2411-Performance_Up.pptx": known(
        slides=(48, 46),
        hidden_slides=(13, 48),
        use_timings=False,
        seconds=46 * 60,
        warnings=["hidden_slides"],
    ),
    # a macro-enabled deck under a .pptx name
    "poi__keyframes.pptx": known(
        "pptm", (28, 28), 28 * 60, has_macros=True, warnings=["macros", "no_text"]
    ),
}
TEXTS = {  # (slide, its text in reading order)
    "pyp__tbl-cell.pptx": (3, "a\nb\nc\nd\ne\nf\ng\nh\ni"),
    "pyp__txt-font-typeface.pptx": (
        1,
        "Baseline default textbox, no adjustments of any kind\n"
        "textbox with multiple runs having typefacecustomized at shape level\n"
        "A textbox with Verdana typeface applied to shape, not text selection\n"
        "暒龢加咊\ufa12弗\n"  # U+FA12: a CJK compatibility ideograph
        "text with symbol \uf8ff in the middle",
    ),
    "poi__smartart-simple.pptx": (  # the shapes' own text, then the SmartArt's data
        1,
        "This file contains a SmartArt diagram\nTesting:\n"
        "Gradient fill on shape (with 25% transparency set)\nImage fill on shape\n"
        "Text alignment inside text box\n"
        "Text box positioning relative to shape (when text is centered it’s not in the center"
        " of the circles)\n"
        "Shapes are styled with theme\nabc\ndef\nghi",
    ),
    "poi__table_test2.pptx": (
        1,
        "Header1\nHeader2\nHeader3\nLorem\nIpsum\ndolor sit\namet, consetetur\n"
        "sadipscing elitr\nsed diam nonumy\neirmod\n"
        "tempor invidunt ut labore et dolore magna aliquyam\n"
        "erat, sed diam voluptua. At vero eos et accusam et justo\nduo dolores et ea\nrebum\n"
        "Stet\nclita\nkasd\ngubergren\nno sea takimata\nsanctus est\nLorem ipsum\n"
        "dolor sit amet\nconsetetur\nsadipscing elitr\nsed diam",
    ),
}
NOTES = {  # (slide, its notes)
    "pyp__sld-notes.pptx": [(1, "Notes"), (2, "")],
    "pyp__ph-inherit-props.pptx": [
        (1, "Notes in inherited position and size."),
        (2, "Notes in modified position and size."),
    ],
}


def present(table: dict) -> list[str]:
    return sorted(name for name in table if name in DECKS)


@pytest.mark.parametrize("name", sorted(DECKS))
def test_corpus_file_gives_an_analysis_or_a_clear_refusal(name):
    try:
        result = analyze_pptx(DECKS[name])
    except AnalysisError as error:
        assert error.code == EXPECTED_REFUSALS.get(name), error.code
        assert HAN.search(error.message) and "\n" not in error.message
        return
    assert name not in EXPECTED_REFUSALS
    as_json = json.loads(json.dumps(result.to_dict(include_text=True)))
    assert as_json["slides_total"] == int(FACTS[name]["slides"])


@pytest.mark.parametrize("name", ANALYSABLE)
def test_corpus_facts_match_the_index(name):
    row = FACTS[name]

    result = analyze_pptx(DECKS[name])

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


@pytest.mark.parametrize("name", [n for n in ANALYSABLE if FACTS[n]["media_duration_s"]])
def test_corpus_media_durations_match_the_index_closely(name):
    expected = float(FACTS[name]["media_duration_s"])

    result = analyze_pptx(DECKS[name])

    # INDEX rounds another tool's reading; mutagen differs by a few hundredths
    assert sum(m.seconds for m in result.media) == pytest.approx(expected, abs=0.05)


@pytest.mark.parametrize("name", present(KNOWN))
def test_timing_kind_and_warnings_are_what_we_know_of_the_deck(name):
    assert summary(analyze_pptx(DECKS[name])) == KNOWN[name]


@pytest.mark.parametrize("name", present(TEXTS))
def test_slide_text_of_tables_smartart_and_cjk_is_extracted(name):
    number, text = TEXTS[name]

    assert analyze_pptx(DECKS[name]).slide(number).text == text


@pytest.mark.parametrize("name", present(NOTES))
def test_speaker_notes_are_read(name):
    result = analyze_pptx(DECKS[name])

    assert [(s.number, s.notes) for s in result.slides] == NOTES[name]

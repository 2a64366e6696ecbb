"""analyze_pptx on real decks built with python-pptx (tests/pptx_factory.py)."""

import json

import pytest

from lecturehub.courseware.analysis import AnalysisSettings, analyze_pptx, sniff
from lecturehub.courseware.sniff import resolve_target
from tests.pptx_factory import (
    REL,
    MediaSpec,
    SlideSpec,
    build_deck,
    make_wav,
    without_member,
)

HAN_360 = "乡村振兴" * 90
HAN_270 = "党史学习" * 67 + "教育"
HAN_60 = "河长制" * 20
WORDS_130 = " ".join(["policy"] * 130)


@pytest.fixture
def wav(tmp_path):
    return make_wav(tmp_path / "talk.wav", 12)


def test_slides_follow_show_order_not_file_names(tmp_path):
    deck = build_deck(tmp_path / "d.pptx", ["甲", "乙", "丙"], order=(3, 1, 2))

    result = analyze_pptx(deck)

    assert [s.title for s in result.slides] == ["丙", "甲", "乙"]
    assert [s.number for s in result.slides] == [1, 2, 3]
    assert result.slides[0].part == "ppt/slides/slide3.xml"


def test_hidden_slide_is_listed_and_not_counted(tmp_path):
    deck = build_deck(tmp_path / "d.pptx", ["一", "二", "三"], hidden={2})

    result = analyze_pptx(deck)

    assert result.hidden_slides == (2,)
    assert (result.slides_total, result.slides_counted) == (3, 2)
    assert result.estimated_seconds == 120
    assert (result.slide(2).seconds, result.slide(2).source) == (0.0, "hidden")
    warning = next(w for w in result.warnings if w.code == "hidden_slides")
    assert (warning.slides, warning.message) == (
        (2,),
        "第 2 页是隐藏幻灯片，放映时不显示，不计入时长。",
    )


def test_rehearsed_timings_are_summed_when_most_slides_have_them(tmp_path):
    deck = build_deck(tmp_path / "d.pptx", ["一", "二", "三"], rehearsed_ms={1: 90_000, 2: 150_500})

    result = analyze_pptx(deck)

    assert result.method == "rehearsed"
    assert [s.source for s in result.slides] == ["rehearsed", "rehearsed", "minimum"]
    assert result.estimated_seconds == 300  # 90 + 150.5 + 60 = 300.5, rounded half to even
    assert result.range_seconds == (300, 300)


def test_alternate_content_transition_counts_once(tmp_path):
    deck = build_deck(tmp_path / "d.pptx", ["一"], rehearsed_ms={1: 90_000}, alt_content=True)

    result = analyze_pptx(deck)

    assert (result.slide(1).advance_ms, result.estimated_seconds) == (90_000, 90)


def test_minority_of_timed_slides_keeps_method_estimated(tmp_path):
    deck = build_deck(tmp_path / "d.pptx", ["一", "二", "三", "四"], rehearsed_ms={4: 5_000})

    result = analyze_pptx(deck)

    assert result.method == "estimated"
    assert (result.slide(4).source, result.slide(4).seconds) == ("rehearsed", 5.0)
    assert result.estimated_seconds == 185


def test_use_timings_off_ignores_rehearsed_timings_and_warns(tmp_path):
    deck = build_deck(
        tmp_path / "d.pptx", ["一", "二"], rehearsed_ms={1: 90_000, 2: 90_000}, use_timings=False
    )

    result = analyze_pptx(deck)

    assert (result.use_timings, result.method, result.estimated_seconds) == (
        False,
        "estimated",
        120,
    )
    warning = next(w for w in result.warnings if w.code == "timings_ignored")
    assert warning.slides == (1, 2)


@pytest.mark.parametrize("show", [{"loop": True}, {"kiosk": True}])
def test_loop_or_kiosk_show_warns_that_it_never_ends(tmp_path, show):
    deck = build_deck(tmp_path / "d.pptx", ["一"], **show)

    result = analyze_pptx(deck)

    assert result.loop is True
    assert [w.code for w in result.warnings] == ["loop_show"]


def test_notes_come_from_the_body_placeholder_only(tmp_path):
    spec = SlideSpec("标题", notes="讲稿正文", notes_footer="页脚和页码")
    deck = build_deck(tmp_path / "d.pptx", [spec])

    assert analyze_pptx(deck).slide(1).notes == "讲稿正文"


def test_han_characters_and_latin_words_are_counted(tmp_path):
    notes = "乡村振兴㐀，is a key task in 2024年; it's well-known."
    deck = build_deck(tmp_path / "d.pptx", [SlideSpec("T", notes=notes)])

    slide = analyze_pptx(deck).slide(1)

    assert slide.notes_counts == (6, 8)  # 乡村振兴㐀年 / is a key task in 2024 it's well-known
    assert slide.notes_chars == 39


def test_slide_text_includes_tables_groups_smartart_and_chart_titles(tmp_path):
    spec = SlideSpec(
        "标题",
        table=(("甲", "乙"), ("丙", "丁")),
        group=("组一", "组二", "组三"),
        chart_title="图表标题",
        smartart=("智能", "图形"),
    )
    deck = build_deck(tmp_path / "d.pptx", [spec])

    text = analyze_pptx(deck).slide(1).text

    assert text == "标题\n甲\n乙\n丙\n丁\n组一\n组二\n组三\n智能\n图形\n图表标题"


def test_alternate_content_shape_text_is_taken_once(tmp_path):
    deck = build_deck(tmp_path / "d.pptx", [SlideSpec("标题", alt_text="公式")])

    assert analyze_pptx(deck).slide(1).text == "标题\n公式"


def test_media_duration_is_added_to_the_slide(tmp_path, wav):
    deck = build_deck(tmp_path / "d.pptx", ["视频页"], media={1: wav})

    result = analyze_pptx(deck)

    assert [(m.name, m.kind, m.duration_seconds) for m in result.media] == [
        ("media1.wav", "video", 12.0)
    ]
    assert (result.slide(1).seconds, result.slide(1).media_seconds) == (72.0, 12.0)
    warning = next(w for w in result.warnings if w.code == "media_found")
    assert warning.message == "第 1 页含音视频：media1.wav（12 秒），播放时长已计入。"


def test_media_trim_is_subtracted(tmp_path, wav):
    deck = build_deck(
        tmp_path / "d.pptx", ["视频页"], media={1: MediaSpec(wav, trim_ms=(1000, 2000))}
    )

    result = analyze_pptx(deck)

    assert (result.media[0].trim_seconds, result.media[0].seconds) == (3.0, 9.0)
    assert result.estimated_seconds == 69


def test_stored_media_is_read_in_place(tmp_path, wav):
    deck = build_deck(tmp_path / "d.pptx", ["视频页"], media={1: wav}, store_media=True)

    assert analyze_pptx(deck).media[0].duration_seconds == 12.0


def test_unreadable_media_has_unknown_duration_and_warns(tmp_path):
    junk = tmp_path / "clip.mp4"
    junk.write_bytes(b"not a video" * 100)
    deck = build_deck(tmp_path / "d.pptx", ["视频页"], media={1: junk})

    result = analyze_pptx(deck)

    assert (result.media[0].seconds, result.estimated_seconds) == (None, 60)
    assert [w.code for w in result.warnings] == ["media_unknown"]


def test_external_media_link_has_no_duration_and_warns(tmp_path):
    media = {1: MediaSpec(external_url="file:///C:/talk.mp4")}
    deck = build_deck(tmp_path / "d.pptx", ["视频页"], media=media)

    result = analyze_pptx(deck)

    assert [(m.external, m.seconds, m.part) for m in result.media] == [
        (True, None, "file:///C:/talk.mp4")
    ]
    assert [w.code for w in result.warnings] == ["media_external"]


def test_per_slide_estimate_rules(tmp_path):
    slides = [
        SlideSpec("", notes=HAN_360),  # 360 chars at 180/min
        SlideSpec("", body=HAN_270),  # no notes: the slide's own text
        SlideSpec("", notes=HAN_60),  # 20 s of notes: the 60 s minimum
        SlideSpec("", notes=WORDS_130),  # 130 words at 130/min
    ]
    deck = build_deck(tmp_path / "d.pptx", slides)

    result = analyze_pptx(deck)

    assert [s.source for s in result.slides] == ["notes", "slide_text", "minimum", "notes"]
    assert [s.seconds for s in result.slides] == [120.0, 90.0, 60.0, 60.0]
    assert [(s.low_seconds, s.high_seconds) for s in result.slides] == [
        (90.0, 144.0),
        (67.5, 108.0),
        (60.0, 60.0),
        (60.0, 72.0),
    ]
    assert (result.estimated_seconds, result.range_seconds) == (330, (278, 384))


def test_verdict_and_margin_against_the_limit(tmp_path):
    deck = build_deck(tmp_path / "d.pptx", [SlideSpec("", notes=HAN_360)] * 3)

    fits = analyze_pptx(deck, AnalysisSettings(limit_seconds=360))
    over = analyze_pptx(deck, AnalysisSettings(limit_seconds=300))

    assert (fits.verdict, fits.margin_seconds) == ("ok", 0)
    assert (over.verdict, over.margin_seconds) == ("over", -60)


def test_cut_to_fit_names_the_fewest_slides_in_slide_order(tmp_path):
    minutes = [2, 0, 3, 0, 2.5]  # notes minutes per slide; 0 → the 60 s minimum
    slides = [SlideSpec(f"第{i}页", notes="讲" * int(m * 180)) for i, m in enumerate(minutes, 1)]
    deck = build_deck(tmp_path / "d.pptx", slides)

    result = analyze_pptx(deck, AnalysisSettings(limit_seconds=300))

    assert result.estimated_seconds == 570
    assert result.advice.cut_to_fit == (3, 5)
    assert result.advice.longest == (3, 5, 1, 2, 4)
    warning = result.warnings[0]
    assert (warning.code, warning.slides) == ("over_limit", (3, 5))
    assert warning.message == (
        "预计讲课 9 分 30 秒，超过 5 分钟 的时限 4 分 30 秒。删去第 3、5 页（用时最长的 2 页）"
        "即可控制在时限内，或精简这些页的讲稿。"
    )


def test_wall_of_text_is_flagged_text_heavy(tmp_path):
    slides = [SlideSpec("", body="字" * 300), SlideSpec("", body="字" * 299)]
    deck = build_deck(tmp_path / "d.pptx", slides)

    result = analyze_pptx(deck)

    assert result.advice.text_heavy == (1,)
    assert next(w for w in result.warnings if w.code == "text_heavy").slides == (1,)


def test_notes_repeating_the_slide_are_flagged_reads_slide(tmp_path):
    face = "乡村振兴战略是新时代做好三农工作的总抓手"
    slides = [
        SlideSpec("", body=face, notes=face + "。"),
        SlideSpec("", body=face, notes="结合本乡实际，讲清楚河长制巡河的典型案例和短板弱项"),
        SlideSpec("", body=face, notes="乡村振兴战略"),  # too short to judge
    ]
    deck = build_deck(tmp_path / "d.pptx", slides)

    assert analyze_pptx(deck).advice.reads_slide == (1,)


def test_slide_without_text_or_notes_is_flagged_no_text(tmp_path):
    deck = build_deck(
        tmp_path / "d.pptx", [SlideSpec("有字"), SlideSpec(), SlideSpec(notes="讲稿")]
    )

    result = analyze_pptx(deck)

    assert result.advice.no_text == (2,)
    assert next(w for w in result.warnings if w.code == "no_text").slides == (2,)


def test_vba_part_under_a_pptx_content_type_is_reported_as_macros(tmp_path):
    deck = build_deck(tmp_path / "d.pptx", ["一"], macros=True)

    result = analyze_pptx(deck)

    assert (result.kind, result.has_macros) == ("pptx", True)
    assert [w.code for w in result.warnings] == ["macros"]


@pytest.mark.parametrize(
    ("kind", "macros"), [("pptx", False), ("pptm", True), ("ppsx", False), ("ppsm", True)]
)
def test_kind_comes_from_the_content_type_not_the_file_name(tmp_path, kind, macros):
    deck = build_deck(tmp_path / "named.pptx", ["一"], kind=kind)

    result = analyze_pptx(deck)

    assert (sniff(deck), result.kind, result.has_macros) == (kind, kind, macros)


def test_app_total_time_is_reported_as_a_hint_only(tmp_path):
    deck = build_deck(tmp_path / "d.pptx", ["一"], app_total_time=500)

    result = analyze_pptx(deck)

    assert (result.app_total_time_minutes, result.estimated_seconds) == (500, 60)


def test_dangling_notes_relationship_is_skipped_with_a_warning(tmp_path):
    rels = {1: [(REL + "notesSlide", "../notesSlides/gone.xml")]}
    deck = build_deck(tmp_path / "d.pptx", ["一"], extra_rels=rels)

    result = analyze_pptx(deck)

    assert (result.slide(1).notes, result.slide(1).missing_parts) == (
        "",
        ("../notesSlides/gone.xml",),
    )
    assert [(w.code, w.slides) for w in result.warnings] == [("missing_part", (1,))]


def test_slide_missing_from_the_zip_is_skipped_with_a_warning(tmp_path):
    deck = build_deck(tmp_path / "d.pptx", ["一", "二", "三"])
    broken = without_member(tmp_path / "broken.pptx", deck, "ppt/slides/slide2.xml")

    result = analyze_pptx(broken)

    assert ([s.title for s in result.slides], result.missing_slides) == (["一", "三"], 1)
    assert [w.code for w in result.warnings] == ["missing_slide"]


def test_to_dict_is_json_with_the_contract_keys(tmp_path, wav):
    deck = build_deck(
        tmp_path / "d.pptx", [SlideSpec("一", notes="讲稿"), "二"], hidden={2}, media={1: wav}
    )

    data = json.loads(json.dumps(analyze_pptx(deck).to_dict()))

    contract = {
        "slides_total",
        "slides_counted",
        "hidden_slides",
        "estimated_seconds",
        "range_seconds",
    }
    contract |= {"limit_seconds", "verdict", "method", "per_slide", "warnings"}
    assert contract <= data.keys()
    assert (data["hidden_slides"], data["verdict"], data["method"]) == ([2], "ok", "estimated")
    slide = {
        "slide",
        "title",
        "seconds",
        "source",
        "hidden",
        "notes_chars",
        "text_chars",
        "media_seconds",
    }
    assert slide <= data["per_slide"][0].keys()
    assert "text" not in data["per_slide"][0]
    assert data["warnings"][0] == {
        "code": "hidden_slides",
        "message": "第 2 页是隐藏幻灯片，放映时不显示，不计入时长。",
        "slides": [2],
    }


def test_to_dict_includes_texts_on_request(tmp_path):
    deck = build_deck(tmp_path / "d.pptx", [SlideSpec("标题", "正文", notes="讲稿")])

    slide = analyze_pptx(deck).to_dict(include_text=True)["per_slide"][0]

    assert (slide["text"], slide["notes"]) == ("标题\n正文", "讲稿")


@pytest.mark.parametrize(
    ("folder", "target", "part"),
    [
        ("ppt", "slides/slide1.xml", "ppt/slides/slide1.xml"),
        ("ppt/slides", "../media/media%201.mp4", "ppt/media/media 1.mp4"),
        ("ppt/slides", "/ppt/notesSlides/notesSlide1.xml", "ppt/notesSlides/notesSlide1.xml"),
        ("ppt/slides", "..\\media\\clip.wav", "ppt/media/clip.wav"),
        ("", "ppt/presentation.xml", "ppt/presentation.xml"),
        ("ppt/slides", "../../../x", None),
        ("ppt/slides", "/../x", None),
        ("ppt", "", None),
    ],
)
def test_relationship_targets_resolve_inside_the_package_only(folder, target, part):
    assert resolve_target(folder, target) == part

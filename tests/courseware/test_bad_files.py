"""Refusals: every bad or hostile file gives an AnalysisError with a code and one Chinese line."""

import os
import re
import time
from pathlib import Path

import pytest

from lecturehub.courseware.analysis import (
    AnalysisError,
    AnalysisSettings,
    PackageLimits,
    analyze_pptx,
    sniff,
)
from tests import pptx_factory as f

HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="session")
def zip_bomb(tmp_path_factory):
    """1.5 GB of zeros as slide 1 (~1.5 MB on disk); built once per session (a few seconds)."""
    folder = tmp_path_factory.mktemp("bomb")
    base = f.build_deck(folder / "base.pptx", ["一"])
    return f.zip_bomb_deck(folder / "bomb.pptx", base)


def refusal(path: Path, settings: AnalysisSettings | None = None) -> AnalysisError:
    with pytest.raises(AnalysisError) as caught:
        analyze_pptx(path, settings)
    return caught.value


def test_empty_file_is_refused(tmp_path):
    assert refusal(f.empty_file(tmp_path / "a.pptx")).code == "empty_file"


def test_legacy_ppt_is_refused_with_a_save_as_pptx_hint(tmp_path):
    error = refusal(f.legacy_ppt(tmp_path / "a.ppt"))

    assert error.code == "legacy_ppt"
    assert "另存为 .pptx" in error.message


def test_encrypted_legacy_ppt_is_refused_as_encrypted(tmp_path):
    assert refusal(f.legacy_ppt(tmp_path / "a.ppt", encrypted=True)).code == "encrypted"


def test_password_protected_pptx_is_refused_as_encrypted(tmp_path):
    assert refusal(f.encrypted_ooxml(tmp_path / "a.pptx")).code == "encrypted"


def test_other_ole2_file_is_not_a_presentation(tmp_path):
    assert refusal(f.ole2_word(tmp_path / "a.ppt")).code == "not_presentation"


def test_pdf_named_pptx_is_not_a_presentation(tmp_path):
    error = refusal(f.pdf_file(tmp_path / "slides.pptx"))

    assert (error.code, error.message) == (
        "not_presentation",
        "这不是 PowerPoint 演示文稿（PDF 文件），请上传 .pptx 格式的课件。",
    )


def test_random_bytes_are_not_a_presentation(tmp_path):
    path = tmp_path / "a.pptx"
    path.write_bytes(os.urandom(4096).replace(b"PK", b"pk").replace(b"\xd0\xcf", b"xx"))

    assert refusal(path).code == "not_presentation"


def test_docx_is_not_a_presentation(tmp_path):
    error = refusal(f.docx_file(tmp_path / "a.pptx"))

    assert (error.code, "Word 文档" in error.message) == ("not_presentation", True)


def test_zip_without_content_types_is_not_a_presentation(tmp_path, deck):
    path = f.without_member(tmp_path / "a.pptx", deck, "[Content_Types].xml")

    assert refusal(path).code == "not_presentation"


def test_template_is_refused(tmp_path):
    assert refusal(f.build_deck(tmp_path / "a.potx", ["一"], kind="potx")).code == "template"


def test_theme_is_refused(tmp_path):
    assert refusal(f.theme_file(tmp_path / "a.thmx")).code == "theme"


def test_truncated_zip_is_corrupt(tmp_path, deck):
    assert refusal(f.truncated_zip(tmp_path / "a.pptx", deck)).code == "corrupt_zip"


def test_member_inflating_past_its_declared_size_is_refused(tmp_path, deck):
    assert refusal(f.lying_size_deck(tmp_path / "a.pptx", deck)).code == "zip_bomb"


def test_member_with_a_bad_crc_is_corrupt(tmp_path, deck):
    assert refusal(f.bad_crc_deck(tmp_path / "a.pptx", deck)).code == "corrupt_zip"


def test_broken_xml_is_corrupt_xml(tmp_path, deck):
    path = f.replace_member(tmp_path / "a.pptx", deck, "ppt/slides/slide1.xml", b"<p:sld")

    assert refusal(path).code == "corrupt_xml"


def test_zip_bomb_is_refused_quickly_without_inflating(zip_bomb):
    started = time.perf_counter()
    error = refusal(zip_bomb)

    assert error.code == "zip_bomb"
    assert time.perf_counter() - started < 2  # a hang guard: inflating would take ~10 s


def test_zip_bomb_is_refused_by_sniff_too(zip_bomb):
    with pytest.raises(AnalysisError) as caught:
        sniff(zip_bomb)

    assert caught.value.code == "zip_bomb"


def test_xml_part_over_the_size_limit_is_refused(deck):
    settings = AnalysisSettings(limits=PackageLimits(max_xml_part_bytes=1000))

    assert refusal(deck, settings).code == "zip_bomb"


def test_file_over_the_size_limit_is_too_large(deck):
    settings = AnalysisSettings(limits=PackageLimits(max_file_bytes=1000))

    assert refusal(deck, settings).code == "too_large"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_xxe_is_refused_and_never_leaks(tmp_path, deck, encoding):
    error = refusal(f.xxe_deck(tmp_path / "a.pptx", deck, encoding=encoding))

    assert error.code == "unsafe_xml"
    assert "root:" not in error.message and "passwd" not in error.message


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_billion_laughs_is_refused_fast(tmp_path, deck, encoding):
    path = f.billion_laughs_deck(tmp_path / "a.pptx", deck, encoding=encoding)
    started = time.perf_counter()

    assert refusal(path).code == "unsafe_xml"
    assert time.perf_counter() - started < 5  # a hang guard only; it takes milliseconds


def test_member_path_traversal_is_never_extracted(tmp_path, monkeypatch):
    work = tmp_path / "a" / "b" / "c"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    wav = f.make_wav(tmp_path / "w.wav", 1)
    rels = {1: [(f.REL + "audio", "../../../../x"), (f.REL + "audio", "../../../../../y")]}
    deck = f.build_deck(
        tmp_path / "d.pptx",
        ["一"],
        extra_rels=rels,
        extra_members={"../../x": wav.read_bytes(), "../y": b"y"},
    )

    result = analyze_pptx(deck)

    assert [(w.code, w.slides) for w in result.warnings] == [("missing_part", (1,))]
    assert result.media == ()
    assert [p.name for p in tmp_path.rglob("*") if p.name in {"x", "y"}] == []
    assert not (tmp_path.parent / "x").exists() and not (tmp_path.parent / "y").exists()


def test_deck_without_slides_is_refused(tmp_path):
    error = refusal(f.build_deck(tmp_path / "a.pptx", []))

    assert (error.code, error.message) == ("no_slides", "课件中没有幻灯片，请检查后重新上传。")


BAD_FILES = {
    "empty_file": lambda d, p: f.empty_file(p),
    "legacy_ppt": lambda d, p: f.legacy_ppt(p),
    "encrypted": lambda d, p: f.encrypted_ooxml(p),
    "not_presentation": lambda d, p: f.pdf_file(p),
    "template": lambda d, p: f.build_deck(p, ["一"], kind="potx"),
    "theme": lambda d, p: f.theme_file(p),
    "corrupt_zip": lambda d, p: f.truncated_zip(p, d),
}


@pytest.mark.parametrize("code", sorted(BAD_FILES))
def test_sniff_refuses_like_analyze(tmp_path, deck, code):
    path = BAD_FILES[code](deck, tmp_path / "bad.pptx")

    with pytest.raises(AnalysisError) as caught:
        sniff(path)

    assert (caught.value.code, refusal(path).code) == (code, code)


@pytest.mark.parametrize("code", sorted(BAD_FILES))
def test_refusal_message_is_one_line_of_chinese(tmp_path, deck, code):
    error = refusal(BAD_FILES[code](deck, tmp_path / "bad.pptx"))

    assert HAN.search(error.message) and "\n" not in error.message
    assert str(error) == error.message

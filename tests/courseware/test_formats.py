"""What a speaker brings is told apart by content, and a hostile file is refused before
LibreOffice could ever see it (no LibreOffice needed here)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from lecturehub.courseware.analysis import AnalysisError
from lecturehub.courseware.formats import Source, sniff_source
from tests import pptx_factory as pf
from tests.data import SAMPLE_DECKS
from tests.factories import office as of

POI_PPT = SAMPLE_DECKS / "poi__empty.ppt"
ENCRYPTED_PPT = SAMPLE_DECKS / "poi__ppt_with_png_encrypted.ppt"


def refusal(path: Path, name: str | None = None) -> tuple[str, str]:
    with pytest.raises(AnalysisError) as caught:
        sniff_source(path, name or path.name)
    return caught.value.code, caught.value.message


@pytest.mark.parametrize(
    ("name", "expected"),
    [("旧课件.ppt", "ppt"), ("放映.pps", "pps"), ("WPS演示.dps", "dps"), ("无扩展名", "ppt")],
)
def test_a_powerpoint_binary_is_named_by_its_extension(name, expected):
    assert sniff_source(POI_PPT, name) == Source(expected)


@pytest.mark.parametrize("name", ["模板.pot", "模板.dpt", "模板.potx"])
def test_binary_templates_are_refused_by_their_name(name):
    assert refusal(POI_PPT, name) == (
        "template",
        "这是演示文稿模板（.pot/.dpt/.otp），不是课件。请用模板做好演示文稿，另存为 .pptx 后上传。",
    )


def test_an_encrypted_ppt_is_refused_as_encrypted():
    assert refusal(ENCRYPTED_PPT)[0] == "encrypted"


def test_a_shell_of_a_ppt_without_its_edit_record_is_unreadable(tmp_path):
    assert refusal(pf.legacy_ppt(tmp_path / "a.ppt"))[0] == "unreadable"


def test_a_word_97_file_renamed_ppt_is_not_a_presentation(tmp_path):
    assert refusal(pf.ole2_word(tmp_path / "a.ppt"))[0] == "not_presentation"


def test_content_wins_over_the_name(tmp_path):
    deck = pf.build_deck(tmp_path / "a.pptx", ["一"], kind="ppsx")
    assert sniff_source(deck, "其实是.ppt") == Source("ppsx")
    assert sniff_source(of.odp_file(tmp_path / "b.odp"), "其实是.pptx") == Source("odp")


def test_an_odp_with_basic_macros_is_accepted_and_says_so(tmp_path):
    macro = {"Basic/Standard/Module1.xml": of.BASIC_MODULE.format(marker="/x").encode()}
    assert sniff_source(of.odp_file(tmp_path / "m.odp", members=macro), "m.odp") == Source(
        "odp", has_macros=True
    )


def test_an_odp_template_is_refused(tmp_path):
    path = of.odp_file(tmp_path / "t.otp", mimetype=of.ODP + "-template")
    assert refusal(path)[0] == "template"


def test_an_opendocument_text_renamed_odp_is_not_a_presentation(tmp_path):
    path = of.odp_file(tmp_path / "t.odp", mimetype="application/vnd.oasis.opendocument.text")
    assert refusal(path) == (
        "not_presentation",
        "这不是 PowerPoint 演示文稿（OpenDocument 文件，可在 WPS 中另存为 .pptx），"
        "请上传 .pptx 格式的课件。",
    )


def test_an_encrypted_odp_is_refused(tmp_path):
    path = of.odp_file(tmp_path / "e.odp", manifest_extra=of.ENCRYPTED)
    assert refusal(path)[0] == "encrypted"


def test_an_odp_without_pages_is_refused(tmp_path):
    assert refusal(of.odp_file(tmp_path / "e.odp", pages=0))[0] == "no_slides"


XXE = (
    '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    f"<office:document-content {of.OFFICE_NS}><office:body><office:presentation>"
    "<draw:page><text:p>&x;</text:p></draw:page></office:presentation></office:body>"
    "</office:document-content>"
)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_an_external_entity_in_an_odp_is_refused(tmp_path, encoding):
    content = XXE.replace('version="1.0"', f'version="1.0" encoding="{encoding}"')
    path = of.odp_file(tmp_path / "x.odp", content=content)
    if encoding == "utf-16":
        path = of.odp_file(tmp_path / "x.odp", members={"styles.xml": content.encode("utf-16")})
    assert refusal(path)[0] == "unsafe_xml"


def test_an_entity_in_a_part_the_analysis_never_reads_is_refused(tmp_path, deck):
    lol = b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">]><l>&a;</l>'
    path = pf.with_member(tmp_path / "lol.pptx", deck, "ppt/slideLayouts/extra.xml", lol)
    assert refusal(path)[0] == "unsafe_xml"


def test_a_dtd_file_inside_the_package_is_refused(tmp_path):
    path = of.odp_file(tmp_path / "d.odp", members={"Basic/module.dtd": b"<!ENTITY x 'y'>"})
    assert refusal(path)[0] == "unsafe_xml"


def test_an_svg_with_a_plain_doctype_is_accepted(tmp_path, deck):
    svg = (
        b'<?xml version="1.0"?><!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
        b'"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd"><svg/>'
    )
    path = pf.with_member(tmp_path / "svg.pptx", deck, "ppt/media/image9.svg", svg)
    assert sniff_source(path, "svg.pptx") == Source("pptx")


@pytest.mark.parametrize(
    ("bomb", "name"), [("pptx", "炸弹.ppt"), ("pptx", "炸弹.odp"), ("odp", "炸弹.odp")]
)
def test_a_zip_bomb_as_ppt_or_odp_is_refused(tmp_path, zip_bombs, bomb, name):
    path = tmp_path / name
    shutil.copyfile(zip_bombs[bomb], path)
    assert refusal(path)[0] == "zip_bomb"


def test_an_xml_attack_renamed_odp_is_refused(tmp_path, deck):
    assert refusal(pf.billion_laughs_deck(tmp_path / "lol.odp", deck))[0] == "unsafe_xml"

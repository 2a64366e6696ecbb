"""Courseware fixtures: a speaker, a talk of theirs to upload to, their API headers, and a good
deck to break in the refusal tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import pptx_factory
from tests.factories import bearer, make_token, make_user
from tests.factories import office as office_factory
from tests.factories.courseware import make_lecture


@pytest.fixture
def speaker(app):
    return make_user("speaker", "王讲师")


@pytest.fixture
def lecture(speaker):
    """A talk of ``speaker``'s titled 乡村振兴政策解读, a few days ahead."""
    return make_lecture(speaker)


@pytest.fixture
def speaker_headers(speaker) -> dict:
    """The speaker's API token as an Authorization header."""
    return bearer(make_token(speaker))


@pytest.fixture
def deck(tmp_path) -> Path:
    """A good two-slide deck whose first slide says MARK (the base of the broken files)."""
    return pptx_factory.build_deck(tmp_path / "base.pptx", ["MARK", "第二页"])


@pytest.fixture(scope="session")
def office_decks(tmp_path_factory) -> dict[str, Path]:
    """Real decks with Chinese text in the formats LibreOffice converts, made once per session
    the way a speaker's office software makes them: a python-pptx deck ("pptx", 3 slides, one
    minute of notes each) saved by LibreOffice as .ppt ("ppt") and .odp ("odp"), and that .odp
    with a Basic macro bound to opening it ("odp_macro", which would write "macro_marker")."""
    if office_factory.SOFFICE is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    folder = tmp_path_factory.mktemp("office-decks")
    pptx = pptx_factory.build_deck(folder / "乡村振兴.pptx", office_factory.slides_zh(3))
    ppt = office_factory.convert_deck(pptx, "ppt", folder / "乡村振兴.ppt", folder / "w1")
    odp = office_factory.convert_deck(pptx, "odp", folder / "乡村振兴.odp", folder / "w2")
    marker = folder / "macro-ran.txt"
    macro = office_factory.with_basic_macro(folder / "宏.odp", odp, marker)
    return {"pptx": pptx, "ppt": ppt, "odp": odp, "odp_macro": macro, "macro_marker": marker}


@pytest.fixture(scope="session")
def zip_bombs(tmp_path_factory) -> dict[str, Path]:
    """A .pptx and an .odp whose slide/content part inflates to 200 MB of zeros (a ratio no
    real XML part has; ~200 KB on disk each), built once per session."""
    folder = tmp_path_factory.mktemp("bombs")
    base = pptx_factory.build_deck(folder / "base.pptx", ["一"])
    return {
        "pptx": pptx_factory.zip_bomb_deck(folder / "bomb.pptx", base, size=200_000_000),
        "odp": office_factory.zip_bomb_odp(folder / "bomb.odp", size=200_000_000),
    }

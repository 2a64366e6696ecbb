"""Courseware fixtures: a speaker, a talk of theirs to upload to, their API headers, and a good
deck to break in the refusal tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import pptx_factory
from tests.factories import bearer, make_token, make_user
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

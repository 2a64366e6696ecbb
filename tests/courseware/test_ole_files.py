"""OLE2 compound files (legacy .ppt, encrypted OOXML) are read with olefile, within a budget."""

import struct
import tracemalloc
from pathlib import Path

import pytest

from lecturehub.courseware.analysis import AnalysisError, analyze_pptx

MiB = 1024 * 1024
ENDOFCHAIN, FATSECT, FREESECT, NOSTREAM = 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF, 0xFFFFFFFF


def _entry(name: str, kind: int, left: int, right: int, child: int) -> bytes:
    raw = name.encode("utf-16-le") + b"\0\0"
    fields = (raw, len(raw), kind, 1, left, right, child, ENDOFCHAIN, 0)
    return struct.pack("<64sHBBIII16x4x16xIQ", *fields)


def many_entries(path: Path, count: int, named: str) -> Path:
    """A v4 compound file (4096-byte sectors) whose directory holds ``count`` empty streams in
    a balanced tree (entry k has children 2k and 2k+1), all reachable from the root; the
    deepest one is called ``named``."""
    entries = [_entry("Root Entry", 5, NOSTREAM, NOSTREAM, 1)]
    for k in range(1, count + 1):
        name = named if k == count else f"s{k}"
        left, right = (k if k <= count else NOSTREAM for k in (2 * k, 2 * k + 1))
        entries.append(_entry(name, 2, left, right, NOSTREAM))
    directory = b"".join(entries).ljust(-(-len(entries) * 128 // 4096) * 4096, b"\0")
    dir_sectors = len(directory) // 4096
    fat_sectors = -(-(dir_sectors + 1) * 4 // 4096)
    fat = [FATSECT] * fat_sectors + [fat_sectors + i + 1 for i in range(dir_sectors)]
    fat[-1] = ENDOFCHAIN
    fat += [FREESECT] * (fat_sectors * 1024 - len(fat))
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16)
    header += struct.pack("<HHHHH6x", 0x3E, 4, 0xFFFE, 12, 6)
    header += struct.pack("<9I", 0, fat_sectors, fat_sectors, 0, 4096, ENDOFCHAIN, 0, ENDOFCHAIN, 0)
    header += struct.pack("<109I", *range(fat_sectors), *[FREESECT] * (109 - fat_sectors))
    path.write_bytes(header.ljust(4096, b"\0") + struct.pack(f"<{len(fat)}I", *fat) + directory)
    return path


def refusal_code(path: Path) -> str:
    with pytest.raises(AnalysisError) as caught:
        analyze_pptx(path)
    return caught.value.code


@pytest.mark.parametrize(
    ("named", "code"),
    [("EncryptedPackage", "encrypted"), ("PowerPoint Document", "legacy_ppt")],
)
def test_a_stream_deep_in_the_directory_tree_names_the_refusal(tmp_path, named, code):
    assert refusal_code(many_entries(tmp_path / "a.ppt", 500, named)) == code


def test_a_directory_of_a_hundred_thousand_entries_is_refused_without_parsing_it(tmp_path):
    path = many_entries(tmp_path / "a.ppt", 100_000, "EncryptedPackage")  # 12 MiB of directory
    tracemalloc.start()
    try:
        code = refusal_code(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert code == "legacy_ppt"
    assert peak < 4 * MiB

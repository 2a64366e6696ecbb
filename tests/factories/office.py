"""Decks in the formats LibreOffice converts (.ppt, .odp) and hostile ones, and the skip mark
for tests that need LibreOffice and poppler.

Real .ppt and .odp files are made the way a speaker's office software would make them: a
python-pptx deck with Chinese text (``tests.pptx_factory``) converted by LibreOffice through
the app's own sandbox (``courseware.office.convert``); see the session fixture ``office_decks``
in ``tests/courseware/conftest.py``. Minimal OpenDocument zips for the refusal tests are
written here by hand (no LibreOffice needed).
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import olefile
import pytest

from lecturehub.courseware import office
from tests import pptx_factory as pf

SOFFICE = office.find_program(None, "soffice", "libreoffice")
PDFTOPPM = office.find_program(None, "pdftoppm")
needs_office = pytest.mark.skipif(
    SOFFICE is None or PDFTOPPM is None,
    reason="LibreOffice (soffice) and poppler (pdftoppm) are not installed "
    "(apt-get install libreoffice-impress-nogui poppler-utils fonts-noto-cjk)",
)
ODP = "application/vnd.oasis.opendocument.presentation"
OFFICE_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)
MANIFEST = (
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
    '<manifest:file-entry manifest:full-path="/" manifest:media-type="{type}"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "{extra}</manifest:manifest>"
)
ENCRYPTED = (
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml">'
    '<manifest:encryption-data manifest:checksum-type="SHA1/1K" manifest:checksum="x"/>'
    "</manifest:file-entry>"
)


def slides_zh(count: int = 3) -> list[pf.SlideSpec]:
    """Slides in Chinese with notes (about 1 minute each at 180 Han characters a minute)."""
    notes = "推进乡村振兴产业发展人才培养生态保护组织建设" * 9
    return [
        pf.SlideSpec(f"乡村振兴第{n}讲", f"要点{n}：产业兴旺、生态宜居", notes=notes[:180])
        for n in range(1, count + 1)
    ]


def tools(profile: Path | None = None, **limits) -> office.Tools:
    return office.Tools(SOFFICE, PDFTOPPM, profile_template=profile, **limits)


def convert_deck(pptx: Path, target: str, out: Path, work: Path) -> Path:
    """``pptx`` saved as ``target`` (ppt, odp) by LibreOffice, through the app's sandbox."""
    made, _run = office.convert(tools(), pptx, "pptx", target, work)
    shutil.copyfile(made, out)
    return out


def odp_file(
    path: Path,
    pages: int = 2,
    *,
    mimetype: str = ODP,
    content: str | None = None,
    manifest_extra: str = "",
    members: dict[str, bytes] | None = None,
) -> Path:
    """A minimal OpenDocument presentation zip: ``pages`` pages of text, or ``content``."""
    body = "".join(
        f'<draw:page draw:name="p{n}"><draw:frame><draw:text-box><text:p>第{n}页</text:p>'
        "</draw:text-box></draw:frame></draw:page>"
        for n in range(1, pages + 1)
    )
    content = content or (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {OFFICE_NS}>'
        f"<office:body><office:presentation>{body}</office:presentation></office:body>"
        "</office:document-content>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        out.writestr("content.xml", content)
        out.writestr("META-INF/manifest.xml", MANIFEST.format(type=mimetype, extra=manifest_extra))
        for name, data in (members or {}).items():
            out.writestr(name, data)
    return Path(path)


def zip_bomb_odp(path: Path, size: int = 1_500_000_000) -> Path:
    """An .odp whose content.xml declares 1.5 GB (zeros; ~1.5 MB on disk)."""
    base = odp_file(path.with_name("bomb-base.odp"))
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            if info.filename != "content.xml":
                out.writestr(info, src.read(info))
        with out.open("content.xml", "w", force_zip64=True) as member:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(size // len(chunk)):
                member.write(chunk)
    return Path(path)


BASIC_MODULE = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">
<script:module xmlns:script="http://openoffice.org/2000/script" script:name="Module1" \
script:language="StarBasic">Sub Main
  Dim n As Integer
  n = FreeFile()
  Open "{marker}" For Output As #n
  Print #n, "ran"
  Close #n
End Sub
</script:module>"""
BASIC_LIBRARY = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE library:library PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "library.dtd">
<library:library xmlns:library="http://openoffice.org/2000/library" library:name="Standard" \
library:readonly="false" library:passwordprotected="false">
 <library:element library:name="Module1"/>
</library:library>"""
BASIC_LIBRARIES = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE library:libraries PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" \
"libraries.dtd">
<library:libraries xmlns:library="http://openoffice.org/2000/library" \
xmlns:xlink="http://www.w3.org/1999/xlink">
 <library:library library:name="Standard" library:link="false"/>
</library:libraries>"""
ON_LOAD = (
    "<office:scripts><office:event-listeners>"
    '<script:event-listener script:language="ooo:script" script:event-name="dom:load" '
    'xlink:href="vnd.sun.star.script:Standard.Module1.Main?language=Basic&amp;location=document" '
    'xlink:type="simple"/></office:event-listeners></office:scripts>'
)


def with_basic_macro(path: Path, source: Path, marker: Path) -> Path:
    """``source`` (an .odp LibreOffice wrote) with a Basic macro that writes ``marker``,
    bound to the document's load event — as LibreOffice stores one (DOCTYPEs included)."""
    entries = "".join(
        f'<manifest:file-entry manifest:full-path="{name}" manifest:media-type="text/xml"/>'
        for name in (
            "Basic/Standard/Module1.xml",
            "Basic/Standard/script-lb.xml",
            "Basic/script-lc.xml",
        )
    )
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "content.xml":
                data = data.replace(b"<office:scripts/>", ON_LOAD.encode())
            if info.filename == "META-INF/manifest.xml":
                data = data.replace(
                    b"</manifest:manifest>", entries.encode() + b"</manifest:manifest>"
                )
            out.writestr(info, data)
        out.writestr("Basic/Standard/Module1.xml", BASIC_MODULE.format(marker=marker))
        out.writestr("Basic/Standard/script-lb.xml", BASIC_LIBRARY)
        out.writestr("Basic/script-lc.xml", BASIC_LIBRARIES)
    return Path(path)


def broken_ppt(path: Path, source: Path) -> Path:
    """A real .ppt whose records are wiped, all but the edit record its Current User atom
    points at: it passes the checks before LibreOffice, which cannot open it."""
    shutil.copyfile(source, path)
    with olefile.OleFileIO(str(path), write_mode=True) as ole:
        user = ole.openstream("Current User").read()
        offset = int.from_bytes(user[16:20], "little")
        data = bytearray(ole.openstream("PowerPoint Document").read())
        keep = bytes(data[offset : offset + 36])
        data[:] = b"\xff" * len(data)
        data[offset : offset + 36] = keep
        ole.write_stream("PowerPoint Document", bytes(data))
    return Path(path)

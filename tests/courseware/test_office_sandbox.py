"""LibreOffice runs boxed in: a time limit that kills the whole process group, a memory limit,
no network, no files outside the deck, a profile of its own."""

from __future__ import annotations

import http.server
import os
import re
import threading
import time
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from lecturehub.courseware import office
from tests import pptx_factory as pf
from tests.factories import office as of

PIC = (
    '<p:pic><p:nvPicPr><p:cNvPr id="99" name="Linked"/><p:cNvPicPr/><p:nvPr/></p:nvPicPr>'
    '<p:blipFill><a:blip r:link="rIdLinked"/><a:stretch><a:fillRect/></a:stretch></p:blipFill>'
    '<p:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="3000000" cy="3000000"/></a:xfrm>'
    '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></p:spPr></p:pic>'
)
IMAGE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"


def linked_image_deck(path: Path, source: Path, target: str) -> Path:
    """``source`` with a picture on slide 1 whose image is only linked, at ``target``."""
    rel = (
        f'<Relationship Id="rIdLinked" Type="{IMAGE_REL}" Target="{target}" '
        'TargetMode="External"/></Relationships>'
    )
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "ppt/slides/slide1.xml":
                data = data.replace(b"</p:spTree>", PIC.encode() + b"</p:spTree>")
            if info.filename == "ppt/slides/_rels/slide1.xml.rels":
                data = data.replace(b"</Relationships>", rel.encode())
            out.writestr(info, data)
    return path


def fake_tool(path: Path, body: str) -> str:
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)
    return str(path)


@pytest.mark.skipif(os.name != "posix", reason="process groups and rlimits are POSIX")
def test_a_run_over_its_time_limit_is_killed_with_its_children(tmp_path):
    pids = tmp_path / "pids"
    hang = fake_tool(tmp_path / "soffice", f"sleep 60 & echo $! > {pids}; echo $$ >> {pids}; wait")
    tools = office.Tools(hang, None, timeout_seconds=1, isolate_network=False)
    started = time.monotonic()

    with pytest.raises(office.OfficeError) as caught:
        office.convert(tools, pf.build_deck(tmp_path / "a.pptx", ["一"]), "pptx", "pdf", tmp_path)

    assert (caught.value.code, caught.value.message) == (
        "timeout",
        "转换超时（超过 1 秒），已中止。",
    )
    assert time.monotonic() - started < 10
    assert [pid for pid in map(int, pids.read_text().split()) if running(pid)] == []


def running(pid: int) -> bool:
    """Alive and not a zombie waiting for a parent that reaps it (PID 1 of a container may not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not stat.exists() or stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"


@of.needs_office
def test_libreoffice_over_its_memory_limit_fails_with_a_reason(tmp_path):
    tools = of.tools(memory_bytes=64 * office.MiB)
    deck = pf.build_deck(tmp_path / "a.pptx", ["一"])

    with pytest.raises(office.OfficeError) as caught:
        office.convert(tools, deck, "pptx", "pdf", tmp_path / "work")

    assert (caught.value.code, caught.value.message) == (
        "failed",
        "LibreOffice 无法打开或转换该文件（文件可能已损坏，或转换所需内存超过 64 MB 的上限）。",
    )


class _Recorder(http.server.BaseHTTPRequestHandler):
    seen: list[str] = []

    def do_GET(self):
        self.seen.append(self.path)
        self.send_response(404)
        self.end_headers()

    do_OPTIONS = do_HEAD = do_GET

    def log_message(self, *args):
        pass


@of.needs_office
def test_a_deck_linking_to_the_network_or_a_server_file_reaches_neither(tmp_path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    secret = tmp_path / "secret.png"
    Image.new("RGB", (40, 40), "red").save(secret)  # LibreOffice would embed it if it may
    base = pf.build_deck(tmp_path / "base.pptx", ["一"])
    url = f"http://127.0.0.1:{server.server_port}/tracker.png"
    try:
        for target, name in ((url, "web"), (secret.as_uri(), "file")):
            deck = linked_image_deck(tmp_path / f"{name}.pptx", base, target)
            pdf, _run = office.convert(of.tools(), deck, "pptx", "pdf", tmp_path / name)
            assert re.search(rb"/Subtype\s*/Image", pdf.read_bytes()) is None  # nothing loaded
    finally:
        server.shutdown()
    assert _Recorder.seen == []

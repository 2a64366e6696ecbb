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
    assert survivors(map(int, pids.read_text().split())) == []


def survivors(pids, wait: float = 5.0) -> list[int]:
    """The processes still alive once the kernel has had ``wait`` seconds to finish a SIGKILL
    sent to their group (delivery is asynchronous; on a loaded machine it takes a moment)."""
    pids, deadline = list(pids), time.monotonic() + wait
    while any(running(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    return [pid for pid in pids if running(pid)]


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


# A stand-in soffice: makes the profile it is given (slowly, as LibreOffice's first start does)
# and, when asked to convert, writes a non-empty output into --outdir.
FAKE_SOFFICE = """
out=""; deck=""; prev=""
for a in "$@"; do
  case "$a" in
    -env:UserInstallation=file://*) p="${a#-env:UserInstallation=file://}";
                                     mkdir -p "$p/user"; echo made > "$p/user/made";;
  esac
  [ "$prev" = "--outdir" ] && out="$a"
  prev="$a"; deck="$a"
done
sleep 0.3
if [ -n "$out" ]; then n=$(basename "$deck"); echo converted > "$out/${n%.*}.pdf"; fi
"""


@pytest.mark.skipif(os.name != "posix", reason="a shell script stands in for soffice")
def test_conversions_starting_together_share_one_profile_template(tmp_path):
    """Six conversions (six worker processes of a fresh server) start before any profile
    template exists: each makes one, one wins, and none fails while another renews it."""
    soffice = fake_tool(tmp_path / "soffice", FAKE_SOFFICE)
    template = tmp_path / "previews" / "tmp" / "office-profile"
    template.parent.mkdir(parents=True)
    tools = office.Tools(soffice, None, profile_template=template, isolate_network=False)
    deck = pf.build_deck(tmp_path / "a.pptx", ["一"])
    outputs, errors = [], []

    def one(n: int) -> None:
        try:
            outputs.append(office.convert(tools, deck, "pptx", "pdf", tmp_path / f"run{n}")[0])
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=one, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert (errors, len(outputs)) == ([], 6)
    assert {out.read_text() for out in outputs} == {"converted\n"}
    assert (template / "lecturehub-profile").read_text(encoding="utf-8") == soffice
    assert sorted(p.name for p in template.parent.iterdir()) == ["office-profile"]  # no debris


@pytest.mark.skipif(os.name != "posix", reason="a shell script stands in for soffice")
def test_a_template_that_cannot_be_copied_gives_a_fresh_profile(tmp_path):
    soffice = fake_tool(tmp_path / "soffice", FAKE_SOFFICE)
    template = tmp_path / "office-profile"
    (template / "user").mkdir(parents=True)
    (template / "lecturehub-profile").write_text(soffice, encoding="utf-8")
    (template / "user" / "gone").symlink_to(tmp_path / "missing")  # copytree fails on it
    tools = office.Tools(soffice, None, profile_template=template, isolate_network=False)

    out, _run = office.convert(
        tools, pf.build_deck(tmp_path / "a.pptx", ["一"]), "pptx", "pdf", tmp_path / "run"
    )

    assert out.read_text() == "converted\n"
    settings = tmp_path / "run" / "profile" / "user" / "registrymodifications.xcu"
    assert "DisableMacrosExecution" in settings.read_text(encoding="utf-8")

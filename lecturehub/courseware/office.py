"""LibreOffice and poppler in a sandboxed child process: the only code that starts them.

Pure module (no Flask, no database): :class:`Tools` says where the programs are and the
limits; :func:`convert` turns a deck into .pptx or PDF with LibreOffice, :func:`render` turns a
PDF into one JPEG per page with ``pdftoppm``. Both raise :class:`OfficeError` (a code and one
line of Chinese) and return what the run cost (:class:`Run`: seconds, peak memory).

Every run is sandboxed:

* a directory of its own (removed by the caller) holding the input under a fixed name (the
  user's file name never reaches a path or a command line), the output, HOME and TMPDIR, and a
  LibreOffice profile of its own (``-env:UserInstallation``), copied from a template made once;
* the profile's settings: macros never run (``DisableMacrosExecution``, macro security "very
  high"), links to untrusted places are not followed (``BlockUntrustedRefererLinks``: an image
  linked on ``http://`` or ``file://`` is not loaded), every proxy points at a closed local port,
  no update check, no Java;
* no network at all on Linux when a network namespace can be made (``unshare --net``, as root,
  or ``unshare --user --map-root-user --net``); where it cannot, only the settings above;
* a time limit (the whole process group is killed) and, on POSIX, an address-space limit, a CPU
  time limit (a backstop should the server die mid-run) and no core files
  (``resource.setrlimit`` in ``preexec_fn``; inherited by LibreOffice's own child processes);
* an environment of its own: no proxy variables, nothing of the server's but PATH.

On Windows the time limit holds (``taskkill /T /F`` ends the process tree) and the profile
settings apply; memory and network are not limited there (no rlimit, no namespaces).
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

try:
    import resource
except ImportError:  # Windows: no rlimits
    resource = None

MiB = 1024 * 1024
POSIX = os.name == "posix"
IN_NAME = "deck"  # the input is always deck.<format>, the output deck.<target>
_PROFILE_SETTINGS = {
    "/org.openoffice.Office.Common/Security/Scripting": {
        "DisableMacrosExecution": "true",
        "MacroSecurityLevel": "3",
        "BlockUntrustedRefererLinks": "true",
    },
    "/org.openoffice.Inet/Settings": {
        "ooInetProxyType": "2",
        "ooInetHTTPProxyName": "127.0.0.1",
        "ooInetHTTPProxyPort": "9",
        "ooInetHTTPSProxyName": "127.0.0.1",
        "ooInetHTTPSProxyPort": "9",
        "ooInetFTPProxyName": "127.0.0.1",
        "ooInetFTPProxyPort": "9",
        "ooInetNoProxy": "",
    },
    "/org.openoffice.Office.Jobs/Jobs/org.openoffice.Office.Jobs:Job['UpdateCheck']/Arguments": {
        "AutoCheckEnabled": "false",
    },
    "/org.openoffice.Office.Java/VirtualMachine": {"Enable": "false"},
    "/org.openoffice.Office.Common/Misc": {"UseOpenCL": "false", "UseLocking": "false"},
}
# LibreOffice's PDF export skips hidden slides unless told: page n must be slide n.
PDF_FILTER = 'pdf:impress_pdf_Export:{"ExportHiddenSlides":{"type":"boolean","value":"true"}}'
TARGETS = {"pptx": "pptx", "pdf": PDF_FILTER}
_PAGE = re.compile(r"^(?P<prefix>[a-z]+)-(?P<n>\d+)\.jpg$")


class OfficeError(Exception):
    """A conversion or rendering that did not work: ``code`` and a Chinese ``message``."""

    def __init__(self, code: str, message: str, detail: str = ""):
        self.code, self.message, self.detail = code, message, detail
        super().__init__(message)


@dataclass(frozen=True)
class Tools:
    """Where LibreOffice and pdftoppm are (None: not installed) and the limits of a run."""

    soffice: str | None
    pdftoppm: str | None
    timeout_seconds: float = 300.0
    memory_bytes: int = 2048 * MiB
    isolate_network: bool = True
    profile_template: Path | None = None  # a ready profile kept here, made on first use

    @property
    def can_convert(self) -> bool:
        return self.soffice is not None

    @property
    def can_render(self) -> bool:
        return self.soffice is not None and self.pdftoppm is not None


@dataclass
class Run:
    """What a sandboxed run cost: wall seconds and the peak resident memory of the child
    and its descendants (bytes; None where it cannot be measured, e.g. Windows)."""

    seconds: float = 0.0
    peak_rss: int | None = None

    def add(self, other: Run) -> Run:
        peaks = [p for p in (self.peak_rss, other.peak_rss) if p is not None]
        return Run(self.seconds + other.seconds, max(peaks) if peaks else None)


def find_program(configured: str | None, *names: str) -> str | None:
    """The configured program (a path or a name on PATH), else the first of ``names`` found
    on PATH; None when none is there."""
    for candidate in ([configured] if configured else []) or names:
        found = shutil.which(candidate)
        if found:
            return found
    return None


# --- LibreOffice -------------------------------------------------------------------------------


def convert(tools: Tools, src: Path, source_format: str, target: str, workdir: Path):
    """Convert ``src`` (of ``source_format``) to ``target`` ("pptx", "pdf", or another of
    LibreOffice's formats: "ppt", "odp") inside ``workdir``; return (the output path, Run)."""
    if tools.soffice is None:
        raise OfficeError("unavailable", "服务器未安装 LibreOffice，无法转换。")
    box = _Box.make(workdir)
    deck = box.inbox / f"{IN_NAME}.{source_format}"
    shutil.copyfile(src, deck)
    profile = box.profile(tools)
    argv = [
        tools.soffice,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--invisible",
        "--norestore",
        "--nologo",
        "--nodefault",
        "--nolockcheck",
        "--convert-to",
        TARGETS.get(target, target),
        "--outdir",
        str(box.outbox),
        str(deck),
    ]
    run = sandboxed(argv, box, tools)
    out = box.outbox / f"{IN_NAME}.{target}"
    if not out.is_file() or out.stat().st_size == 0:
        limit = tools.memory_bytes // MiB
        raise OfficeError(
            "failed",
            "LibreOffice 无法打开或转换该文件（文件可能已损坏，"
            f"或转换所需内存超过 {limit} MB 的上限）。",
            box.log_tail(),
        )
    return out, run


class _Box:
    """The directories of one run: in/, out/, home/ (HOME, TMPDIR) and profile/."""

    def __init__(self, root: Path):
        self.root, self.inbox, self.outbox = root, root / "in", root / "out"
        self.home = root / "home"

    @classmethod
    def make(cls, root: Path) -> _Box:
        box = cls(root)
        for folder in (box.inbox, box.outbox, box.home / "tmp"):
            folder.mkdir(parents=True, exist_ok=True)
        return box

    def profile(self, tools: Tools) -> Path:
        """A fresh copy of the template profile (a new one when there is no template)."""
        target = self.root / "profile"
        shutil.rmtree(target, ignore_errors=True)
        template = ensure_template(tools)
        try:
            if template is not None:
                shutil.copytree(template, target, symlinks=False)
        except OSError:  # replaced while copied (a stale template renewed): start empty
            shutil.rmtree(target, ignore_errors=True)
        write_settings(target)
        return target

    def log_tail(self, size: int = 2000) -> str:
        path = self.root / "log.txt"
        return path.read_bytes()[-size:].decode("utf-8", "replace") if path.is_file() else ""

    def env(self) -> dict[str, str]:
        tmp = str(self.home / "tmp")
        env = {
            "PATH": os.environ.get("PATH", os.defpath),
            "HOME": str(self.home),
            "TMPDIR": tmp,
            "TMP": tmp,
            "TEMP": tmp,
            "LANG": "C.UTF-8",
            "SAL_USE_VCLPLUGIN": "svp",
        }
        if not POSIX:  # what a Windows process needs to start at all
            for key in ("SYSTEMROOT", "SYSTEMDRIVE", "WINDIR", "PATHEXT", "COMSPEC"):
                if key in os.environ:
                    env[key] = os.environ[key]
            env["USERPROFILE"] = env["APPDATA"] = env["LOCALAPPDATA"] = str(self.home)
        return env


def write_settings(profile: Path) -> None:
    """The profile's registrymodifications.xcu with the sandbox's settings (they win over
    whatever LibreOffice wrote there before)."""
    items = [
        f'<item oor:path="{path}"><prop oor:name="{name}" oor:op="fuse">'
        f"<value>{value}</value></prop></item>"
        for path, props in _PROFILE_SETTINGS.items()
        for name, value in props.items()
    ]
    xcu = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        + "\n".join(items)
        + "\n</oor:items>\n"
    )
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(xcu, encoding="utf-8")


def ensure_template(tools: Tools) -> Path | None:
    """The ready profile, made once (LibreOffice spends seconds creating a new profile on its
    first start); None when it cannot be made: then every run starts from an empty one."""
    template = tools.profile_template
    if template is None or tools.soffice is None:
        return None
    marker = template / "lecturehub-profile"
    if _ready(marker, tools):
        return template
    building = template.with_name(f"{template.name}.{secrets.token_hex(4)}.tmp")
    box = _Box.make(building / "run")
    try:
        write_settings(building / "profile")
        argv = [
            tools.soffice,
            f"-env:UserInstallation={(building / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--nologo",
            "--terminate_after_init",
        ]
        sandboxed(argv, box, tools)
        (building / "profile" / "lecturehub-profile").write_text(tools.soffice, encoding="utf-8")
        if _ready(marker, tools):  # another process made it meanwhile and may be copying it
            return template
        stale = template.with_name(f"{template.name}.{secrets.token_hex(4)}.old")
        with contextlib.suppress(FileNotFoundError):
            os.replace(template, stale)  # aside in one step, never deleted under a copier
        os.replace(building / "profile", template)
        shutil.rmtree(stale, ignore_errors=True)
    except (OfficeError, OSError):
        return template if _ready(marker, tools) else None  # another process made it meanwhile
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return template


def _ready(marker: Path, tools: Tools) -> bool:
    with contextlib.suppress(OSError):
        return marker.read_text(encoding="utf-8") == tools.soffice
    return False


# --- poppler -----------------------------------------------------------------------------------


def render(tools: Tools, pdf: Path, workdir: Path, prefix: str, width: int):
    """One JPEG per page of ``pdf``, ``width`` pixels wide, as ``<prefix>-<n>.jpg`` in
    ``workdir/<prefix>/``; return (the paths in page order, Run)."""
    if tools.pdftoppm is None:
        raise OfficeError("unavailable", "服务器未安装 poppler（pdftoppm），无法生成幻灯片图片。")
    box = _Box.make(workdir)
    folder = box.root / prefix
    folder.mkdir(exist_ok=True)
    argv = [
        tools.pdftoppm,
        "-jpeg",
        "-jpegopt",
        "quality=82,optimize=y",
        "-scale-to-x",
        str(width),
        "-scale-to-y",
        "-1",
        str(pdf),
        str(folder / prefix),
    ]
    run = sandboxed(argv, box, tools)
    pages = sorted(
        (int(m["n"]), folder / m.group(0))
        for m in (_PAGE.match(p.name) for p in folder.iterdir())
        if m and m["prefix"] == prefix
    )
    if not pages:
        raise OfficeError("failed", "未能从转换结果生成幻灯片图片。")
    return [path for _n, path in pages], run


# --- the sandbox -------------------------------------------------------------------------------


def sandboxed(argv: list[str], box: _Box, tools: Tools) -> Run:
    """Run ``argv`` in the sandbox; raise OfficeError on a timeout."""
    argv = [*network_jail(tools.isolate_network), *argv]
    log = (box.root / "log.txt").open("ab")
    started = time.monotonic()
    try:
        with log:
            proc = subprocess.Popen(
                argv,
                cwd=box.home,
                env=box.env(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                **_spawn_options(tools),
            )
            peak = _wait(proc, started + tools.timeout_seconds)
    except FileNotFoundError as exc:
        raise OfficeError("unavailable", f"找不到程序 {Path(argv[0]).name}。") from exc
    if peak is _TIMED_OUT:
        raise OfficeError("timeout", f"转换超时（超过 {tools.timeout_seconds:.0f} 秒），已中止。")
    return Run(time.monotonic() - started, peak)


_TIMED_OUT = -1


def _spawn_options(tools: Tools) -> dict:
    if not POSIX:
        return {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}
    cpu = max(1, int(tools.timeout_seconds))
    limits = functools.partial(_limits, tools.memory_bytes, cpu)
    return {"start_new_session": True, "preexec_fn": limits}


def _limits(memory_bytes: int, cpu_seconds: int) -> None:
    """In the child, before exec: only setrlimit calls (preexec_fn must stay this small). The
    CPU limit is a backstop for a child that outlives a killed server (nobody to time it)."""
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _wait(proc: subprocess.Popen, deadline: float) -> int | None:
    """Wait for the child until ``deadline``; return its peak RSS in bytes (None where not
    measured) or _TIMED_OUT. Whatever it left running in its process group is killed."""
    if not POSIX:
        try:
            proc.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            subprocess.run(["taskkill", "/T", "/F", "/PID", str(proc.pid)], capture_output=True)
            proc.wait()
            return _TIMED_OUT
        return None
    pause = 0.02
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            _kill_group(proc.pid)
            return usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)
        if time.monotonic() > deadline:
            _kill_group(proc.pid)
            os.wait4(proc.pid, 0)
            proc.returncode = -signal.SIGKILL
            return _TIMED_OUT
        time.sleep(pause)
        pause = min(pause * 1.5, 0.25)


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


@functools.lru_cache(maxsize=2)
def network_jail(wanted: bool) -> tuple[str, ...]:
    """The command prefix that runs a program without network, or () where none works."""
    unshare = shutil.which("unshare") if wanted and sys.platform.startswith("linux") else None
    if unshare is None:
        return ()
    for prefix in ((unshare, "--net"), (unshare, "--user", "--map-root-user", "--net")):
        try:
            probe = subprocess.run([*prefix, "true"], capture_output=True, timeout=10)
        except (OSError, subprocess.SubprocessError):
            continue
        if probe.returncode == 0:
            return prefix
    return ()

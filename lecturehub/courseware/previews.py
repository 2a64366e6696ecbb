"""Slide images and converted decks: derived, content-addressed data beside the files.

Everything here is made from a stored original by the background job (``conversion``) and can
be made again (``lecturehub previews``): nothing is in the database and nothing needs a backup.
Layout, under PREVIEWS_DIR (default ``storage/previews/``), per original's SHA-256::

    <sha[:2]>/<sha>/manifest.json     {"rev", "pages", "thumb_width", "large_width", "made_at"}:
                                      written last and atomically; the images are ready once
                                      it is there
    <sha[:2]>/<sha>/<rev>/thumb-<n>.jpg, large-<n>.jpg
                                      one render; a new render gets a new ``rev``, so the
                                      URLs of a render never change (served as immutable)
    <sha[:2]>/<sha>/converted.pptx    what LibreOffice made of a .ppt/.pps/.dps/.odp
    <sha[:2]>/<sha>/failed.json       {"message", "stage"}: why the last attempt failed
    tmp/                              work directories of running conversions, and
                                      office-profile/ (LibreOffice's profile template)

A version's images are removed with the version (when no other version has the same bytes).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from flask import current_app, url_for
from sqlalchemy import select

from lecturehub.core.models import DONE, FAILED, QUEUED, RUNNING, Job
from lecturehub.core.storage import KEY_RE
from lecturehub.core.timeutil import iso
from lecturehub.core.timeutil import now as local_now
from lecturehub.courseware.analysing import office_tools
from lecturehub.courseware.formats import CONVERTED
from lecturehub.courseware.models import Courseware
from lecturehub.extensions import db

PENDING, READY, FAILED_STATUS, UNAVAILABLE = "pending", "ready", "failed", "unavailable"
KINDS = ("thumb", "large")
IMAGE_NAME = re.compile(r"^(thumb|large)-([1-9][0-9]{0,3})\.jpg$")
REV_RE = re.compile(r"^[0-9a-f]{12}$")
LABELS = {"ppt": ".ppt", "pps": ".pps", "dps": "WPS .dps", "odp": ".odp"}
STALE_WORK_SECONDS = 24 * 3600


def job_key(sha256: str) -> str:
    return f"previews:{sha256}"


# --- where things are --------------------------------------------------------------------------


def root() -> Path:
    return Path(current_app.config["PREVIEWS_DIR"])


def deck_dir(sha256: str) -> Path:
    """The derived data of one original (a path from the content key, never from a name)."""
    if not KEY_RE.match(sha256 or ""):
        raise ValueError("invalid key")
    return root() / sha256[:2] / sha256


def image_path(sha256: str, rev: str, name: str) -> Path | None:
    if not REV_RE.match(rev) or not IMAGE_NAME.match(name):
        return None
    path = deck_dir(sha256) / rev / name
    return path if path.is_file() else None


def converted_path(sha256: str) -> Path:
    return deck_dir(sha256) / "converted.pptx"


@contextlib.contextmanager
def workdir() -> Iterator[Path]:
    """A work directory for one job, on the same file system as the results (so publishing
    is a rename), removed afterwards whatever happens."""
    tmp = root() / "tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix="work-", dir=tmp))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def remove_stale_work(max_age: float = STALE_WORK_SECONDS) -> int:
    """Work directories a killed process left behind (older than a day)."""
    tmp, count = root() / "tmp", 0
    for path in tmp.glob("work-*") if tmp.is_dir() else ():
        if time.time() - path.stat().st_mtime > max_age:
            shutil.rmtree(path, ignore_errors=True)
            count += 1
    return count


# --- reading -----------------------------------------------------------------------------------


def _read_json(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def manifest(sha256: str) -> dict | None:
    data = _read_json(deck_dir(sha256) / "manifest.json")
    if data is None or not REV_RE.match(str(data.get("rev", ""))):
        return None
    return data if isinstance(data.get("pages"), int) and data["pages"] > 0 else None


def failure(sha256: str) -> dict | None:
    return _read_json(deck_dir(sha256) / "failed.json")


# --- writing -----------------------------------------------------------------------------------


def _write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


def store_converted(sha256: str, path: Path) -> None:
    target = converted_path(sha256)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".converted.{secrets.token_hex(4)}")
    shutil.copyfile(path, tmp)
    os.replace(tmp, target)


def record_failure(sha256: str, message: str, stage: str) -> None:
    _write_json(deck_dir(sha256) / "failed.json", {"message": message, "stage": stage})


def publish(sha256: str, thumbs: list[Path], large: list[Path], widths: tuple[int, int]) -> str:
    """Move a render into place under a new rev, then point the manifest at it; older renders
    and an earlier failure go. Returns the rev."""
    deck, rev = deck_dir(sha256), secrets.token_hex(6)
    staging = root() / "tmp" / f"publish-{rev}"
    staging.mkdir(parents=True)
    for kind, paths in (("thumb", thumbs), ("large", large)):
        for number, path in enumerate(paths, 1):
            os.replace(path, staging / f"{kind}-{number}.jpg")
    deck.mkdir(parents=True, exist_ok=True)
    os.replace(staging, deck / rev)
    _write_json(
        deck / "manifest.json",
        {
            "rev": rev,
            "pages": min(len(thumbs), len(large)),
            "thumb_width": widths[0],
            "large_width": widths[1],
            "made_at": iso(local_now()),
        },
    )
    (deck / "failed.json").unlink(missing_ok=True)
    for old in deck.iterdir():
        if old.is_dir() and old.name != rev:
            shutil.rmtree(old, ignore_errors=True)
    return rev


def remove(sha256: str) -> None:
    """Forget everything derived from an original (its last version was deleted)."""
    shutil.rmtree(deck_dir(sha256), ignore_errors=True)


def sha_in_use(sha256: str) -> bool:
    query = select(Courseware.id).where(Courseware.sha256 == sha256).limit(1)
    return db.session.scalar(query) is not None


# --- state, for the API and the pages ---------------------------------------------------------


@dataclass(frozen=True)
class PreviewState:
    """``status``: pending | ready | failed | unavailable; ``message``: one Chinese line."""

    status: str
    message: str
    sha256: str = ""
    rev: str = ""
    pages: int = 0

    def url(self, kind: str, number: int) -> str | None:
        if self.status != READY or not 1 <= number <= self.pages:
            return None
        name = f"{kind}-{number}.jpg"
        return url_for("courseware.preview_image", sha256=self.sha256, rev=self.rev, name=name)

    def slides(self) -> list[dict]:
        return [
            {"slide": n, "thumb": self.url("thumb", n), "image": self.url("large", n)}
            for n in range(1, self.pages + 1)
        ]

    def as_dict(self) -> dict:
        return {"status": self.status, "message": self.message, "slides": self.slides()}


def job_state(sha256: str) -> tuple[str | None, int]:
    row = db.session.execute(select(Job.state, Job.tries).where(Job.key == job_key(sha256))).first()
    return (row[0], row[1]) if row else (None, 0)


def state_of(row: Courseware, current: bool = True) -> PreviewState:
    """What the talk page and the API say about a version's slide images (and, for a converted
    deck, its conversion)."""
    sha = row.sha256
    found = manifest(sha)
    if found is not None:
        message = f"共 {found['pages']} 页幻灯片图片"
        return PreviewState(READY, message, sha, found["rev"], found["pages"])
    failed = failure(sha)
    if failed is not None:
        return PreviewState(FAILED_STATUS, str(failed.get("message") or "生成失败。"), sha)
    job, tries = job_state(sha)
    if job == FAILED:
        message = f"生成幻灯片图片时出错（已尝试 {tries} 次），请党政办查看 lecturehub jobs list。"
        return PreviewState(FAILED_STATUS, message, sha)
    tools = office_tools()
    converting = row.source_format in CONVERTED and not row.analysed
    if not (tools.can_convert if converting else tools.can_render):
        missing = "LibreOffice" if tools.soffice is None else "poppler（pdftoppm）"
        return PreviewState(UNAVAILABLE, f"服务器未安装 {missing}，无法生成幻灯片图片。", sha)
    if job in (QUEUED, RUNNING) or (current and job in (None, DONE)) or converting:
        return PreviewState(PENDING, pending_message(row), sha)
    return PreviewState(UNAVAILABLE, "只为当前版本生成幻灯片图片。", sha)


def pending_message(row: Courseware) -> str:
    if row.source_format in CONVERTED and not row.analysed:
        label = LABELS.get(row.source_format, row.source_format)
        return f"生成中：正在把 {label} 转换为 .pptx 并分析时长，完成后本页自动更新。"
    return "生成中：正在生成幻灯片图片，完成后本页自动更新。"


def thumbs_for(pairs: set[tuple[int, int]]) -> dict[tuple[int, int], str]:
    """(courseware id, slide) → the slide's thumbnail URL, for those that have one (search)."""
    ids = {cid for cid, _slide in pairs}
    if not ids:
        return {}
    rows = db.session.execute(
        select(Courseware.id, Courseware.sha256).where(Courseware.id.in_(ids))
    ).all()
    states = {}
    for cid, sha in rows:
        found = manifest(sha)
        if found is not None:
            states[cid] = PreviewState(READY, "", sha, found["rev"], found["pages"])
    return {
        (cid, slide): url
        for cid, slide in pairs
        if cid in states and (url := states[cid].url("thumb", slide)) is not None
    }

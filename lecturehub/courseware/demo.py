"""Demo decks: ~12 talks get real .pptx files, built with python-pptx and uploaded through the
service as their speaker. Slide text comes from the excerpt of the government work reports
shipped in ``demo_data/`` (paragraphs matching the talk's title first; see its README.md).
One deck runs over the hour (80 slides, long notes); one has hidden slides."""

from __future__ import annotations

import functools
import itertools
import json
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

from pptx import Presentation
from sqlalchemy import select

from lecturehub.core.timeutil import now as local_now
from lecturehub.courseware import services, status
from lecturehub.extensions import db
from lecturehub.schedule.models import Lecture, Session

CORPUS = Path(__file__).resolve().parent / "demo_data" / "government_work_reports.jsonl"
CHUNK = 150
FILLER = (
    "围绕{topic}，我们坚持问题导向，梳理工作流程，分析短板弱项，总结典型案例和特色亮点。"
    "下一步将细化责任分工，加强督查考核，推动各项任务落地见效，切实提升群众满意度。"
)
GENERIC = set("的和与及工作政策解读讲解知识业务学习我乡")


@functools.lru_cache(maxsize=1)
def _paragraphs() -> tuple[str, ...]:
    out = []
    with CORPUS.open(encoding="utf-8") as fh:
        for line in fh:
            text = json.loads(line).get("content", "")
            out += [p.strip() for p in re.split(r"\n+", text) if len(p.strip()) >= 60]
    return tuple(out)


def _keywords(title: str) -> list[str]:
    chars = [ch for ch in title if "\u4e00" <= ch <= "\u9fff"]
    pairs = {a + b for a, b in zip(chars, chars[1:], strict=False)}
    return sorted(p for p in pairs if not set(p) <= GENERIC)


def source_text(title: str, wanted_chars: int) -> str:
    """Corpus paragraphs that share the most two-character words with the title first, then
    the others, over again if the deck wants more text than the excerpt holds."""
    paragraphs, keys = _paragraphs(), _keywords(title)
    if not keys:
        return (FILLER.format(topic=title or "本部门业务") * (wanted_chars // 90 + 1))[
            :wanted_chars
        ]
    scored = sorted(paragraphs, key=lambda p: -sum(p.count(k) for k in keys))
    text = ""
    for paragraph in itertools.cycle(scored):
        text += paragraph
        if len(text) >= wanted_chars:
            break
    return text[:wanted_chars]


def _chunks(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size) if text[i : i + size].strip()]


def _slide_title(chunk: str, n: int) -> str:
    head = re.split(r"[，。；：、！？]", chunk.lstrip("，。；：、！？“”　 "), maxsplit=1)[0]
    return head.strip()[:18] if len(head.strip()) >= 4 else f"第{n}部分"


def build_deck(path: Path, title: str, slides: int, notes_chars: int, hidden: int = 0) -> Path:
    """``slides`` content slides after a title slide; notes on 4 of 5 slides; the last
    ``hidden`` slides saved hidden (备用页)."""
    chunks = _chunks(source_text(title, slides * (CHUNK + notes_chars)), CHUNK + notes_chars)
    prs = Presentation()
    cover = prs.slides.add_slide(prs.slide_layouts[0])
    cover.shapes.title.text = title or "讲学课件"
    cover.placeholders[1].text = "关庙乡 · 我的业务我来讲"
    for n, chunk in enumerate(chunks[:slides], 1):
        slide = prs.slides.add_slide(prs.slide_layouts[1])
        slide.shapes.title.text = _slide_title(chunk, n)
        slide.placeholders[1].text_frame.text = chunk[:CHUNK]
        if n % 5:
            slide.notes_slide.notes_text_frame.text = chunk[CHUNK:]
        if n > slides - hidden:
            slide._element.set("show", "0")
    prs.save(path)
    return path


def _demo_lectures(now) -> list[Lecture]:
    """The 9 latest past talks and the 3 next ones, each with a speaker."""
    base = select(Lecture).join(Session, Lecture.session_id == Session.id)
    base = base.where(Lecture.speaker_id.is_not(None), Session.status != "cancelled")
    past = base.where(Session.starts_at < now).order_by(Session.starts_at.desc()).limit(9)
    future = base.where(Session.starts_at >= now).order_by(Session.starts_at).limit(3)
    return list(db.session.scalars(past)) + list(db.session.scalars(future))


def _plan(index: int) -> dict:
    if index == 1:
        return {"slides": 80, "notes_chars": 330}  # runs well over the hour
    if index == 2:
        return {"slides": 40, "notes_chars": 120, "hidden": 4}
    return {"slides": 24 + (index * 7) % 20, "notes_chars": 100 + (index * 37) % 120}


def load(progress: Callable[[str], None] = print) -> None:
    now = local_now()
    lectures = [lec for lec in _demo_lectures(now) if services.current_version(lec) is None]
    if not lectures:
        progress("没有需要演示课件的讲学，跳过。")
        return
    uploaded = 0
    with tempfile.TemporaryDirectory() as tmp:
        for i, lecture in enumerate(lectures):
            if i == len(lectures) - 1 and lecture.session.starts_at >= now:
                continue  # the last upcoming talk stays without courseware (未提交)
            title = lecture.title or "业务知识讲解"
            path = build_deck(Path(tmp) / f"{i}.pptx", title, **_plan(i))
            when = min(now, status.deadline(lecture))
            with path.open("rb") as fh:
                services.upload_courseware(lecture, fh, f"{title}.pptx", lecture.speaker, now=when)
            uploaded += 1
    progress(f"已为 {uploaded} 场讲学上传演示课件。")

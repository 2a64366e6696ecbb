"""``lecturehub check``: is the index in step with the database, are the stored files intact?

Index problems (fixable with --repair): the index unreadable; a talk's current version missing
from it or an older version indexed; slides of a talk that has no courseware any more; talk
metadata (title, speaker, department, category, date) differing from the database — e.g. after
a user or a department was renamed, which the auth feature cannot tell search about.

File problems (not fixable here): a courseware file missing or no longer matching its SHA-256.
The file must be uploaded again or restored from a backup.

Temp files (removed with --repair): ``files/tmp/*.part`` nobody has written to for
TEMP_FILE_MAX_AGE_MINUTES, left by an upload whose process died (``kill -9``, a power cut).

Crash recovery: ``lecturehub serve`` queues ``recover_after_start`` (the same work as
``check --repair``, logged) for the background worker at every start, and the worker's leader
removes stale temp files as they come of age (``signals.worker_tick``).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import select

from lecturehub.core import jobs, signals
from lecturehub.core.storage import TempFile, get_store
from lecturehub.core.timeutil import clock
from lecturehub.courseware import services as courseware_services
from lecturehub.courseware.models import Courseware
from lecturehub.extensions import db
from lecturehub.schedule.models import Lecture
from lecturehub.search import services
from lecturehub.search.index import SlideIndex

log = logging.getLogger(__name__)

RECOVERY_KEY = "recover-after-start"
META = ("lecture_title", "speaker", "department", "category", "date")
META_LABELS = {
    "lecture_title": "题目",
    "speaker": "讲课人",
    "department": "部门",
    "category": "类别",
    "date": "日期",
}


@dataclass(frozen=True)
class Problem:
    kind: str  # index | missing | stale | orphan | meta | file | temp
    message: str  # Chinese, one line
    lecture_id: int | None = None

    @property
    def fixable(self) -> bool:
        return self.kind != "file"


@dataclass
class CheckReport:
    found: list[Problem] = field(default_factory=list)
    repaired: list[Problem] = field(default_factory=list)
    remaining: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.remaining


def _talk(lecture_id: int) -> str:
    lecture = db.session.get(Lecture, lecture_id)
    title = (lecture.title or "（待定）") if lecture is not None else "（已删除）"
    return f"讲学 #{lecture_id}「{title}」"


def deck_problems(expected: dict[int, int], indexed: dict[int, int]) -> list[Problem]:
    problems = []
    for lecture_id in services.decks_out_of_step(expected, indexed):
        talk, want, have = _talk(lecture_id), expected.get(lecture_id), indexed.get(lecture_id)
        if have is None:
            problems.append(
                Problem("missing", f"{talk}：当前课件（#{want}）不在索引中", lecture_id)
            )
        elif want is None:
            problems.append(
                Problem("orphan", f"{talk}：已没有课件，索引中仍有其幻灯片", lecture_id)
            )
        else:
            message = f"{talk}：索引中是旧版课件（#{have}），当前为 #{want}"
            problems.append(Problem("stale", message, lecture_id))
    return problems


def indexed_meta(index: SlideIndex, doc_count: int) -> dict[int, set[tuple]]:
    """lecture_id -> the distinct talk metadata tuples stored on its slides."""
    result = index.search("", page=1, per_page=max(1, doc_count))
    meta: dict[int, set[tuple]] = {}
    for hit in result.hits:
        meta.setdefault(hit.lecture_id, set()).add(tuple(getattr(hit, name) for name in META))
    return meta


def meta_problems(
    index: SlideIndex, expected: dict[int, int], indexed: dict[int, int], doc_count: int
) -> list[Problem]:
    """Talks indexed with the right version whose stored title/speaker/… differ from the DB."""
    problems = []
    for lecture_id, stored in sorted(indexed_meta(index, doc_count).items()):
        if expected.get(lecture_id) is None or expected.get(lecture_id) != indexed.get(lecture_id):
            continue  # reported (and re-added) as a deck problem
        lecture = db.session.get(Lecture, lecture_id)
        meta = services.lecture_meta(lecture)
        now = tuple(meta[name] for name in META)
        if stored != {now}:
            old = next(iter(stored - {now}), now)
            changed = "、".join(
                META_LABELS[n] for n, a, b in zip(META, old, now, strict=True) if a != b
            )
            problems.append(
                Problem("meta", f"{_talk(lecture_id)}：索引中的{changed}已过时", lecture_id)
            )
    return problems


def file_problems() -> list[Problem]:
    """Every stored version (not only current ones) whose bytes no longer match their key."""
    store, problems, checked = get_store(), [], {}
    rows = db.session.execute(
        select(Courseware.lecture_id, Courseware.version, Courseware.sha256).order_by(
            Courseware.lecture_id, Courseware.version
        )
    )
    for lecture_id, version, sha256 in rows:
        if sha256 not in checked:
            checked[sha256] = store.verify(sha256)
        if not checked[sha256]:
            message = (
                f"{_talk(lecture_id)} 第 {version} 版课件文件缺失或已损坏（SHA-256 不符）："
                "无法自动修复，请重新上传或从备份恢复"
            )
            problems.append(Problem("file", message, lecture_id))
    return problems


def temp_max_age() -> float:
    return float(current_app.config["TEMP_FILE_MAX_AGE_MINUTES"]) * 60


def _temp_problem(temp: TempFile, now: float) -> Problem:
    size = f"{temp.size / 1024 / 1024:.1f} MB"
    message = f"上传中断留下的临时文件 tmp/{temp.path.name}（{size}，{clock(temp.age(now))}前）"
    return Problem("temp", message)


def temp_problems(now: float) -> list[Problem]:
    """Stale temp files of interrupted uploads (never one an upload is writing now)."""
    return [_temp_problem(t, now) for t in get_store().stale_temp_files(temp_max_age(), now)]


def remove_temp_files(now: float) -> list[Problem]:
    """Delete the stale temp files; the problems they were."""
    return [_temp_problem(t, now) for t in get_store().remove_temp_files(temp_max_age(), now)]


def find_problems(index: SlideIndex) -> list[Problem]:
    status = index.check()
    if not status.ok:
        detail = f"搜索索引{'缺失' if status.state == 'missing' else '已损坏'}（{status.detail}）"
        return [Problem("index", detail), *file_problems()]
    expected = courseware_services.current_ids()
    return [
        *deck_problems(expected, status.decks),
        *meta_problems(index, expected, status.decks, status.doc_count),
        *file_problems(),
    ]


def repair(index: SlideIndex, problems: list[Problem]) -> list[Problem]:
    """Fix what the index can fix; returns the problems acted on."""
    if any(p.kind == "index" for p in problems):
        services.rebuild_into(index)
        return [p for p in problems if p.fixable]
    done = []
    for problem in problems:
        if problem.fixable and problem.lecture_id is not None:
            services.reindex_lecture(index, problem.lecture_id)
            done.append(problem)
    return done


def check(repair_index: bool = False, engine: str | None = None) -> CheckReport:
    """What is wrong (before the first-use repair a search would make), optionally fixed:
    stale temp files removed, the index repaired. engine: check (and repair) another engine's
    index than the configured one, e.g. one built with ``lecturehub reindex --engine NAME``
    before a switch."""
    configured = services.is_configured(engine)
    index = services.get_index(ensure=False) if configured else services.open_index(engine)
    now = time.time()
    try:
        in_index = find_problems(index)
        report = CheckReport(found=[*temp_problems(now), *in_index])
        if repair_index and any(p.fixable for p in report.found):
            report.repaired = [*remove_temp_files(now), *repair(index, in_index)]
            report.remaining = [*temp_problems(now), *find_problems(index)]
        else:
            report.remaining = list(report.found)
        return report
    finally:
        if not configured:
            index.close()


# --- crash recovery ----------------------------------------------------------------------------


@jobs.task
def recover_after_start() -> None:
    """What a server does after a start (in the background): ``check --repair``, logged."""
    report = check(repair_index=True)
    for problem in report.repaired:
        log.warning("start-up check repaired: %s", problem.message)
    for problem in report.remaining:
        log.warning("start-up check could not repair: %s", problem.message)
    if not report.found:
        log.info("start-up check: the search index is in step, no temp files left over")


def queue_recovery() -> bool:
    """Queue ``recover_after_start`` (once, however many processes start together)."""
    return jobs.resubmit(recover_after_start, key=RECOVERY_KEY)


@signals.worker_tick.connect
def _sweep_temp_files(app, at=None, **_) -> None:
    """Temp files a crash left while this server runs are removed once they come of age."""
    for temp in get_store().remove_temp_files(temp_max_age()):
        log.warning("removed %s (%d bytes) left by an interrupted upload", temp.path, temp.size)

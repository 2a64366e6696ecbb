"""Demo attendance for the sessions already held: sign-ins and roll calls (most present, some
late, a few absent), leave (approved / refused / pending, one late), one medical exemption, one
correction, two cadres who reach the "多次缺席" flag, the latest morning training left without a
roll call (``unrecorded``: 待补录), and a drill added after the fact (补录) and recorded by the
admin. Deterministic (a seeded Random)."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Callable

from sqlalchemy import func, select

from lecturehub.attendance import exemptions, records, rollcall, services, signin
from lecturehub.attendance import leave as leave_service
from lecturehub.attendance.models import PENDING, AttendanceRecord
from lecturehub.auth import services as auth_services
from lecturehub.core import timeutil
from lecturehub.extensions import db
from lecturehub.schedule import services as schedule_services
from lecturehub.schedule.models import KIND_TRAINING, Session

SEED = 20261126
TERM_START = dt.date(2026, 9, 1)
FLAGGED = ("member05", "member12")  # three unexcused absences each
EXEMPT_LOGIN = "member08"
REASONS = {"公假": "到县里参加业务培训", "事假": "家中老人住院陪护", "病假": "感冒发烧，已就医"}
DRILL = dt.datetime(2026, 10, 17, 8, 30)  # a Saturday: 防汛应急演练, entered afterwards (补录)


def _user(login: str):
    return auth_services.user_by_login(login)


def _past_sessions(today: dt.date) -> list[Session]:
    return schedule_services.list_sessions(
        TERM_START, today - dt.timedelta(days=1), active_only=True
    )


def _leave(rng, user, session, at, decision, by_leader=True):
    kind = rng.choice(list(REASONS))
    ask = leave_service.LeaveAsk(session.series, kind, REASONS[kind], session=session)
    request = leave_service.request_leave(user, ask, now=at)
    leader = session.series.leader
    if decision is not None and leader is not None and by_leader:
        comment = "同意，注意补学" if decision else "当晚有重要安排，请克服困难参加"
        leave_service.decide(request, leader, decision, comment, now=at + dt.timedelta(hours=3))
    return request


def _leaves(rng, sessions: list[Session], people, today: dt.date) -> int:
    """Six requests on past sessions (one of them late) and two pending on the coming week."""
    picks = rng.sample(sessions, 6)
    plan = [True, True, True, False, True, False]
    for index, (session, decision) in enumerate(zip(picks, plan, strict=True)):
        user = people[(index * 5 + 3) % len(people)]
        late = index == 4
        at = session.starts_at - (dt.timedelta(hours=9) if late else dt.timedelta(days=2))
        _leave(rng, user, session, at, decision)
    upcoming = schedule_services.list_sessions(
        today + dt.timedelta(days=1), today + dt.timedelta(days=8), active_only=True
    )
    now = timeutil.now()
    for index, session in enumerate(upcoming[:2]):
        _leave(rng, people[(index * 7 + 1) % len(people)], session, now, None)
    return 6 + len(upcoming[:2])


def _exemption(today: dt.date) -> None:
    inspector, user = _user("ducha"), _user(EXEMPT_LOGIN)
    training = services.training_series()
    if inspector is None or user is None or not training:
        return
    filing = exemptions.ExemptionFiling(
        user,
        training[0],
        dt.date(2026, 10, 8),
        dt.date(2026, 12, 31),
        "腰椎间盘突出（县医院诊断），暂停晨练三个月",
    )
    exemptions.file_exemption(filing, inspector)


def _outcome(rng, user, absences: Counter, flagged_sessions: set[tuple[str, int]], session) -> str:
    if (user.login, session.id) in flagged_sessions:
        return "absent"
    roll = rng.random()
    if roll < 0.86 or (roll >= 0.96 and absences[user.id] >= 1):
        return "present"
    return "late" if roll < 0.96 else "absent"


def _hold(rng, session: Session, plan: dict) -> None:
    """Lectures: QR sign-ins at their times; training: the leader's roll call."""
    if session.series.kind == KIND_TRAINING and session.series.leader is not None:
        marks = {uid: status for uid, (status, _m) in plan.items() if status != "absent"}
        rollcall.roll_call(
            session, marks, session.series.leader, now=session.starts_at + dt.timedelta(minutes=3)
        )
        return
    for uid, (status, minutes) in plan.items():
        if status == "absent":
            continue
        at = session.starts_at + dt.timedelta(minutes=minutes, seconds=rng.randint(0, 59))
        if status == "present":
            at = session.starts_at - dt.timedelta(
                minutes=rng.randint(1, 25), seconds=rng.randint(0, 59)
            )
        signin.record_signin(session, auth_services.get_user(uid), at)


def _plans(rng, sessions, people) -> dict[int, dict[int, tuple[str, int]]]:
    lectures = [s for s in sessions if s.series.kind != KIND_TRAINING]
    chosen = rng.sample(lectures[:-1], 3) if len(lectures) >= 4 else lectures
    flagged = {(login, s.id) for login in FLAGGED for s in chosen}
    absences: Counter = Counter()
    plans: dict[int, dict[int, tuple[str, int]]] = {}
    for session in sessions:
        sheet = records.session_sheet(session, session.starts_at)
        plan = {}
        for user, cell in sheet.rows:
            if cell.status != PENDING:
                continue  # on approved leave or exempt
            status = _outcome(rng, user, absences, flagged, session)
            absences[user.id] += status == "absent"
            plan[user.id] = (status, rng.randint(1, 15) if status == "late" else 0)
        plans[session.id] = plan
    return plans


def load(progress: Callable[[str], None] = print) -> None:
    if db.session.scalar(select(func.count(AttendanceRecord.id))):
        progress("已有签到数据，跳过考勤演示数据。")
        return
    rng, today = random.Random(SEED), timeutil.today()
    sessions = _past_sessions(today)
    people = [
        u
        for u in services.active_users()
        if u.login.startswith("member") and u.login not in FLAGGED
    ]
    if len(sessions) < 6 or len(people) < 8:
        progress("没有足够的历史场次或人员，跳过考勤演示数据。")
        return
    _exemption(today)
    leaves = _leaves(rng, sessions, people, today)
    plans = _plans(rng, sessions, people)
    forgotten = _forgotten(sessions)
    for session in sessions:
        if session is not forgotten:
            _hold(rng, session, plans[session.id])
    _correction(sessions)
    drill = _drill(rng, people)
    count = db.session.scalar(select(func.count(AttendanceRecord.id)))
    progress(
        f"已生成 {len(sessions)} 场的考勤：{count} 条签到/点名记录，{leaves} 条请假，1 条免训备案。"
    )
    if forgotten is not None:
        progress(f"{forgotten.date.isoformat()} 的晨练没有点名（待补录，演示“补录”）。")
    if drill is not None:
        progress(f"已补录 {drill.date.isoformat()} 的{drill.title}及其考勤。")


def _forgotten(sessions: list[Session]) -> Session | None:
    """The latest morning training: nobody ran the roll call (unrecorded, 待补录)."""
    training = [s for s in sessions if s.series.kind == KIND_TRAINING]
    return training[-1] if training else None


def _drill(rng, people) -> Session | None:
    """A drill held on a Saturday, entered afterwards by the admin (补录) with its attendance:
    most present, two absent, one reason."""
    admin, training = _user("admin"), services.training_series()
    if admin is None or not training or timeutil.now() <= DRILL:
        return None
    spec = schedule_services.ExtraSession(
        training[0],
        DRILL.date(),
        DRILL.time(),
        "防汛应急演练",
        venue="乡政府大院",
        duration_minutes=120,
        backfill=True,
    )
    drill = schedule_services.add_extra_session(spec, by=admin)
    absent = rng.sample(people, 2)
    step = rollcall.Marks(
        {u.id: "absent" for u in absent}, rest="present", reason="按演练现场签到表补录"
    )
    rollcall.record_marks(drill, step, admin, now=timeutil.now())
    return drill


def _correction(sessions: list[Session]) -> None:
    """One documented correction: a late arrival whose phone had died, fixed by the leader."""
    for session in reversed(sessions):
        leader = session.series.leader
        record = db.session.scalar(
            select(AttendanceRecord).where(
                AttendanceRecord.session_id == session.id, AttendanceRecord.status == "present"
            )
        )
        if leader is not None and record is not None and record.user_id != leader.id:
            fix = rollcall.Correction("late", 12, "核对现场签到表：手机没电，实际迟到约 12 分钟")
            rollcall.correct(
                session, record.user, fix, leader, now=session.starts_at + dt.timedelta(days=1)
            )
            return

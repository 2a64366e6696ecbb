"""The 督查 record equals a recomputation from the raw events.

Hypothesis draws random sequences of create / backfill / sign-in / roll call / bulk mark /
correct / void / undo / leave / exemption / deactivate, runs each through the real services
(with explicit times), keeps its own log of what was accepted, and recomputes the record from
that log with the rules written out plainly below. The app's year record (and every session's
attendance state) must equal the recomputation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from lecturehub.attendance import exemptions, records, rollcall, services, signin
from lecturehub.attendance import leave as leave_service
from lecturehub.auth import services as auth_services
from lecturehub.core.errors import ServiceError
from lecturehub.extensions import db as _db
from lecturehub.schedule import services as schedule_services
from lecturehub.setup_data import ensure_reference_data
from tests.factories import make_user
from tests.factories.attendance import make_leader, series_of

BASE = dt.datetime(2026, 3, 2, 19, 0)  # a Monday evening; every session is days after it
DAY = dt.timedelta(days=1)
CHECK = BASE + 60 * DAY  # when the record is read: every window has closed
MEMBERS = 4
STATUSES = ("present", "late", "absent", "excused")
COUNTED = ("present", "late", "excused", "absent")


# --- what can happen ----------------------------------------------------------------------------

sessions_st = st.lists(
    st.tuples(st.sampled_from(["lecture", "training"]), st.booleans()), min_size=1, max_size=5
)  # (kind, backfilled) of sessions 0, 1, …: session i starts BASE + 3i days
since_st = st.lists(st.sampled_from([None, 4, 8]), min_size=MEMBERS, max_size=MEMBERS)
person = st.integers(0, MEMBERS + 1)  # the members, the admin, the inspector
session_i = st.integers(0, 4)
op_st = st.one_of(
    st.tuples(st.just("sign_in"), session_i, person),
    st.tuples(st.just("roll_call"), session_i, st.dictionaries(person, st.sampled_from(STATUSES))),
    st.tuples(
        st.just("bulk"),
        session_i,
        st.dictionaries(person, st.sampled_from(STATUSES), max_size=3),
        st.sampled_from([None, "present", "absent"]),
    ),
    st.tuples(st.just("correct"), session_i, person, st.sampled_from(STATUSES)),
    st.tuples(st.just("void"), session_i),
    st.tuples(st.just("unvoid"), session_i),
    st.tuples(st.just("leave"), session_i, person, st.booleans()),
    st.tuples(st.just("exempt"), person, st.integers(0, 8), st.integers(0, 8)),
    st.tuples(st.just("toggle"), person, st.integers(1, 14)),
)


# --- the recomputation: the rules, written plainly --------------------------------------------


@dataclass
class Log:
    """What was accepted, nothing else."""

    starts: dict[int, dt.datetime] = field(default_factory=dict)  # session → start
    kinds: dict[int, str] = field(default_factory=dict)
    records: dict[tuple[int, int], str] = field(default_factory=dict)  # (session, user) → mark
    voided: set[int] = field(default_factory=set)
    leave: set[tuple[int, int]] = field(default_factory=set)  # approved (session, user)
    asked: set[tuple[int, int]] = field(default_factory=set)  # pending or approved
    exempt: list[tuple[int, dt.date, dt.date]] = field(default_factory=list)
    activity: dict[int, list[tuple[dt.datetime, bool]]] = field(default_factory=dict)

    def active_at(self, user: int, moment: dt.datetime) -> bool:
        state = False
        for at, active in sorted(self.activity[user]):
            if at <= moment:
                state = active
        return state

    def recorded(self, session: int) -> bool:
        return any(s == session for s, _u in self.records)

    def state(self, session: int) -> str:
        if session in self.voided:
            return "void"
        return "recorded" if self.recorded(session) else "unrecorded"

    def status(self, session: int, user: int) -> str | None:
        """At a closed session: present/late win, then 免训, then approved leave, then a mark,
        then absent; nobody who was not active at the start unless a mark names them."""
        mark = self.records.get((session, user))
        if mark in ("present", "late"):
            return mark
        if mark is None and not self.active_at(user, self.starts[session]):
            return None
        day = self.starts[session].date()
        if self.kinds[session] == "training" and any(
            u == user and start <= day <= end for u, start, end in self.exempt
        ):
            return "exempt"
        if (session, user) in self.leave:
            return "excused"
        return mark or "absent"

    def rest(self, session: int, user: int) -> bool:
        """Whom "其余全部…" reaches: expected, unmarked, neither exempt nor away."""
        return (session, user) not in self.records and self.status(session, user) == "absent"

    def year(self, users: list[int], flag: int) -> dict[int, dict]:
        out = {}
        for user in users:
            counts = dict.fromkeys(("present", "late", "excused", "exempt", "absent"), 0)
            for session in self.starts:
                status = self.status(session, user) if self.state(session) == "recorded" else None
                if status is not None:
                    counts[status] += 1
            row = {
                "expected": sum(counts[s] for s in COUNTED),
                "attended": counts["present"] + counts["late"],
                "late": counts["late"],
                "excused": counts["excused"],
                "exempt": counts["exempt"],
                "absent": counts["absent"],
                "flagged": counts["absent"] >= flag,
            }
            if any(row.values()):
                out[user] = row
        return out


# --- running it through the services ------------------------------------------------------------


class World:
    def __init__(self, plan, since):
        self.log = Log()
        self.admin = make_user("boss", roles=["admin"])
        self.inspector = make_user("ducha", roles=["inspector"])
        self.leaders = {kind: make_leader(kind) for kind in ("lecture", "training")}
        self.members = [
            make_user(f"m{i}", since=None if days is None else BASE + days * DAY)
            for i, days in enumerate(since)
        ]
        if None in since:  # accounts created today: backdate all to a known moment
            for user, days in zip(self.members, since, strict=True):
                if days is None:
                    auth_services.backdate_account(user, BASE - 30 * DAY)
        self.people = [*self.members, self.admin, self.inspector]
        self.everyone = [*self.people, *self.leaders.values()]
        for user in self.everyone:
            self.log.activity[user.id] = [(user.created_at, True)]
        self.sessions = [self._create(i, kind, backfill) for i, (kind, backfill) in enumerate(plan)]

    def _create(self, i, kind, backfill):
        start = BASE + 3 * i * DAY
        spec = schedule_services.ExtraSession(
            series_of(kind), start.date(), start.time(), f"场次{i}", backfill=backfill
        )
        created_at = CHECK if backfill else start - DAY
        session = schedule_services.add_extra_session(spec, by=self.admin, now=created_at)
        self.log.starts[session.id], self.log.kinds[session.id] = start, kind
        return session

    def session(self, i):
        return self.sessions[i % len(self.sessions)]

    def run(self, op) -> None:
        try:
            getattr(self, "op_" + op[0])(*op[1:])
        except ServiceError:
            _db.session.rollback()

    def op_sign_in(self, i, p):
        session, user = self.session(i), self.people[p]
        token = signin.make_token(session, session.starts_at)
        signin.check_in(session, user, token, session.starts_at)
        if self.log.records.get((session.id, user.id), "absent") == "absent":
            self.log.records[(session.id, user.id)] = "present"  # arrived after all

    def op_roll_call(self, i, marks):
        session = self.session(i)
        at = session.starts_at + dt.timedelta(minutes=5)
        wanted = {
            self.people[p].id: status
            for p, status in marks.items()
            if (session.id, self.people[p].id) not in self.log.records
            and self.log.active_at(self.people[p].id, session.starts_at)
        }
        if wanted:
            rollcall.roll_call(session, wanted, self.admin, now=at)
            for user_id, status in wanted.items():
                self.log.records[(session.id, user_id)] = status

    def op_bulk(self, i, marks, rest):
        session = self.session(i)
        explicit = {self.people[p].id: status for p, status in marks.items()}
        step = rollcall.Marks(explicit, rest, "按签到表补录")
        rollcall.record_marks(session, step, self.admin, now=session.starts_at + DAY)
        reached = [
            u.id for u in self.everyone if u.id not in explicit and self.log.rest(session.id, u.id)
        ]
        self.log.records.update({(session.id, u): s for u, s in explicit.items()})
        if rest:
            self.log.records.update({(session.id, u): rest for u in reached})

    def op_correct(self, i, p, status):
        session, user = self.session(i), self.people[p]
        fix = rollcall.Correction(status, 5 if status == "late" else 0, "核实后更正")
        rollcall.correct(session, user, fix, self.admin, now=session.starts_at + DAY)
        self.log.records[(session.id, user.id)] = status

    def op_void(self, i):
        session = self.session(i)
        schedule_services.void_session(session, "不计", self.admin, now=session.starts_at + DAY)
        self.log.voided.add(session.id)

    def op_unvoid(self, i):
        session = self.session(i)
        schedule_services.unvoid_session(session, self.admin, now=session.starts_at + DAY)
        self.log.voided.discard(session.id)

    def op_leave(self, i, p, approve):
        session, user = self.session(i), self.people[p]
        ask = leave_service.LeaveAsk(session.series, "事假", "有事", session=session)
        leave = leave_service.request_leave(user, ask, now=session.starts_at - 2 * DAY)
        self.log.asked.add((session.id, user.id))
        leader = session.series.leader
        decider = self.admin if leader is None or leader.id == user.id else leader
        leave_service.decide(leave, decider, approve, now=session.starts_at - DAY)
        if approve:
            self.log.leave.add((session.id, user.id))

    def op_exempt(self, p, first, days):
        user = self.people[p]
        date_from = (BASE + 3 * first * DAY).date()
        filing = exemptions.ExemptionFiling(
            user, series_of("training"), date_from, date_from + days * DAY, "伤病"
        )
        exemptions.file_exemption(filing, self.inspector)
        self.log.exempt.append((user.id, date_from, date_from + days * DAY))

    def op_toggle(self, p, day):
        user = self.people[p]
        at = BASE + day * DAY - dt.timedelta(hours=1)
        if at <= max(when for when, _active in self.log.activity[user.id]):
            return  # history is entered in time order
        if user.id == self.admin.id:
            return  # the admin runs everything here
        auth_services.set_active(user, not user.active, at=at)
        self.log.activity[user.id].append((at, user.active))


def _fresh_database() -> None:
    _db.session.remove()
    _db.drop_all()
    _db.create_all()
    ensure_reference_data()


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=sessions_st, since=since_st, ops=st.lists(op_st, max_size=25))
@example(  # every rule at least once: 免训, leave, 补录 with the rest, a late account, void
    plan=[("training", False), ("lecture", True), ("training", True)],
    since=[None, 4, None, None],
    ops=[
        ("exempt", 0, 0, 8),
        ("leave", 0, 1, True),
        ("leave", 2, 4, True),
        ("sign_in", 0, 2),
        ("roll_call", 2, {3: "late", 0: "present"}),
        ("bulk", 1, {0: "absent", 1: "present"}, "present"),
        ("correct", 1, 2, "excused"),
        ("toggle", 3, 5),
        ("bulk", 2, {}, "absent"),
        ("void", 1),
        ("unvoid", 1),
        ("sign_in", 1, 0),
    ],
)
@example(  # nobody recorded; then absences flag someone; a void takes them back
    plan=[("lecture", False), ("lecture", False), ("training", True)],
    since=[None, None, 8, None],
    ops=[
        ("sign_in", 0, 4),
        ("sign_in", 1, 4),
        ("correct", 2, 0, "present"),
        ("bulk", 2, {5: "present"}, None),
        ("void", 0),
        ("toggle", 1, 2),
        ("toggle", 1, 4),
    ],
)
def test_the_record_equals_a_recomputation_from_the_raw_events(app, plan, since, ops):
    app.config["ABSENCE_FLAG_COUNT"] = 2  # so that a few sessions can flag someone
    _fresh_database()
    world = World(plan, since)
    for op in ops:
        world.run(op)
    users = world.everyone
    found = {
        row.user.id: {k: v for k, v in row.as_dict().items() if k != "user"}
        for row in records.year_record(2026, users, now=CHECK)
    }
    found = {uid: row for uid, row in found.items() if any(row.values())}
    assert found == world.log.year([u.id for u in users], records.flag_count())
    states = services.attendance_states(world.sessions, CHECK)
    assert states == {s.id: world.log.state(s.id) for s in world.sessions}

"""Named signals: how a lower feature tells a higher one that something happened.

A lower feature may not import a higher one (STYLE: core ← auth ← schedule ← courseware,
attendance ← ratings ← search, reports), so when one of its services changes data that a higher
feature keeps a copy of, it sends one of these signals (blinker, as Indico's ``core/signals``).
The higher feature connects its receiver where it keeps the copy. Every signal in the app is
declared here, so this module is the list of what flows upwards.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

lecture_changed = _signals.signal(
    "lecture-changed",
    doc="""A talk's title, speaker, department, category or date changed (committed).

    Sender: the ``Lecture``. Connected by search (the talk's slides carry these fields).""",
)

courseware_deleted = _signals.signal(
    "courseware-deleted",
    doc="""A courseware version was deleted (committed); the previous one, if any, is current.

    Sender: the ``Lecture`` it belonged to. Connected by search (it indexes current versions).""",
)

worker_tick = _signals.signal(
    "worker-tick",
    doc="""Sent by the background worker's leader (``core.jobs``) every WORKER_INTERVAL_SECONDS,
    with ``at`` (naive local datetime): do periodic work (queue reminders, repair drift).

    Sender: the app. A receiver that raises is logged and the others still run.""",
)

talk_assigned = _signals.signal(
    "talk-assigned",
    doc="""A talk got a (new) speaker (committed): created with one, or its speaker changed.

    Sender: the ``Lecture``; ``speaker``: the new speaker (``User``); ``previous``: the speaker
    before (``User`` or None). Not sent when the speaker is removed. Connected by notifications
    (the speaker is told, with 接受 / 婉拒).""",
)

session_changing = _signals.signal(
    "session-changing",
    doc="""A session is about to be moved or cancelled (nothing written yet), with ``change``
    ("move" | "cancel"). A receiver refuses the change by raising a ``ServiceError``.

    Sender: the ``Session``. Connected by attendance: a session with attendance records (held)
    is neither moved nor cancelled (409 ``session_has_attendance``); it can be voided.""",
)

session_changed = _signals.signal(
    "session-changed",
    doc="""A session was moved, cancelled, voided (作废) or its void undone (committed).

    Sender: the ``Session`` (already changed); ``change``: ``"moved"``, ``"cancelled"``,
    ``"voided"`` or ``"unvoided"`` (a receiver ignores changes it does not know); ``before``:
    the session's start before the change (naive local datetime); ``reason``: the text given.
    Connected by notifications (everyone expected and the group robots hear of moves and
    cancellations).""",
)

leave_requested = _signals.signal(
    "leave-requested",
    doc="""Someone asked for leave (committed); ``duty`` lists the talks (``Lecture``) the person
    is the speaker of in the sessions asked off (讲课人请假: the talk needs another speaker).

    Sender: the ``LeaveRequest``. Connected by notifications (the series' lead leader is told).""",
)

leave_decided = _signals.signal(
    "leave-decided",
    doc="""A lead leader (or 党政办) approved or refused a leave request (committed), with
    ``approved`` (bool) and ``duty`` as in ``leave_requested``.

    Sender: the ``LeaveRequest`` (its ``status`` is the decision). Connected by notifications
    (the requester is told).""",
)

courseware_analysed = _signals.signal(
    "courseware-analysed",
    doc="""The analysis of a converted deck (.ppt, .pps, .dps, .odp) was stored (committed) by
    the background job: its verdict, estimate and slide texts are there now. An uploaded .pptx
    is analysed in the upload itself (``courseware.upload``) and sends nothing.

    Sender: the ``Courseware`` version. Connected by search (it indexes the slide texts); the
    place for anything that reacts to a verdict that arrives after the upload.""",
)

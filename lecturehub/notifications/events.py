"""What the lower features tell us (``core.signals``), turned into messages.

Each receiver runs right after the sender's commit, inside the same request. A failure here
must not turn the user's successful action (the talk is saved, the leave is decided) into an
error page: it is logged, and the session is rolled back so the request can go on.
"""

from __future__ import annotations

import functools
import logging

from lecturehub.attendance import leave as leave_service
from lecturehub.attendance.records import Ledger
from lecturehub.attendance.services import active_users
from lecturehub.core import signals
from lecturehub.core.timeutil import now as local_now
from lecturehub.extensions import db
from lecturehub.notifications import messages, services, workflow

log = logging.getLogger(__name__)
CHANGES = ("moved", "cancelled")


def _safely(receiver):
    @functools.wraps(receiver)
    def wrapped(sender, **kwargs):
        try:
            receiver(sender, **kwargs)
        except Exception:  # the sender's work is committed; a lost notice is only logged
            log.exception("notification for %s failed", receiver.__name__)
            db.session.rollback()

    return wrapped


@_safely
def on_talk_assigned(lecture, speaker, previous=None, **_):
    workflow.announce_assignment(lecture, speaker)


def expected_people(session) -> list:
    """Everyone expected at a session: active people, less those excluded from its series or
    exempt from it (备案). A cancelled session is looked at as it was planned."""
    ledger = Ledger([session], active_users())
    exempt = {
        user_id
        for (series_id, user_id), rows in ledger.exemptions.items()
        if series_id == session.series_id and any(row.covers(session) for row in rows)
    }
    return [u for u in ledger.users if ledger.expected(session, u) and u.id not in exempt]


@_safely
def on_session_changed(session, change=None, before=None, **_):
    if change not in CHANGES:
        return
    before = before or session.starts_at
    if max(before, session.starts_at) < local_now():
        return  # only the past is touched: nobody needs to act
    message = messages.session_changed(session, change, before)
    key = f"session_changed:sess{session.id}:seq{session.sequence}"
    services.notify(expected_people(session), message, key)
    services.notify_groups(message, key)


@_safely
def on_leave_requested(leave, **_):
    leader = leave.series.leader
    if leader is None or leader.id == leave.user_id or not leader.active:
        recipients = services.admins()  # the leader's own leave is decided by 党政办
    else:
        recipients = [leader]
    services.notify(recipients, messages.leave_requested(leave), f"leave_requested:leave{leave.id}")


@_safely
def on_leave_decided(leave, **_):
    sessions = leave_service.covered_sessions(leave)
    first = sessions[0].starts_at if sessions else None
    key = f"leave_decided:leave{leave.id}:{leave.status}"
    services.notify([leave.user], messages.leave_decided(leave, first), key)


def connect() -> None:
    """Listen to the lower features (called by ``notifications.init_app``)."""
    signals.talk_assigned.connect(on_talk_assigned)
    signals.session_changed.connect(on_session_changed)
    signals.leave_requested.connect(on_leave_requested)
    signals.leave_decided.connect(on_leave_decided)

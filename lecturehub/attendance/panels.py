"""The attendance card on the home page and the attendance panel on a session's page."""

from __future__ import annotations

import datetime as dt

from flask import render_template
from flask_login import current_user
from markupsafe import Markup

from lecturehub.attendance import leave as leave_service
from lecturehub.attendance import records, services
from lecturehub.attendance.models import LEAVE_PENDING
from lecturehub.core.security import has_role
from lecturehub.core.timeutil import now


def _my_cell(session, user, at):
    return records.Ledger([session], [user]).cell(session, user, at)


def home_card(user) -> Markup | None:
    at = now()
    upcoming = [(s, _my_cell(s, user, at)) for s in services.upcoming_sessions(at, limit=2)]
    leaves = leave_service.leaves_of(user, limit=10)
    recent = [
        leave
        for leave in leaves
        if leave.status == LEAVE_PENDING
        or (leave.decided_at and at - leave.decided_at < dt.timedelta(days=7))
    ]
    awaiting = len(leave_service.pending_for(user)) if has_role(user, "leader") else 0
    absences = records.absences_in_year(at.year, [user], at).get(user.id, [])
    html = render_template(
        "attendance/_home_card.html",
        upcoming=upcoming,
        leaves=recent,
        awaiting=awaiting,
        absences=absences,
        flag_count=records.flag_count(),
        window=services.window,
        at=at,
    )
    return Markup(html)


def session_panel(session) -> Markup | None:
    at = now()
    user = current_user
    sheet = records.session_sheet(session, at) if services.can_view(user, session) else None
    html = render_template(
        "attendance/_session_panel.html",
        session=session,
        sheet=sheet,
        state=sheet.state if sheet else services.attendance_state(session, at),
        at=at,
        my_cell=_my_cell(session, user, at),
        can_manage=services.can_manage(user, session),
        window=services.window(session),
    )
    return Markup(html)

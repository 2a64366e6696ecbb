"""Attendance (签到, 请假, 备案, 督查): sign-in by rotating QR code, roll call, leave asked of
the lead leader, medical exemptions, and the computed record with the 评先评优 flag."""

from __future__ import annotations

from flask import Flask

from lecturehub.core.templating import add_home_card, add_nav, add_session_panel


def init_app(app: Flask) -> None:
    from lecturehub.attendance import panels

    add_nav(app, "attendance.mine", "签到/考勤", order=40)
    add_nav(app, "attendance.leave_queue", "请假审批", ("leader",), order=41)
    add_nav(app, "attendance.audit", "督查", ("admin", "inspector"), order=42)
    add_home_card(app, panels.home_card, order=20)
    add_session_panel(app, panels.session_panel, order=30)

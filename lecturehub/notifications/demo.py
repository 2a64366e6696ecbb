"""Demo: member01 is told of their next talk (with 接受 / 婉拒), as an admin's assignment would.

The demo's talks get their speakers in bulk (no signal per talk), so nobody else has been told;
the worker's first round adds whatever reminders are due by the real clock."""

from __future__ import annotations

from collections.abc import Callable

from lecturehub.auth import services as auth_services
from lecturehub.notifications import workflow
from lecturehub.schedule import lectures

FEATURED_LOGIN = "member01"


def load(progress: Callable[[str], None] = print) -> None:
    member = auth_services.user_by_login(FEATURED_LOGIN)
    talk = lectures.next_talk(member) if member is not None else None
    if talk is not None and workflow.current_assignment(talk) is None:
        workflow.announce_assignment(talk, member)
        progress(f"已通知 {member.name} 的讲学安排（登录 {FEATURED_LOGIN} 查看“消息”）。")

"""The demo township's attendance shows every state: the latest morning training without a roll
call (unrecorded, 待补录) and a drill entered afterwards (补录) and recorded."""

from __future__ import annotations

from lecturehub import demo
from lecturehub.attendance import demo as attendance_demo
from lecturehub.attendance import records, services
from lecturehub.core.timeutil import now
from lecturehub.schedule import demo as schedule_demo
from lecturehub.schedule import services as schedule_services
from lecturehub.schedule.models import Session


def test_demo_has_an_unrecorded_session_and_a_backfilled_one(db):
    demo.load_people(lambda _msg: None)
    schedule_services.ensure_default_series()
    schedule_demo.load(lambda _msg: None)
    messages: list[str] = []
    attendance_demo.load(messages.append)
    at = now()
    unrecorded = services.unrecorded_sessions(at)
    assert [s.series.kind for s in unrecorded] == ["training"]
    drill = db.session.query(Session).filter_by(backfill=True, title="防汛应急演练").one()
    sheet = records.session_sheet(drill, at)
    assert (sheet.state, sheet.counts.absent) == ("recorded", 2)
    assert sheet.counts.present == sheet.counts.expected - 2
    assert any("待补录" in m for m in messages) and any("补录" in m for m in messages)
    flagged = records.absence_flags(at.year, now=at)
    assert len(flagged) == 2  # the demo's two cadres with three absences each

"""Two server processes at once: every reminder is queued once and every e-mail sent once."""

from __future__ import annotations

import datetime as dt
import multiprocessing

from lecturehub.core.timeutil import now as local_now
from tests.factories.notifications import person, rows
from tests.factories.ratings import make_talk
from tests.notifications.children import remind_in_child

COUNT = 12


def test_two_processes_queue_each_reminder_once_and_send_each_email_once(app, settings, smtp):
    day = local_now().date() + dt.timedelta(days=6)
    for n in range(COUNT):
        speaker = person(f"speaker{n:02d}", f"讲课人{n:02d}")
        make_talk(dt.datetime.combine(day, dt.time(19, n)), speaker=speaker, title=f"讲学{n:02d}")
    deadline = dt.datetime.combine(day - dt.timedelta(days=2), dt.time(18))
    at = (deadline - dt.timedelta(days=1)).isoformat()
    job = (app.config["STORAGE_DIR"], settings, at)
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        queued = pool.map(remind_in_child, [job, job])
    assert sum(queued) == COUNT * 2  # the reminders, in-app and e-mail: each written by one
    assert len(rows("courseware_due")) == COUNT * 2
    ids = [m.message["Message-ID"] for m in smtp.received]
    assert len(ids) == COUNT * 2  # the assignments' e-mails and the reminders' …
    assert len(set(ids)) == len(ids)  # … each once
    assert {r.state for r in rows(channel="email")} == {"sent"}

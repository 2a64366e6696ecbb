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

courseware_analysed = _signals.signal(
    "courseware-analysed",
    doc="""The analysis of a converted deck (.ppt, .pps, .dps, .odp) was stored (committed) by
    the background job: its verdict, estimate and slide texts are there now. An uploaded .pptx
    is analysed in the upload itself (``courseware.upload``) and sends nothing.

    Sender: the ``Courseware`` version. Connected by search (it indexes the slide texts); the
    place for anything that reacts to a verdict that arrives after the upload.""",
)

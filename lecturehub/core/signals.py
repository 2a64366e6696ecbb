"""Named signals: how a lower layer tells a higher one that something happened.

Declared here, in one module (as Indico's ``core/signals``), and connected by the feature that
listens. A sender never knows who listens.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

worker_tick = _signals.signal(
    "worker-tick",
    doc="""Sent by the background worker's leader every WORKER_INTERVAL_SECONDS, with
    ``at`` (naive local datetime): do periodic work (queue reminders, repair drift).
    The sender is the app; a receiver that raises is logged and the others still run.""",
)

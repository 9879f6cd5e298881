# SPDX-License-Identifier: AGPL-3.0-or-later
"""The Celery worker of bench/live_fanout.py: the portal's application (``celery -A
live_ws.worker``), with what the driver can no longer see timed here, since the domain
events are handled on the worker: each event's handlers (``["event", name, start, end]``),
the points reaching the boards (``["committed", None, start, start]``) and every push
(``["push", group, start, end]``), one JSON line each in the file BENCH_LIVE_TRACE.
Times are ``time.monotonic()``, the one clock of every process on the machine.
"""

from __future__ import annotations

import json
import os
import time

from celery.signals import worker_process_init

from portal.celery import app

__all__ = ["app"]


@worker_process_init.connect
def _install(**_kwargs) -> None:
    path = os.environ.get("BENCH_LIVE_TRACE")
    if not path:
        return
    import leaderboard.handlers as handlers
    import leaderboard.push as push
    import portal.events.services as events

    trace = open(path, "a", buffering=1)  # noqa: SIM115 (open for the process's life)

    def note(*entry) -> None:
        trace.write(json.dumps(entry) + "\n")

    send, apply, run = push._send, handlers.board_entries_apply, events._run_handlers

    def timed_send(messages, board_id=None):
        start = time.monotonic()
        send(messages, board_id)
        end = time.monotonic()
        for message in messages:
            note("push", message[0], start, end)

    def timed_apply(*, entry_ids):
        note("committed", None, time.monotonic(), time.monotonic())
        return apply(entry_ids=entry_ids)

    def timed_run(batch):  # the events a worker handles together share one span
        start = time.monotonic()
        try:
            return run(batch)
        finally:
            end = time.monotonic()
            for event in batch:
                note("event", event.name, start, end)

    from dataclasses import replace

    listed = events.handlers_for

    def timed(handler):
        def func(event):
            start = time.monotonic()
            try:
                return handler.func(event)
            finally:
                note("handler", handler.key, start, time.monotonic())

        return replace(handler, func=func)

    events.handlers_for = lambda name: [timed(h) for h in listed(name)]
    # Module attributes, looked up at call time.
    push._send, handlers.board_entries_apply, events._run_handlers = (
        timed_send,
        timed_apply,
        timed_run,
    )

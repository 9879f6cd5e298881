# SPDX-License-Identifier: AGPL-3.0-or-later
"""Who subscribes to which event. Apps register their handlers in ``AppConfig.ready()``
(``handlers.py``); the publisher imports none of them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import Event

HandlerFunc = Callable[["Event"], None]


@dataclass(frozen=True)
class Handler:
    key: str  # stable name, recorded in HandlerRun: "<module>.<function>"
    func: Callable[[Any], None]  # one Event; with ``batch``, a list of them
    first: bool = False
    batch: bool = False


_handlers: dict[str, list[Handler]] = defaultdict(list)


def subscribe(*names: str, first: bool = False, batch: bool = False) -> Callable[[Any], Any]:
    """Decorator: run the function for every event with one of these names, once per
    event. It runs inside its own transaction together with its claim, receives the
    ``Event`` row and must take business time from ``event.occurred_at``. ``first``: the
    handler runs before the others (points and boards, which people watch live, do not
    wait for e-mails and counters).

    ``batch``: the function receives a list of events instead, all those of a worker's
    batch it has not handled yet (never two of one aggregate: a batch holds at most one
    event per aggregate), so it can read and write set-wise. When it raises, it is called
    again with one event at a time, each in its own transaction, so it must give the same
    result either way."""

    def register(func: Callable[[Any], None]) -> Callable[[Any], None]:
        handler = Handler(
            key=f"{func.__module__}.{func.__qualname__}", func=func, first=first, batch=batch
        )
        for name in names:
            if handler not in _handlers[name]:
                _handlers[name].append(handler)
        return func

    return register


def handlers_for(name: str) -> list[Handler]:
    """The handlers subscribed to an event name: those marked ``first``, then the others,
    each in the order they registered (the order of INSTALLED_APPS: rewards before
    payouts, so a won deal's commission sees the tier its points reached)."""
    handlers = _handlers.get(name, ())
    return [h for h in handlers if h.first] + [h for h in handlers if not h.first]


def subscribed_names() -> set[str]:
    return {name for name, handlers in _handlers.items() if handlers}

# SPDX-License-Identifier: AGPL-3.0-or-later
"""Who subscribes to which event. Apps register their handlers in ``AppConfig.ready()``
(``handlers.py``); the publisher imports none of them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Event

HandlerFunc = Callable[["Event"], None]


@dataclass(frozen=True)
class Handler:
    key: str  # stable name, recorded in HandlerRun: "<module>.<function>"
    func: HandlerFunc


_handlers: dict[str, list[Handler]] = defaultdict(list)


def subscribe(*names: str) -> Callable[[HandlerFunc], HandlerFunc]:
    """Decorator: run the function for every event with one of these names, once per
    event. It runs inside its own transaction together with its claim, receives the
    ``Event`` row and must take business time from ``event.occurred_at``."""

    def register(func: HandlerFunc) -> HandlerFunc:
        handler = Handler(key=f"{func.__module__}.{func.__qualname__}", func=func)
        for name in names:
            if handler not in _handlers[name]:
                _handlers[name].append(handler)
        return func

    return register


def handlers_for(name: str) -> list[Handler]:
    """The handlers subscribed to an event name, in the order they registered (the order
    of INSTALLED_APPS: rewards before payouts, so a won deal's commission sees the tier
    its points reached)."""
    return list(_handlers.get(name, ()))


def subscribed_names() -> set[str]:
    return {name for name, handlers in _handlers.items() if handlers}

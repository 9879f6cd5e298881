"""Live pushes to connected browsers, called by other apps after commit."""

from __future__ import annotations

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from .consumers import LIVE_GROUP

log = logging.getLogger(__name__)


def live_broadcast(payload: dict) -> None:
    """Send to every connected browser. Never fails the caller: live is best effort."""
    try:
        async_to_sync(get_channel_layer().group_send)(
            LIVE_GROUP, {"type": "live.event", "payload": payload}
        )
    except Exception:  # Redis away: the page still works, just not live
        log.warning("live broadcast failed", exc_info=True)


def celebrate(*, kind: str, text: str) -> None:
    live_broadcast({"type": "toast", "kind": kind, "text": text})

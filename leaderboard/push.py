# SPDX-License-Identifier: AGPL-3.0-or-later
"""Live pushes: which groups a socket joins, and how a broadcast reaches them.

A broadcast is encoded to JSON once per audience (``portal.accounts.display.Audience``:
staff see chosen names, partners and TV screens see employees by initials), never once
per socket: each audience has its own group, and every socket of the group relays the
same pre-encoded text (``{"type": "live.text", "text": ...}``, see ``leaderboard.hub``).
A person's own group (their balance) has one audience: the person.

Pushing is best effort: with Redis away it logs and returns, the pages show they are
offline, and they catch up from the board snapshot when they reconnect.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Sequence
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.conf import settings

from portal.accounts.display import Audience

log = logging.getLogger(__name__)

AUDIENCES: tuple[Audience, ...] = (Audience.STAFF, Audience.PARTNER)
MESSAGE_TYPE = "live.text"


def live_group(audience: Audience) -> str:
    """Everyone connected of one audience: toasts (wins, tier-ups, shout-outs)."""
    return f"live.{audience}"


def user_group(user_id: int) -> str:
    """A person's own group: their figures as they change (points, tier)."""
    return f"user.{user_id}"


def board_group(board_id: str, audience: Audience) -> str:
    """The sockets of one audience watching one board (its diffs)."""
    return f"board.{board_id.replace(':', '-')}.{audience}"


def encode(payload: dict) -> str:
    """The text every socket of a group sends as it is."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)


def _send(
    messages: Sequence[tuple[str, str] | tuple[str, str, str]], board_id: str | None = None
) -> None:
    """(group, text) pairs, or (group, text, board id) triples, sent in one trip to the
    event loop; a board id (``board_id`` for the pairs) when the text is that board's diff
    (the sockets' processes forget their snapshot of it). Never raises."""
    if not messages:
        return
    tagged = [(m[0], m[1], m[2] if len(m) > 2 else board_id) for m in messages]
    boards = {board for _group, _text, board in tagged if board}
    if boards:  # this process's own snapshots are stale too, even with no socket here
        from .hub import forget_snapshot

        for board in boards:
            forget_snapshot(board)
    layer = get_channel_layer()

    if layer is None:  # no channel layer configured: nothing is live
        return

    async def send_all() -> None:
        await asyncio.gather(
            *(
                layer.group_send(
                    group,
                    {"type": MESSAGE_TYPE, "text": text, **({"board": board} if board else {})},
                )
                for group, text, board in tagged
            )
        )

    try:
        async_to_sync(send_all)()
    except Exception:  # Redis away: pages still work, just not live
        log.warning("live push to %s failed", [m[0] for m in tagged], exc_info=True)


def user_watching(*, user_id: int) -> bool:
    """Whether a page of this person is connected now, so a payload that costs queries
    and templates to build can be skipped when nobody would receive it (a page that
    connects later reads its figures on load). True when the layer cannot tell or Redis
    cannot be asked; reads nothing from the database."""
    layer = get_channel_layer()
    if layer is None:
        return False
    group = user_group(user_id)
    if isinstance(layer, InMemoryChannelLayer):  # the embedded default
        return bool(layer.groups.get(group))
    config: dict[str, Any] = settings.CHANNEL_LAYERS["default"]
    if config["BACKEND"] != "channels_redis.pubsub.RedisPubSubChannelLayer":
        return True
    # channels_redis's pub/sub layer: one Redis channel per group, "<prefix>__group__<group>",
    # subscribed by every process with a socket in the group.
    prefix = config.get("CONFIG", {}).get("prefix", "asgi")
    channel = f"{prefix}__group__{group}"
    try:
        from . import store

        ((_name, subscribers),) = store.client().pubsub_numsub(channel)
    except Exception:
        log.warning("could not ask Redis who watches %s", group, exc_info=True)
        return True
    return bool(subscribers)


def push_to_user(*, user_id: int, payload: dict) -> None:
    """Send ``payload`` to one person's open pages. Best effort; never raises."""
    _send([(user_group(user_id), encode(payload))])


def audience_texts(*, payload_for: Callable[[Audience], dict | None]) -> dict[Audience, str]:
    """``payload_for(audience)`` encoded once per audience (once in all when both
    audiences get the same payload; left out when it is None). Pure."""
    texts: dict[Audience, str] = {}
    previous: tuple[dict, str] | None = None
    for audience in AUDIENCES:
        payload = payload_for(audience)
        if payload is None:
            continue
        if previous is not None and previous[0] == payload:
            texts[audience] = previous[1]
        else:
            texts[audience] = encode(payload)
            previous = (payload, texts[audience])
    return texts


def push_by_audience(
    *,
    payload_for: Callable[[Audience], dict | None],
    group_for: Callable[[Audience], str],
    board_id: str | None = None,
) -> dict[Audience, str]:
    """Encode ``payload_for(audience)`` once per audience (``audience_texts``) and send it
    to ``group_for(audience)``. Returns the texts sent. Best effort; never raises."""
    texts = audience_texts(payload_for=payload_for)
    _send([(group_for(audience), text) for audience, text in texts.items()], board_id)
    return texts


def boards_send(*, diffs: dict[str, dict[Audience, dict]]) -> None:
    """Several boards' diffs (board id -> audience -> diff), each encoded once per
    audience, sent together in one trip to the channel layer to the boards' groups. Best
    effort; never raises."""
    messages: list[tuple[str, str, str]] = []
    for board_id, by_audience in diffs.items():
        texts = audience_texts(payload_for=by_audience.get)
        messages += [(board_group(board_id, a), text, board_id) for a, text in texts.items()]
    _send(messages)


def toast(
    *, kind: str, text_for: Callable[[Audience], str], about: int | None = None
) -> dict[Audience, str]:
    """A toast to everyone connected, worded per audience (names follow
    ``portal.accounts.display``); ``about`` is the id of the person it names, whose own
    pages skip it (they get the toast worded for them). Best effort; never raises."""
    extra = {"about": about} if about is not None else {}
    return push_by_audience(
        payload_for=lambda audience: {
            "type": "toast",
            "kind": kind,
            "text": text_for(audience),
            **extra,
        },
        group_for=live_group,
    )

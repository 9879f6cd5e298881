# SPDX-License-Identifier: AGPL-3.0-or-later
"""Boards: incremental updates when ledger entries commit, rebuilds from the ledger,
reading with privacy rules, live pushes (coalesced), shout-outs, contests, TV screens."""

from __future__ import annotations

import json
import logging
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from redis import Redis

from portal.accounts.display import Audience, person_name
from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.accounts.selectors import has_role
from portal.audit.services import audit_record
from portal.rewards.models import LedgerEntry

from . import ranking, store
from .models import BoardSync, Contest, Shoutout
from .push import boards_send, push_to_user, toast
from .ranking import METRICS, PERIODS, Board
from .selectors import (
    all_boards,
    board_rows_by_audience,
    contest_eligible,
    name_record,
    name_records,
)

log = logging.getLogger(__name__)
PUSH_WINDOW_SECONDS = 1  # at most a leading and a trailing push per board per second
PUSH_ROWS = 10


# --- Live pushes (leaderboard.push) ------------------------------------------------------


def celebrate(
    *,
    kind: str,
    text_for: Callable[[Audience], str],
    about: User | None = None,
    own_text: str = "",
) -> None:
    """A toast to everyone connected, worded per audience; the person it is ``about``
    reads ``own_text`` instead ("You reached Gold!"), on their own group. Best effort."""
    toast(kind=kind, text_for=text_for, about=about.pk if about else None)
    if about is not None and own_text:
        push_to_user(
            user_id=about.pk, payload={"type": "toast", "kind": kind, "text": own_text, "own": True}
        )


# --- Which boards an entry touches ------------------------------------------------------


def _scopes_for(
    participant: User, when: datetime, contests: list[Contest] | None = None
) -> list[str]:
    """``contests``: those open over a whole batch's times, read once (each is checked
    against ``when`` here); None reads those open at ``when``."""
    scopes = ["everyone"]
    if participant.partner_organisation_id:
        scopes += ["partners", "orgs"]
    else:
        scopes.append("employees")
        if participant.team_id:
            scopes.append(f"team:{participant.team_id}")
    if contests is None:
        contests = list(
            Contest.objects.filter(starts_at__lte=when, ends_at__gt=when, closed_at__isnull=True)
        )
    for contest in contests:
        if contest.starts_at <= when < contest.ends_at and contest_eligible(
            contest=contest, participant=participant
        ):
            scopes.append(contest.board_scope)
    return scopes


@dataclass(frozen=True)
class Update:
    key: str
    board: Board
    member: str
    delta: int
    remaining: int


def updates_for(*, entry: LedgerEntry, contests: list[Contest] | None = None) -> list[Update]:
    """The sorted-set increments one ledger entry makes: every board (scope, metric,
    period) its participant ranks on at the entry's time. Reads contests (unless given:
    ``_scopes_for``); writes nothing. Locks nothing, publishes nothing."""
    participant = entry.participant
    local = timezone.localtime(entry.created_at).date()
    remaining = ranking.TIE_SPAN - 1 - int((entry.created_at - ranking.EPOCH).total_seconds())
    updates = []
    for scope in _scopes_for(participant, entry.created_at, contests):
        member_id = participant.partner_organisation_id if scope == "orgs" else participant.pk
        if member_id is None:
            continue
        periods = ["all"] if scope.startswith("contest:") else PERIODS
        for metric in METRICS:
            delta = ranking.metric_delta(metric, entry.event, entry.amount)
            if not delta:
                continue
            for period in periods:
                board = Board(scope, metric, period)
                updates.append(
                    Update(
                        store.redis_key(board, local),
                        board,
                        ranking.member(member_id),
                        delta,
                        remaining,
                    )
                )
    return updates


def board_entry_apply(*, entry_id: int) -> list[Board]:
    """Move one committed ledger entry onto every board it touches, once per board: the
    Redis script skips an entry it has already applied there, or that a rebuild already
    counted. Keeps the entry's display names next to the boards. Raises when Redis cannot
    be reached, so the outbox retries; pushes the changed boards after the caller's
    transaction commits. Returns the boards of the current periods it changed. Locks
    nothing (the Redis script is atomic); publishes nothing."""
    return board_entries_apply(entry_ids=[entry_id])


def board_entries_apply(*, entry_ids: list[int]) -> list[Board]:
    """``board_entry_apply`` for many entries at once (a worker's batch of
    ``points.recorded``): the entries read in one query, the contests open over their
    times once, one Redis round trip, one push after commit. The same boards move, each
    once per entry (the Redis script). Raises when Redis cannot be reached. Locks
    nothing; publishes nothing."""
    entries = list(
        LedgerEntry.objects.select_related("participant", "participant__partner_organisation")
        .filter(pk__in=entry_ids)
        .order_by("pk")
    )
    if not entries:
        return []
    times = [entry.created_at for entry in entries]
    contests = list(
        Contest.objects.filter(
            starts_at__lte=max(times), ends_at__gt=min(times), closed_at__isnull=True
        )
    )
    applied = [(entry, updates_for(entry=entry, contests=contests)) for entry in entries]
    if settings.REDIS_URL:
        _apply_to_redis(store.client(), applied)
    today = timezone.localdate()
    changed = sorted(
        {
            u.board
            for _e, updates in applied
            for u in updates
            if u.key == store.redis_key(u.board, today)
        }
    )
    transaction.on_commit(lambda: boards_changed(boards=changed), robust=True)
    return changed


def _apply_to_redis(redis: Redis, applied: list[tuple[LedgerEntry, list[Update]]]) -> None:
    script = redis.register_script(store.ADD_SCRIPT)
    with redis.pipeline(transaction=False) as pipe:
        for entry, updates in applied:
            for u in updates:
                script(
                    keys=[u.key, store.applied_key(u.key), store.watermark_key(u.key)],
                    args=[u.member, u.delta, u.remaining, store.KEY_TTL_SECONDS, entry.pk],
                    client=pipe,
                )
            # Display names live next to the boards: board pages then need no SQL.
            participant = entry.participant
            pipe.hset(
                store.NAMES_KEY[False],
                ranking.member(participant.pk),
                name_record(person=participant),
            )
            if (org := participant.partner_organisation) is not None:
                pipe.hset(store.NAMES_KEY[True], ranking.member(org.pk), org.name)
        pipe.execute()


def boards_changed(*, boards: list[Board]) -> None:
    """Coalesce bursts: push at once, and once more at the end of the window. Touches
    no database; publishes nothing."""
    if not boards:
        return
    ids = [b.id for b in boards]
    if settings.REDIS_URL:
        leading, trailing = store.throttle(ids, PUSH_WINDOW_SECONDS * 1000)
    else:
        leading = [i for i in ids if cache.add(f"lb:push:{i}", 1, PUSH_WINDOW_SECONDS)]
        trailing = [
            i
            for i in ids
            if i not in leading and cache.add(f"lb:trail:{i}", 1, PUSH_WINDOW_SECONDS * 2)
        ]
    boards_push(board_ids=leading)
    if trailing:
        from .tasks import board_push_task

        for board_id in trailing:
            board_push_task.apply_async(args=(board_id,), countdown=PUSH_WINDOW_SECONDS)


def _board_diff(*, board: Board) -> dict[Audience, dict]:
    """The rows of ``board`` that changed since the last push, per audience (empty when
    nothing changed), noted as sent."""
    rows_by_audience = board_rows_by_audience(board=board, n=PUSH_ROWS)
    keys = {audience: f"lb:sent:{board.id}:{audience}" for audience in rows_by_audience}
    sent = cache.get_many(list(keys.values()))
    diffs: dict[Audience, dict] = {}
    for audience, rows in rows_by_audience.items():
        current = {str(r["rank"]): [r["id"], r["name"], r["total"]] for r in rows}
        previous = sent.get(keys[audience]) or {}
        changed = {rank: row for rank, row in current.items() if previous.get(rank) != row}
        removed = [rank for rank in previous if rank not in current]
        sent[keys[audience]] = current
        if changed or removed:
            diffs[audience] = {"type": "board", "board": board.id, "set": changed, "drop": removed}
    cache.set_many({key: sent[key] for key in keys.values()}, 24 * 3600)
    return diffs


def board_push(*, board_id: str) -> dict[Audience, dict] | None:
    """Send the rows that changed since the last push (a compact diff) to the board's
    groups, encoded once per audience (partners see employees by initials). Returns the
    diffs sent, or None when nothing changed."""
    pushed = boards_push(board_ids=[board_id])
    return pushed.get(board_id)


def boards_push(*, board_ids: list[str]) -> dict[str, dict[Audience, dict]]:
    """``board_push`` for several boards, their diffs sent together in one trip to the
    channel layer (one action moves up to 16 boards: the last is not held back by the
    others' sends). Returns the diffs per board that changed."""
    pushed: dict[str, dict[Audience, dict]] = {}
    for board_id in board_ids:
        board = Board.parse(board_id)
        if diffs := _board_diff(board=board):
            pushed[board.id] = diffs
    boards_send(diffs=pushed)
    return pushed


# --- Rebuild ------------------------------------------------------------------------------


def boards_rebuild() -> int:
    """Recompute every current board from the ledger (the source of truth) into Redis,
    and the display names. Each board is swapped in atomically with a watermark (the
    highest entry id it counts): the live updates of entries up to it are skipped, and the
    entries written since are applied on top, once. An entry whose transaction was still
    open while its board was read is counted by the next rebuild. Returns the number of
    boards rebuilt. Locks nothing in SQL (Redis transactions swap each board);
    publishes nothing."""
    if not settings.REDIS_URL:
        return 0
    redis = store.client()
    count = 0
    members: dict[bool, set[int]] = {False: set(), True: set()}
    first_watermark = None
    for board in all_boards():
        key = store.redis_key(board)
        temp = f"{key}:rebuild"
        watermark = LedgerEntry.objects.aggregate(m=Max("pk"))["m"] or 0
        first_watermark = watermark if first_watermark is None else first_watermark
        totals = store.sql_totals(board, max_entry_id=watermark)
        members[board.by_organisation].update(pid for pid, _total, _last in totals)
        with redis.pipeline(transaction=True) as pipe:
            pipe.delete(temp)
            for start in range(0, len(totals), 5000):
                chunk = {
                    ranking.member(pid): ranking.encode(total, last)
                    for pid, total, last in totals[start : start + 5000]
                }
                pipe.zadd(temp, chunk)
            if totals:
                pipe.expire(temp, store.KEY_TTL_SECONDS)
                pipe.rename(temp, key)
            else:
                pipe.delete(key)
            pipe.set(store.watermark_key(key), watermark, ex=store.KEY_TTL_SECONDS)
            pipe.delete(store.applied_key(key))
            pipe.execute()
        count += 1
    # Entries written while the boards were read: applied once each (the script skips
    # the boards whose watermark already counts them).
    for entry in LedgerEntry.objects.filter(pk__gt=first_watermark or 0).select_related(
        "participant", "participant__partner_organisation"
    ):
        _apply_to_redis(redis, [(entry, updates_for(entry=entry))])
    _names_rebuild(redis, members)
    redis.set(store.BUILT_KEY, timezone.now().isoformat())
    BoardSync.objects.update_or_create(pk=1, defaults={"rebuilt_at": timezone.now()})
    return count


def _names_rebuild(redis: Redis, members: dict[bool, set[int]]) -> None:
    for by_organisation, found in members.items():
        key = store.NAMES_KEY[by_organisation]
        redis.delete(key)
        ids = sorted(found)
        for start in range(0, len(ids), 5000):
            records = name_records(by_organisation=by_organisation, ids=ids[start : start + 5000])
            if records:
                redis.hset(key, mapping={ranking.member(i): v for i, v in records.items()})


def boards_rebuild_if_lost() -> int:
    """Beat: rebuild when Redis has lost the boards (restarted without persistence).
    As ``boards_rebuild``."""
    if not settings.REDIS_URL or store.client().exists(store.BUILT_KEY):
        return 0
    return boards_rebuild()


def board_names_refresh(
    *, user_ids: Iterable[int] = (), organisation_ids: Iterable[int] = ()
) -> None:
    """A person or an organisation was renamed: rewrite their display records next to
    the boards (they are read there, with no SQL). Raises when Redis cannot be
    reached. Locks nothing, publishes nothing."""
    if not settings.REDIS_URL:
        return
    redis = store.client()
    for by_organisation, ids in ((False, list(user_ids)), (True, list(organisation_ids))):
        records = name_records(by_organisation=by_organisation, ids=ids) if ids else {}
        if records:
            redis.hset(
                store.NAMES_KEY[by_organisation],
                mapping={ranking.member(i): v for i, v in records.items()},
            )


# --- Shout-outs ---------------------------------------------------------------------------


def shoutout_post(*, author: User, about: User, message: str) -> Shoutout:
    """A manager praises someone (at most 280 characters). Checks the role; audits it;
    on commit a toast goes to everyone and, when configured, the chat webhook. Locks
    nothing. Publishes nothing."""
    if not has_role(user=author, roles=(Role.MANAGER,)):
        raise PermissionDenied(_("Only managers post shout-outs."))
    message = (message or "").strip()
    if not message:
        raise ValidationError({"message": [_("Write a few words.")]})
    if len(message) > 280:
        raise ValidationError({"message": [_("Keep it under 280 characters.")]})
    with transaction.atomic():
        shout = Shoutout.objects.create(author=author, about=about, message=message)
        audit_record(actor=author, action="shoutout.posted", target=shout, note=message)

        def text_for(audience: Audience) -> str:
            return _("%(author)s: %(about)s — %(message)s") % {
                "author": person_name(person=author, audience=audience),
                "about": person_name(person=about, audience=audience),
                "message": message,
            }

        transaction.on_commit(lambda: celebrate(kind="shoutout", text_for=text_for))
        if settings.CHAT_WEBHOOK_URL:
            from .tasks import shoutout_to_chat

            # A chat server that is away must not fail the shout-out (the task retries).
            transaction.on_commit(lambda: shoutout_to_chat.delay(shout.pk), robust=True)
    return shout


def chat_payload(*, text: str) -> dict[str, str]:
    """Slack and Teams incoming webhooks both accept ``{"text": ...}``. Pure."""
    return {"text": text}


CHAT_TIMEOUT_SECONDS = 5


def chat_post(*, text: str) -> None:
    """Post ``text`` to the configured Slack/Teams incoming webhook, with a timeout;
    raises OSError when the chat is away or refuses (the calling task retries)."""
    request = urllib.request.Request(  # noqa: S310 - the URL is the admin's configured webhook
        settings.CHAT_WEBHOOK_URL,
        data=json.dumps(chat_payload(text=text)).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=CHAT_TIMEOUT_SECONDS) as response:  # noqa: S310
        if response.status >= 300:
            raise OSError(f"chat webhook answered {response.status}")

"""Boards: incremental updates when ledger entries commit, rebuilds from the ledger,
reading with privacy rules, live pushes (coalesced), shout-outs, contests, TV screens."""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import Team, User
from portal.accounts.roles import Role
from portal.accounts.selectors import has_role, is_partner, roles_of
from portal.audit.services import audit_record
from portal.rewards.models import LedgerEntry, TierStatus

from . import ranking, store
from .consumers import LIVE_GROUP
from .models import BoardSync, Contest, Eligibility, Shoutout, TVScreen
from .ranking import METRICS, PERIODS, Board

log = logging.getLogger(__name__)
PUSH_WINDOW_SECONDS = 1  # at most a leading and a trailing push per board per second
PUSH_ROWS = 10


# --- Live broadcasts ----------------------------------------------------------------------


def live_broadcast(payload: dict, group: str = LIVE_GROUP) -> None:
    """Send to connected browsers. Never fails the caller: live is best effort."""
    try:
        async_to_sync(get_channel_layer().group_send)(
            group, {"type": "live.event", "payload": payload}
        )
    except Exception:  # Redis away: pages still work, just not live
        log.warning("live broadcast to %s failed", group, exc_info=True)


def celebrate(*, kind: str, text: str) -> None:
    live_broadcast({"type": "toast", "kind": kind, "text": text})


def board_group(board: Board) -> str:
    return "board." + board.id.replace(":", "-")


# --- Which boards an entry touches ------------------------------------------------------


def _scopes_for(participant: User, when) -> list[str]:
    scopes = ["everyone"]
    if participant.partner_organisation_id:
        scopes += ["partners", "orgs"]
    else:
        scopes.append("employees")
        if participant.team_id:
            scopes.append(f"team:{participant.team_id}")
    for contest in Contest.objects.filter(
        starts_at__lte=when, ends_at__gt=when, closed_at__isnull=True
    ):
        if contest_eligible(contest, participant):
            scopes.append(contest.board_scope)
    return scopes


def contest_eligible(contest: Contest, participant: User) -> bool:
    if contest.eligibility == Eligibility.EMPLOYEES:
        return participant.partner_organisation_id is None
    if contest.eligibility == Eligibility.PARTNERS:
        return participant.partner_organisation_id is not None
    if contest.eligibility == Eligibility.TEAM:
        return participant.team_id == contest.team_id
    if contest.eligibility == Eligibility.TIER:
        return TierStatus.objects.filter(participant=participant, tier_id=contest.tier_id).exists()
    return True


@dataclass(frozen=True)
class Update:
    key: str
    board: Board
    member: str
    delta: int
    remaining: int


def updates_for(entry: LedgerEntry) -> list[Update]:
    participant = entry.participant
    local = timezone.localtime(entry.created_at).date()
    remaining = ranking.TIE_SPAN - 1 - int((entry.created_at - ranking.EPOCH).total_seconds())
    updates = []
    for scope in _scopes_for(participant, entry.created_at):
        member_id = participant.partner_organisation_id if scope == "orgs" else participant.pk
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
    transaction commits. Returns the boards of the current periods it changed."""
    entry = (
        LedgerEntry.objects.select_related("participant", "participant__partner_organisation")
        .filter(pk=entry_id)
        .first()
    )
    if entry is None:
        return []
    updates = updates_for(entry)
    if settings.REDIS_URL:
        _apply_to_redis(store.client(), entry, updates)
    today = timezone.localdate()
    changed = sorted({u.board for u in updates if u.key == store.redis_key(u.board, today)})
    transaction.on_commit(lambda: boards_changed(changed), robust=True)
    return changed


def _apply_to_redis(redis, entry: LedgerEntry, updates: list[Update]) -> None:
    script = redis.register_script(store.ADD_SCRIPT)
    with redis.pipeline(transaction=False) as pipe:
        for u in updates:
            script(
                keys=[u.key, store.applied_key(u.key), store.watermark_key(u.key)],
                args=[u.member, u.delta, u.remaining, store.KEY_TTL_SECONDS, entry.pk],
                client=pipe,
            )
        # Display names live next to the boards: board pages then need no SQL.
        participant = entry.participant
        pipe.hset(store.NAMES_KEY[False], ranking.member(participant.pk), name_record(participant))
        if participant.partner_organisation_id:
            org = participant.partner_organisation
            pipe.hset(store.NAMES_KEY[True], ranking.member(org.pk), org.name)
        pipe.execute()


def boards_changed(boards: list[Board]) -> None:
    """Coalesce bursts: push at once, and once more at the end of the window."""
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
    for board_id in leading:
        board_push(board_id=board_id)
    if trailing:
        from .tasks import board_push_task

        for board_id in trailing:
            board_push_task.apply_async(args=[board_id], countdown=PUSH_WINDOW_SECONDS)


def board_push(*, board_id: str) -> dict | None:
    """Send the rows that changed since the last push (a compact diff) to the board's group."""
    board = Board.parse(board_id)
    rows = board_rows(board, viewer=None, n=PUSH_ROWS)
    current = {str(r["rank"]): [r["id"], r["name"], r["total"]] for r in rows}
    previous = cache.get(f"lb:sent:{board.id}") or {}
    changed = {rank: row for rank, row in current.items() if previous.get(rank) != row}
    removed = [rank for rank in previous if rank not in current]
    cache.set(f"lb:sent:{board.id}", current, 24 * 3600)
    if not changed and not removed:
        return None
    payload = {"type": "board", "board": board.id, "set": changed, "drop": removed}
    live_broadcast(payload, group=board_group(board))
    return payload


# --- Rebuild ------------------------------------------------------------------------------


def all_boards() -> list[Board]:
    scopes = ["everyone", "employees", "partners", "orgs"] + [
        f"team:{t}" for t in Team.objects.values_list("pk", flat=True)
    ]
    boards = [Board(s, m, p) for s in scopes for m in METRICS for p in PERIODS]
    recent = timezone.now() - timedelta(days=60)
    for contest in Contest.objects.filter(ends_at__gte=recent):
        boards += [Board(contest.board_scope, m, "all") for m in METRICS]
    return boards


def boards_rebuild() -> int:
    """Recompute every current board from the ledger (the source of truth) into Redis,
    and the display names. Each board is swapped in atomically with a watermark (the
    highest entry id it counts): the live updates of entries up to it are skipped, and the
    entries written since are applied on top, once. An entry whose transaction was still
    open while its board was read is counted by the next rebuild. Returns the number of
    boards rebuilt."""
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
        _apply_to_redis(redis, entry, updates_for(entry))
    _names_rebuild(redis, members)
    redis.set(store.BUILT_KEY, timezone.now().isoformat())
    BoardSync.objects.update_or_create(pk=1, defaults={"rebuilt_at": timezone.now()})
    return count


def _names_rebuild(redis, members: dict[bool, set[int]]) -> None:
    for by_organisation, ids in members.items():
        key = store.NAMES_KEY[by_organisation]
        redis.delete(key)
        ids = sorted(ids)
        for start in range(0, len(ids), 5000):
            records = name_records(by_organisation, ids[start : start + 5000])
            if records:
                redis.hset(key, mapping={ranking.member(i): v for i, v in records.items()})


def boards_rebuild_if_lost() -> int:
    """Beat: rebuild when Redis has lost the boards (restarted without persistence)."""
    if not settings.REDIS_URL or store.client().exists(store.BUILT_KEY):
        return 0
    return boards_rebuild()


def board_names_refresh(*, user_ids: list[int] = (), organisation_ids: list[int] = ()) -> None:
    """A person or an organisation was renamed: rewrite their display records next to
    the boards (they are read there, with no SQL). Raises when Redis cannot be reached."""
    if not settings.REDIS_URL:
        return
    redis = store.client()
    for by_organisation, ids in ((False, list(user_ids)), (True, list(organisation_ids))):
        records = name_records(by_organisation, ids) if ids else {}
        if records:
            redis.hset(
                store.NAMES_KEY[by_organisation],
                mapping={ranking.member(i): v for i, v in records.items()},
            )


# --- Reading with privacy ------------------------------------------------------------------


def board_visible_to(user, board: Board) -> bool:
    """Staff see every board; employees the company boards and their own team's; partners
    the boards of partners (and everyone's, where employees appear by initials)."""
    roles = roles_of(user)
    if not roles:
        return False
    if roles & {Role.REVIEWER, Role.FINANCE, Role.MANAGER} and not board.scope.startswith("team:"):
        return True
    scope = board.scope
    if scope.startswith("team:"):
        team_id = int(scope.split(":", 1)[1])
        return user.team_id == team_id or Team.objects.filter(pk=team_id, managers=user).exists()
    if scope.startswith("contest:"):
        return True
    if Role.PARTNER_USER in roles:
        return scope in {"everyone", "partners", "orgs"}
    return scope in {"everyone", "employees", "orgs"}


def name_record(person: User) -> str:
    """A person's display record: "public name<TAB>initials<TAB>E|P" (E: employee)."""
    return (
        f"{person.public_name}\t{person.initials}\t{'P' if person.partner_organisation_id else 'E'}"
    )


def name_records(by_organisation: bool, ids) -> dict[int, str]:
    """Display records from the database: an organisation's name, or for a person
    "public name<TAB>initials<TAB>E|P" (E: employee), so viewers' rules apply later."""
    if by_organisation:
        from portal.accounts.models import PartnerOrganisation

        return dict(PartnerOrganisation.objects.filter(pk__in=ids).values_list("pk", "name"))
    rows = User.objects.filter(pk__in=ids).values_list(
        "pk", "first_name", "last_name", "email", "show_initials_only", "partner_organisation_id"
    )
    records = {}
    for pk, first, last, email, initials_only, org in rows:
        person = User(
            pk=pk, first_name=first, last_name=last, email=email, show_initials_only=initials_only
        )
        records[pk] = f"{person.public_name}\t{person.initials}\t{'P' if org else 'E'}"
    return records


def _display(record: str, by_organisation: bool, hide_employees: bool) -> str:
    if by_organisation:
        return record
    public, initials, kind = record.split("\t")
    return initials if hide_employees and kind == "E" else public


def employee_names_hidden_from(viewer) -> bool:
    # is_partner reads the viewer's own row: no query for the groups on a hot path.
    return (
        viewer is not None
        and is_partner(viewer)
        and not settings.LEADERBOARD_PARTNERS_SEE_EMPLOYEE_NAMES
    )


def _names(
    board: Board, ids: list[int], viewer, cached: dict[int, str] | None = None
) -> dict[int, str]:
    records = dict(cached or {})
    missing = [i for i in ids if i not in records]
    if missing:
        found = name_records(board.by_organisation, missing)
        records.update(found)
        current = store.current_store()
        if isinstance(current, store.RedisStore):
            current.remember_names(board.by_organisation, found)
    hide = employee_names_hidden_from(viewer)
    return {i: _display(records[i], board.by_organisation, hide) for i in ids if i in records}


def board_rows(board: Board, viewer, n: int = 50) -> list[dict]:
    current = store.current_store()
    cached: dict[int, str] = {}
    if isinstance(current, store.RedisStore):
        rows, _me, _around, cached = current.page(board, n, None, 0)
    else:
        rows = current.top(board, n)
    names = _names(board, [r.participant_id for r in rows], viewer, cached)
    return [
        {
            "rank": r.rank,
            "id": r.participant_id,
            "name": names.get(r.participant_id, "?"),
            "total": r.total,
        }
        for r in rows
    ]


def board_page(board: Board, viewer, n: int = 50, k: int = 2) -> dict:
    """Top N and the viewer's rank with neighbours, in one store round trip where possible."""
    member_id = viewer.partner_organisation_id if board.by_organisation else viewer.pk
    current = store.current_store()
    cached: dict[int, str] = {}
    if isinstance(current, store.RedisStore):
        top, me, around, cached = current.page(board, n, member_id, k)
    else:
        top = current.top(board, n)
        me, around = current.around(board, member_id, k)
    names = _names(board, list({r.participant_id for r in top + around}), viewer, cached)

    def out(rows):
        return [
            {
                "rank": r.rank,
                "id": r.participant_id,
                "name": names.get(r.participant_id, "?"),
                "total": r.total,
            }
            for r in rows
        ]

    return {
        "board": board,
        "top": out(top),
        "me": me,
        "around": out(around),
        "member_id": member_id,
    }


# --- Shout-outs ---------------------------------------------------------------------------


def shoutout_post(*, author: User, about: User, message: str) -> Shoutout:
    if not has_role(author, Role.MANAGER):
        raise PermissionDenied(_("Only managers post shout-outs."))
    message = (message or "").strip()
    if not message:
        raise ValidationError({"message": [_("Write a few words.")]})
    if len(message) > 280:
        raise ValidationError({"message": [_("Keep it under 280 characters.")]})
    with transaction.atomic():
        shout = Shoutout.objects.create(author=author, about=about, message=message)
        audit_record(actor=author, action="shoutout.posted", target=shout, note=message)
        text = _("%(author)s: %(about)s — %(message)s") % {
            "author": author.public_name,
            "about": about.public_name,
            "message": message,
        }
        transaction.on_commit(
            lambda: live_broadcast({"type": "toast", "kind": "shoutout", "text": text})
        )
        if settings.CHAT_WEBHOOK_URL:
            from .tasks import shoutout_to_chat

            # A chat server that is away must not fail the shout-out (the task retries).
            transaction.on_commit(lambda: shoutout_to_chat.delay(shout.pk), robust=True)
    return shout


def chat_payload(text: str) -> dict:
    """Slack and Teams incoming webhooks both accept ``{"text": ...}``."""
    return {"text": text}


# --- Contests -------------------------------------------------------------------------------


def contest_close(*, contest: Contest) -> list[dict]:
    """At the end: rank, record and announce the winners. Once."""
    with transaction.atomic():
        contest = Contest.objects.select_for_update().get(pk=contest.pk)
        if contest.closed_at:
            return contest.winners
        board = Board(contest.board_scope, contest.metric, "all")
        prizes = contest.prize_list
        totals = store.sql_totals(board)[: len(prizes)]
        names = _names(board, [t[0] for t in totals], None)
        contest.winners = [
            {
                "place": i + 1,
                "participant": pid,
                "name": names.get(pid, "?"),
                "total": total,
                "prize": prizes[i],
            }
            for i, (pid, total, _last) in enumerate(totals)
        ]
        contest.closed_at = timezone.now()
        contest.save(update_fields=["winners", "closed_at"])
        audit_record(
            actor=None,
            action="contest.closed",
            target=contest,
            to_state="closed",
            data={"winners": contest.winners},
        )
        from portal.notifications.services import notify

        for winner in contest.winners:
            notify(
                user=User.objects.get(pk=winner["participant"]),
                kind="contest_won",
                context={"contest": contest, "winner": winner},
            )
        if contest.winners:
            text = _("%(contest)s: congratulations to %(name)s!") % {
                "contest": contest.name,
                "name": contest.winners[0]["name"],
            }
            transaction.on_commit(lambda: celebrate(kind="contest", text=text))
    return contest.winners


def contests_close_due() -> int:
    closed = 0
    for contest in Contest.objects.filter(closed_at__isnull=True, ends_at__lte=timezone.now()):
        contest_close(contest=contest)
        closed += 1
    return closed


# --- TV screens -----------------------------------------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def tv_screen_create(
    *, actor: User, name: str, boards: str, rotate_seconds: int = 20
) -> tuple[TVScreen, str]:
    if not has_role(actor, Role.MANAGER, Role.REVIEWER):
        raise PermissionDenied(_("Only managers and reviewers set up TV screens."))
    for board_id in [b.strip() for b in boards.split(",") if b.strip()]:
        try:
            Board.parse(board_id)
        except ValueError as exc:
            raise ValidationError(
                {"boards": [_("Unknown board: %(b)s") % {"b": board_id}]}
            ) from exc
    token = secrets.token_urlsafe(24)
    screen = TVScreen.objects.create(
        name=name,
        boards=boards,
        rotate_seconds=rotate_seconds,
        token_hash=_hash(token),
        created_by=actor,
    )
    audit_record(actor=actor, action="tv.created", target=screen)
    return screen, token


def tv_screen_for_token(token: str | None) -> TVScreen | None:
    if not token:
        return None
    return TVScreen.objects.filter(token_hash=_hash(token), revoked_at__isnull=True).first()


def tv_screen_revoke(*, actor: User, screen: TVScreen) -> TVScreen:
    if not has_role(actor, Role.MANAGER, Role.REVIEWER):
        raise PermissionDenied(_("Only managers and reviewers revoke TV screens."))
    screen.revoked_at = timezone.now()
    screen.save(update_fields=["revoked_at"])
    audit_record(actor=actor, action="tv.revoked", target=screen)
    return screen

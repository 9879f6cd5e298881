# SPDX-License-Identifier: AGPL-3.0-or-later
"""Where board answers come from: Redis sorted sets, or SQL over the ledger.

Both stores answer the same questions with the same order (``ranking.order_key``); the
Redis store is used when REDIS_URL is set, the SQL store otherwise (and as the truth a
rebuild starts from).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.db.models import Case, IntegerField, Max, Q, Sum, Value, When
from django.utils import timezone

from portal.core.dates import next_month
from portal.rewards.models import LedgerEntry

from . import ranking
from .ranking import Board

KEY_PREFIX = "vouch:lb"
KEY_TTL_SECONDS = 400 * 24 * 3600  # past periods expire by themselves

# Atomic "add one ledger entry to a participant's total, once, and keep the latest-change
# tie-break". KEYS[1] board, KEYS[2] ids of the entries applied to it (a sorted set scored
# by id), KEYS[3] the rebuild watermark (entries up to it are in the rebuilt board).
# ARGV[1] member, ARGV[2] delta, ARGV[3] remaining seconds (tie part), ARGV[4] TTL,
# ARGV[5] entry id. Returns the new total, or false for an entry it must skip.
ADD_SCRIPT = """
local id = tonumber(ARGV[5])
local wm = tonumber(redis.call('GET', KEYS[3]) or '0')
if id <= wm then return false end
if redis.call('ZADD', KEYS[2], 'NX', id, ARGV[5]) == 0 then return false end
redis.call('EXPIRE', KEYS[2], ARGV[4])
local span = 4294967296
local s = redis.call('ZSCORE', KEYS[1], ARGV[1])
local total, remaining = 0, tonumber(ARGV[3])
if s then
  s = tonumber(s)
  total = math.floor(s / span)
  local old = s - total * span
  if old < remaining then remaining = old end
end
total = total + tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], total * span + remaining, ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[4])
return total
"""
# Set by every rebuild; its absence means Redis lost the boards (a restart without
# persistence), and the beat task rebuilds them.
BUILT_KEY = f"{KEY_PREFIX}:built"


def applied_key(key: str) -> str:
    return f"{key}:applied"


def watermark_key(key: str) -> str:
    return f"{key}:wm"


# The board page in one round trip: top N, my rank, score and neighbours, and the names.
# KEYS[1] board, KEYS[2] names hash; ARGV[1] n, ARGV[2] member ("" for none), ARGV[3] k.
PAGE_SCRIPT = """
local top = redis.call('ZREVRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1, 'WITHSCORES')
local rank, score, around = false, false, {}
if ARGV[2] ~= '' then
  rank = redis.call('ZREVRANK', KEYS[1], ARGV[2])
  if rank then
    score = redis.call('ZSCORE', KEYS[1], ARGV[2])
    local first = rank - tonumber(ARGV[3])
    if first < 0 then first = 0 end
    around = redis.call('ZREVRANGE', KEYS[1], first, rank + tonumber(ARGV[3]), 'WITHSCORES')
  end
end
local ids = {}
for i = 1, #top, 2 do ids[#ids + 1] = top[i] end
for i = 1, #around, 2 do ids[#ids + 1] = around[i] end
local names = {}
if #ids > 0 then names = redis.call('HMGET', KEYS[2], unpack(ids)) end
return {top, rank, score, around, ids, names}
"""
NAMES_KEY = {False: f"{KEY_PREFIX}:names:people", True: f"{KEY_PREFIX}:names:orgs"}


class Row(NamedTuple):
    rank: int
    participant_id: int
    total: int


def period_window(period: str, today: date) -> tuple[datetime | None, datetime | None]:
    start = ranking.period_start(period, today)
    if start is None:
        return None, None
    if period == "week":
        end = start + timedelta(days=7)
    elif period == "month":
        end = next_month(start)
    else:
        month = start.month + 3
        end = date(start.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)
    tz = timezone.get_current_timezone()
    return timezone.make_aware(datetime.combine(start, time.min), tz), timezone.make_aware(
        datetime.combine(end, time.min), tz
    )


def redis_key(board: Board, today: date | None = None) -> str:
    today = today or timezone.localdate()
    return f"{KEY_PREFIX}:{board.scope}:{board.metric}:{ranking.period_key(board.period, today)}"


def _contest(board: Board):
    from .models import Contest

    return Contest.objects.select_related("tier", "team").get(pk=int(board.scope.split(":", 1)[1]))


def scope_filter(board: Board) -> Q:
    """Ledger entries that count on this board (scope only; the period is separate)."""
    scope = board.scope
    if scope == "everyone":
        return Q()
    if scope == "employees":
        return Q(participant__partner_organisation__isnull=True)
    if scope in {"partners", "orgs"}:
        return Q(participant__partner_organisation__isnull=False)
    if scope.startswith("team:"):
        return Q(participant__team_id=int(scope.split(":", 1)[1]))
    if scope.startswith("contest:"):
        contest = _contest(board)
        q = Q(created_at__gte=contest.starts_at, created_at__lt=contest.ends_at)
        return q & eligibility_filter(contest)
    raise ValueError(scope)


# Who has a referrer profile is the insight app's to say (portal/insight), and the boards
# may not import it: it registers its reader here when it starts (InsightConfig.ready).
_profile_reader: Callable[..., Collection[int]] | None = None


def register_profile_reader(reader: Callable[..., Collection[int]]) -> None:
    """Set the function ``(*, kind: str, before: datetime) -> ids`` that names the
    participants who had referrer profile ``kind`` before a contest started."""
    global _profile_reader
    _profile_reader = reader


def profile_members(contest) -> frozenset[int]:
    """The participants a referrer-profile contest admits: those with its profile over the
    year before it starts. Fixed once the contest has started, so kept for an hour."""
    if _profile_reader is None or not contest.profile:
        return frozenset()
    reader = _profile_reader

    def read() -> frozenset[int]:
        return frozenset(reader(kind=contest.profile, before=contest.starts_at))

    if contest.starts_at > timezone.now():
        return read()
    key = f"{KEY_PREFIX}:profile:{contest.pk}:{contest.profile}:{contest.starts_at.timestamp()}"
    members: frozenset[int] = cache.get_or_set(key, read, 3600) or frozenset()
    return members


def eligibility_filter(contest) -> Q:
    from .models import Eligibility

    if contest.eligibility == Eligibility.PROFILE:
        return Q(participant_id__in=profile_members(contest))
    if contest.eligibility == Eligibility.EMPLOYEES:
        return Q(participant__partner_organisation__isnull=True)
    if contest.eligibility == Eligibility.PARTNERS:
        return Q(participant__partner_organisation__isnull=False)
    if contest.eligibility == Eligibility.TEAM:
        return Q(participant__team_id=contest.team_id)
    if contest.eligibility == Eligibility.TIER:
        return Q(participant__tier_statuses__tier_id=contest.tier_id)
    return Q()


def _metric_value(metric: str):
    if metric == "points":
        return "amount"
    whens = [
        When(event=event, then=Value(sign)) for event, sign in ranking.METRIC_EVENTS[metric].items()
    ]
    return Case(*whens, default=Value(0), output_field=IntegerField())


def sql_totals(
    board: Board, today: date | None = None, *, max_entry_id: int | None = None
) -> list[tuple[int, int, datetime]]:
    """(member id, total, last change) for every member of the board, best first; only
    entries up to ``max_entry_id`` when given (a rebuild's watermark)."""
    today = today or timezone.localdate()
    entries = LedgerEntry.objects.filter(scope_filter(board))
    if max_entry_id is not None:
        entries = entries.filter(pk__lte=max_entry_id)
    if not board.scope.startswith("contest:"):
        start, end = period_window(board.period, today)
        if start is not None:
            entries = entries.filter(created_at__gte=start, created_at__lt=end)
    if board.metric == "points":
        entries = entries.exclude(event__in=ranking.SPENDING_EVENTS)
    else:
        entries = entries.filter(event__in=list(ranking.METRIC_EVENTS[board.metric]))
    group = "participant__partner_organisation_id" if board.by_organisation else "participant_id"
    rows = entries.values(group).annotate(
        total=Sum(_metric_value(board.metric)), last=Max("created_at")
    )
    result = [(r[group], int(r["total"] or 0), r["last"]) for r in rows]
    result.sort(key=lambda r: ranking.order_key(r[1], r[2], r[0]))
    return result


class SqlStore:
    def top(self, board: Board, n: int) -> list[Row]:
        return self._top(sql_totals(board), n)

    @staticmethod
    def _top(totals: list[tuple[int, int, datetime]], n: int) -> list[Row]:
        return [Row(i + 1, pid, total) for i, (pid, total, _last) in enumerate(totals[:n])]

    def around(self, board: Board, member_id: int, k: int) -> tuple[Row | None, list[Row]]:
        return self._around(sql_totals(board), member_id, k)

    def page(self, board: Board, n: int, member_id: int | None, k: int):
        """Top N, my row and my neighbours from one reading of the board's totals (as
        ``RedisStore.page``; no names are cached here)."""
        totals = sql_totals(board)
        me, around = self._around(totals, member_id, k) if member_id is not None else (None, [])
        return self._top(totals, n), me, around, {}

    @staticmethod
    def _around(
        totals: list[tuple[int, int, datetime]], member_id: int, k: int
    ) -> tuple[Row | None, list[Row]]:
        index = next((i for i, r in enumerate(totals) if r[0] == member_id), None)
        if index is None:
            return None, []
        window = totals[max(0, index - k) : index + k + 1]
        first = max(0, index - k)
        rows = [Row(first + i + 1, pid, total) for i, (pid, total, _l) in enumerate(window)]
        return Row(index + 1, member_id, totals[index][1]), rows


def redis_client():
    import redis

    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)


_client = None


def client():
    global _client
    if _client is None:
        _client = redis_client()
    return _client


_scripts: dict[int, Any] = {}


def page_script(redis):
    """PAGE_SCRIPT registered once per client (EVALSHA; loaded again if Redis lost it)."""
    script = _scripts.get(id(redis))
    if script is None:
        script = _scripts[id(redis)] = redis.register_script(PAGE_SCRIPT)
    return script


class RedisStore:
    def __init__(self, redis=None):
        self.redis = redis or client()

    def _rows(self, pairs, first_rank: int) -> list[Row]:
        return [
            Row(first_rank + i, int(m), ranking.decode(score)) for i, (m, score) in enumerate(pairs)
        ]

    def top(self, board: Board, n: int) -> list[Row]:
        return self._rows(self.redis.zrevrange(redis_key(board), 0, n - 1, withscores=True), 1)

    def around(self, board: Board, member_id: int, k: int) -> tuple[Row | None, list[Row]]:
        key = redis_key(board)
        member = ranking.member(member_id)
        with self.redis.pipeline(transaction=False) as pipe:
            pipe.zrevrank(key, member)
            pipe.zscore(key, member)
            rank, score = pipe.execute()
        if rank is None:
            return None, []
        first = max(0, rank - k)
        rows = self._rows(self.redis.zrevrange(key, first, rank + k, withscores=True), first + 1)
        return Row(rank + 1, member_id, ranking.decode(score)), rows

    def page(self, board: Board, n: int, member_id: int | None, k: int):
        """Top N, my row, my neighbours and the cached names, in one round trip (a Lua
        script): no SQL, no model instances."""
        member = ranking.member(member_id) if member_id is not None else ""
        top, rank, score, around, ids, names = page_script(self.redis)(
            keys=[redis_key(board), NAMES_KEY[board.by_organisation]], args=[n, member, k]
        )
        span = ranking.TIE_SPAN
        top_rows = [
            Row(i // 2 + 1, int(top[i]), int(float(top[i + 1]) // span))
            for i in range(0, len(top), 2)
        ]
        me = None
        around_rows: list[Row] = []
        if rank is not None and member_id is not None:
            me = Row(rank + 1, member_id, int(float(score) // span))
            first = max(0, rank - k) + 1
            around_rows = [
                Row(first + i // 2, int(around[i]), int(float(around[i + 1]) // span))
                for i in range(0, len(around), 2)
            ]
        cached = {int(i): v.decode() for i, v in zip(ids, names, strict=True) if v is not None}
        return top_rows, me, around_rows, cached

    def remember_names(self, by_organisation: bool, names: dict[int, str]) -> None:
        if names:
            self.redis.hset(
                NAMES_KEY[by_organisation], mapping={ranking.member(i): v for i, v in names.items()}
            )


def current_store():
    return RedisStore() if settings.REDIS_URL else SqlStore()


def throttle(board_ids: list[str], window_ms: int) -> tuple[list[str], list[str]]:
    """For each board: may it push now (leading), or should it schedule the trailing push
    (once per window, for the updates that came after the leading push)? One Redis round
    trip, a second only for boards already pushed in this window (SET NX PX)."""
    redis = client()
    with redis.pipeline(transaction=False) as pipe:
        for board_id in board_ids:
            pipe.set(f"{KEY_PREFIX}:push:{board_id}", 1, nx=True, px=window_ms)
        replies = pipe.execute()
    leading = [b for b, ok in zip(board_ids, replies, strict=True) if ok]
    held = [b for b, ok in zip(board_ids, replies, strict=True) if not ok]
    if not held:
        return leading, []
    with redis.pipeline(transaction=False) as pipe:
        for board_id in held:
            pipe.set(f"{KEY_PREFIX}:trail:{board_id}", 1, nx=True, px=window_ms)
        replies = pipe.execute()
    return leading, [b for b, ok in zip(held, replies, strict=True) if ok]

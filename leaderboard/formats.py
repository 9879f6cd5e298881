# SPDX-License-Identifier: AGPL-3.0-or-later
"""Contest formats: who wins what, from the standings, by the contest's format (pure).

Ties share a place (competition ranking: 1, 1, 3): tied participants in a ranking each
get the prize of their place; in a pot, they share equally the shares of the places they
occupy together (two tied first with shares 50, 30, 20 get 40 % each, the next gets 20 %).
Only positive scores win, and in a ranking or a pot only scores at or above the minimum.
Every award carries the rule that chose it (``rule``), recorded with the winners.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from portal.core.money import money

POINTS_PRIZE = re.compile(r"^\s*(\d{1,7})\s*(?:points|pts|p)\b", re.IGNORECASE)
CASH_PRIZE = re.compile(r"^\s*(\d{1,9}(?:[.,]\d{1,2})?)\s*([A-Z]{3})\b")
LEVEL_LINE = re.compile(r"^\s*(\d{1,9})\s*:\s*(.+)$")


@dataclass(frozen=True)
class Prize:
    """A prize line: its text, and what flows from it (points, or money paid out)."""

    text: str
    points: int = 0
    amount: Decimal | None = None
    currency: str = ""


@dataclass(frozen=True)
class Standing:
    participant: int
    total: int
    team: int | None = None


@dataclass(frozen=True)
class Award:
    participant: int
    total: int
    prize: Prize
    rule: dict[str, Any] = field(default_factory=dict)
    place: int | None = None
    team: int | None = None


def prize_parse(line: str) -> Prize:
    """“500 points …” awards points; “100 EUR …” (an amount and a currency) is money;
    anything else is a prize handed over in person."""
    text = line.strip()
    if m := POINTS_PRIZE.match(text):
        return Prize(text=text, points=int(m.group(1)))
    if m := CASH_PRIZE.match(text):
        try:
            return Prize(
                text=text, amount=money(Decimal(m.group(1).replace(",", "."))), currency=m.group(2)
            )
        except InvalidOperation:
            pass
    return Prize(text=text)


def prizes_parse(text: str) -> list[Prize]:
    return [prize_parse(line) for line in (text or "").splitlines() if line.strip()]


def levels_parse(text: str) -> list[tuple[int, Prize]]:
    """Steps: “level: prize” lines, lowest level first (lines without a level ignored)."""
    levels = []
    for line in (text or "").splitlines():
        if m := LEVEL_LINE.match(line):
            levels.append((int(m.group(1)), prize_parse(m.group(2))))
    return sorted(levels, key=lambda lv: lv[0])


def shares_parse(text: str) -> list[Decimal]:
    """“50,30,20” → the pot's percentages by place (bad parts are ignored)."""
    shares = []
    for part in (text or "").replace(";", ",").split(","):
        try:
            value = Decimal(part.strip())
        except InvalidOperation:
            continue
        if value.is_finite() and value > 0:
            shares.append(value)
    return shares


def places(totals: Iterable[tuple[int, int]]) -> list[tuple[int, int, int, int]]:
    """(key, total) best first → (key, total, place, tied): competition ranking."""
    rows = sorted(totals, key=lambda r: (-r[1], r[0]))
    counts: dict[int, int] = defaultdict(int)
    for _key, total in rows:
        counts[total] += 1
    result, place = [], 0
    for i, (key, total) in enumerate(rows):
        if i == 0 or rows[i - 1][1] != total:
            place = i + 1
        result.append((key, total, place, counts[total]))
    return result


def _qualifying(standings: Sequence[Standing], minimum: int | None) -> list[Standing]:
    return [s for s in standings if s.total > 0 and (minimum is None or s.total >= minimum)]


def ranking_awards(
    *, standings: Sequence[Standing], prizes: Sequence[Prize], minimum: int | None = None
) -> list[Award]:
    by_id = {s.participant: s for s in _qualifying(standings, minimum)}
    awards = []
    for pid, total, place, tied in places((s.participant, s.total) for s in by_id.values()):
        if place <= len(prizes):
            rule = {"code": "rank", "place": place, "tied": tied, "minimum": minimum}
            awards.append(Award(pid, total, prizes[place - 1], rule, place))
    return awards


def pot_awards(
    *,
    standings: Sequence[Standing],
    pot: Decimal,
    shares: Sequence[Decimal],
    currency: str,
    measured: Decimal,
    percent: Decimal,
    minimum: int | None = None,
) -> list[Award]:
    awards = []
    qualifying = _qualifying(standings, minimum)
    for pid, total, place, tied in places((s.participant, s.total) for s in qualifying):
        share = sum(shares[place - 1 : place - 1 + tied], Decimal(0)) / tied
        amount = money(pot * share / Decimal(100))
        if amount <= 0:
            continue
        rule = {
            "code": "pot",
            "place": place,
            "tied": tied,
            "share": format(share.quantize(Decimal("0.01")).normalize(), "f"),
            "pot": f"{money(pot)}",
            "measured": f"{money(measured)}",
            "percent": format(percent.normalize(), "f"),
            "currency": currency,
            "minimum": minimum,
        }
        prize = Prize(text=f"{amount} {currency}", amount=amount, currency=currency)
        awards.append(Award(pid, total, prize, rule, place))
    return awards


def steps_awards(
    *, standings: Sequence[Standing], levels: Sequence[tuple[int, Prize]]
) -> list[Award]:
    """Everyone reaching a level gets the prize of the highest level they reached."""
    awards = []
    for s in sorted(standings, key=lambda s: (-s.total, s.participant)):
        reached = [lv for lv in levels if s.total >= lv[0] and s.total > 0]
        if reached:
            level, prize = reached[-1]
            awards.append(Award(s.participant, s.total, prize, {"code": "step", "level": level}))
    return awards


def goals_awards(
    *,
    standings: Sequence[Standing],
    targets: dict[int, int],
    default: int | None,
    prize: Prize,
) -> list[Award]:
    """Everyone who reaches their own target (or the default) gets the prize."""
    awards = []
    for s in sorted(standings, key=lambda s: (-s.total, s.participant)):
        target = targets.get(s.participant, default)
        if target and s.total >= target:
            awards.append(Award(s.participant, s.total, prize, {"code": "goal", "target": target}))
    return awards


def team_scores(*, standings: Sequence[Standing], top_n: int) -> dict[int, int]:
    """Each team's score: the sum of its best ``top_n`` members."""
    members: dict[int, list[int]] = defaultdict(list)
    for s in standings:
        if s.team is not None:
            members[s.team].append(s.total)
    return {team: sum(sorted(t, reverse=True)[:top_n]) for team, t in members.items()}


def team_awards(
    *, standings: Sequence[Standing], prizes: Sequence[Prize], top_n: int
) -> list[Award]:
    """Teams rank by their score; every scoring member of a team at a prize place gets
    that place's prize."""
    scores = team_scores(standings=standings, top_n=top_n)
    awards = []
    for team, score, place, tied in places((t, v) for t, v in scores.items() if v > 0):
        if place > len(prizes):
            continue
        rule = {"code": "team", "place": place, "tied": tied, "score": score, "top_n": top_n}
        for s in sorted(standings, key=lambda s: (-s.total, s.participant)):
            if s.team == team and s.total > 0:
                awards.append(Award(s.participant, s.total, prizes[place - 1], rule, place, team))
    return awards


def rule_text(rule: dict[str, Any]) -> str:
    """The rule that chose a winner, in the reader's language."""
    code = rule.get("code")
    if code == "rank":
        text = (
            _("Place %(place)s, shared by %(tied)s")
            if rule.get("tied", 1) > 1
            else _("Place %(place)s")
        ) % rule
        if rule.get("minimum"):
            text += " · " + _("at least %(minimum)s to win") % rule
        return text
    if code == "pot":
        return (
            _(
                "Place %(place)s: %(share)s %% of the pot (%(percent)s %% of %(measured)s "
                "%(currency)s won = %(pot)s %(currency)s)"
            )
            % rule
        )
    if code == "step":
        return _("Reached level %(level)s") % rule
    if code == "goal":
        return _("Reached the target of %(target)s") % rule
    if code == "team":
        return _("Team in place %(place)s, score %(score)s (best %(top_n)s members)") % rule
    return ""

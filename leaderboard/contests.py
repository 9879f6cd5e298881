# SPDX-License-Identifier: AGPL-3.0-or-later
"""Contests: standings, winners by format when a contest closes, sharing to chat.

The formats themselves are pure (``formats.py``); here they meet the data: the contest's
board, the participants' teams, the value of the deals won (a pot), the targets (goals).
A contest closes once (its row lock and ``closed_at``); its winners are recorded with the
rule that chose each, and ``contest.closed`` carries the prizes that flow: rewards adds
the points, payouts the money (each once per contest and participant)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.accounts.display import Audience
from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.accounts.selectors import has_role
from portal.audit.services import audit_record
from portal.core.money import money, money_sum
from portal.events.services import publish
from portal.leads.models import Lead, LeadStatus

from . import formats, store
from .formats import Award, Standing
from .models import Contest, ContestFormat, ContestGoal
from .ranking import Board
from .selectors import _names
from .services import celebrate


def contest_board(*, contest: Contest) -> Board:
    return Board(contest.board_scope, contest.metric, "all")


def contest_standings(*, contest: Contest) -> list[Standing]:
    """Every participant on the contest's board with their score and (teams) team. Read
    only."""
    totals = store.sql_totals(contest_board(contest=contest))
    teams: dict[int, int | None] = {}
    if contest.format == ContestFormat.TEAMS:
        teams = dict(
            User.objects.filter(pk__in=[t[0] for t in totals]).values_list("pk", "team_id")
        )
    return [Standing(pid, total, teams.get(pid)) for pid, total, _last in totals]


def contest_measured_total(*, contest: Contest, participant_ids: list[int]) -> Decimal:
    """A pot's measured total: the value of the deals the participants won during the
    contest, in the pot's currency (a deal reversed since counts no more). Read only."""
    leads = Lead.objects.filter(
        referrer_id__in=participant_ids,
        status=LeadStatus.WON,
        deal_reversed_at__isnull=True,
        deal_currency=contest.pot_currency,
        pk__in=Lead.objects.filter(
            ledger_entries__event="won",
            ledger_entries__created_at__gte=contest.starts_at,
            ledger_entries__created_at__lt=contest.ends_at,
        ).values("pk"),
    )
    return money_sum(leads, "deal_value")


def canonical_prizes(*, contest: Contest) -> str:
    """The prize lines the rules read: the English ones (each language's copy is for
    reading; “500 points” and “100 EUR” are recognised in English)."""
    return getattr(contest, "prizes_en", None) or contest.prizes


def contest_awards(*, contest: Contest, standings: list[Standing] | None = None) -> list[Award]:
    """Who wins what under the contest's format, from the standings (now, or at the
    close). Read only."""
    standings = contest_standings(contest=contest) if standings is None else standings
    prizes = formats.prizes_parse(canonical_prizes(contest=contest))
    if contest.format == ContestFormat.POT:
        qualifying = [s.participant for s in standings if s.total > 0]
        measured = contest_measured_total(contest=contest, participant_ids=qualifying)
        percent = Decimal(contest.pot_percent or 0)
        return formats.pot_awards(
            standings=standings,
            pot=money(measured * percent / Decimal(100)),
            shares=formats.shares_parse(contest.pot_shares),
            currency=contest.pot_currency,
            measured=measured,
            percent=percent,
            minimum=contest.minimum_score,
        )
    if contest.format == ContestFormat.STEPS:
        return formats.steps_awards(
            standings=standings, levels=formats.levels_parse(canonical_prizes(contest=contest))
        )
    if contest.format == ContestFormat.GOALS:
        targets = dict(
            ContestGoal.objects.filter(contest=contest).values_list("participant_id", "target")
        )
        return formats.goals_awards(
            standings=standings,
            targets=targets,
            default=contest.goal_target,
            prize=prizes[0] if prizes else formats.Prize(text=""),
        )
    if contest.format == ContestFormat.TEAMS:
        return formats.team_awards(standings=standings, prizes=prizes, top_n=contest.team_top_n)
    return formats.ranking_awards(standings=standings, prizes=prizes, minimum=contest.minimum_score)


def _winner_record(award: Award, name: str, team_name: str) -> dict[str, Any]:
    return {
        "place": award.place,
        "participant": award.participant,
        "name": name,
        "team": award.team,
        "team_name": team_name,
        "total": award.total,
        "prize": award.prize.text,
        "points": award.prize.points,
        "amount": None if award.prize.amount is None else f"{award.prize.amount}",
        "currency": award.prize.currency,
        "rule": award.rule,
    }


def contest_close(*, contest: Contest) -> list[dict[str, Any]]:
    """At the end: decide the winners by the contest's format, record them with the rule
    that chose each, and let their prizes flow. Once. Locks the contest's row; audits
    it; notifies the winners; publishes ``contest.closed`` with the prizes (rewards adds
    the points, payouts the money, each once); celebrates on commit."""
    with transaction.atomic():
        contest = Contest.objects.select_for_update().get(pk=contest.pk)
        if contest.closed_at:
            return contest.winners
        awards = contest_awards(contest=contest)
        # The record keeps the winners' names; pages show them per viewer.
        names = _names(
            board=contest_board(contest=contest),
            ids=[a.participant for a in awards],
            viewer=None,
            audience=Audience.STAFF,
        )
        from portal.accounts.models import Team

        team_names = dict(
            Team.objects.filter(pk__in={a.team for a in awards if a.team}).values_list("pk", "name")
        )
        contest.winners = [
            _winner_record(a, names.get(a.participant, "?"), team_names.get(a.team or 0, ""))
            for a in awards
        ]
        contest.closed_at = timezone.now()
        contest.save(update_fields=["winners", "closed_at"])
        audit_record(
            actor=None,
            action="contest.closed",
            target=contest,
            to_state="closed",
            data={"format": contest.format, "winners": contest.winners},
        )
        publish(
            name="contest.closed",
            aggregate=contest,
            payload={
                "contest": contest.pk,
                "name": contest.name,
                "awards": [
                    {
                        "participant": w["participant"],
                        "points": w["points"],
                        "amount": w["amount"],
                        "currency": w["currency"],
                        "prize": w["prize"],
                    }
                    for w in contest.winners
                ],
            },
            occurred_at=contest.closed_at,
        )
        from portal.notifications.services import notify

        winners = User.objects.in_bulk([w["participant"] for w in contest.winners])
        for winner in contest.winners:
            if person := winners.get(winner["participant"]):
                notify(
                    user=person,
                    kind="contest_won",
                    context={"contest": contest, "winner": winner},
                )
        if contest.winners:
            text = _("%(contest)s: congratulations to %(name)s!") % {
                "contest": contest.name,
                "name": contest.winners[0]["name"],
            }
            transaction.on_commit(lambda: celebrate(kind="contest", text_for=lambda _a: text))
    return contest.winners


def contests_close_due() -> int:
    """Beat: close every contest whose end has passed (each once, under its row
    lock). Publishes what ``contest_close`` publishes."""
    closed = 0
    for contest in Contest.objects.filter(closed_at__isnull=True, ends_at__lte=timezone.now()):
        contest_close(contest=contest)
        closed += 1
    return closed


# --- Sharing the standings --------------------------------------------------------------


def time_left_text(*, contest: Contest, now: datetime) -> str:
    """“3 days left”, “5 hours left”, or that it has ended. Pure."""
    if contest.closed_at or now >= contest.ends_at:
        return _("ended")
    if now < contest.starts_at:
        return _("not started yet")
    seconds = int((contest.ends_at - now).total_seconds())
    days, hours = seconds // 86400, seconds // 3600
    if days >= 1:
        return ngettext("%(n)s day left", "%(n)s days left", days) % {"n": days}
    if hours >= 1:
        return ngettext("%(n)s hour left", "%(n)s hours left", hours) % {"n": hours}
    minutes = max(1, seconds // 60)
    return ngettext("%(n)s minute left", "%(n)s minutes left", minutes) % {"n": minutes}


def contest_share_text(*, contest: Contest, top_n: int = 5, now: datetime | None = None) -> str:
    """The standings as one chat message: the name, the time left, the top N (names as
    staff see them: the company's own chat) and the prizes. Read only."""
    now = now or timezone.now()
    board = contest_board(contest=contest)
    standings = contest_standings(contest=contest)[:top_n]
    names = _names(
        board=board, ids=[s.participant for s in standings], viewer=None, audience=Audience.STAFF
    )
    lines = [
        f"*{contest.name}* · {contest.get_format_display()} · {time_left_text(contest=contest, now=now)}"
    ]
    for place, s in enumerate(standings, start=1):
        lines.append(f"{place}. {names.get(s.participant, '?')} — {s.total}")
    if not standings:
        lines.append(_("No scores yet."))
    if contest.prizes.strip():
        lines.append(_("Prizes: %(prizes)s") % {"prizes": " · ".join(contest.prize_list)})
    elif contest.format == ContestFormat.POT and contest.pot_percent:
        lines.append(
            _("Pot: %(percent)s %% of the deals won, shared %(shares)s")
            % {
                "percent": format(contest.pot_percent.normalize(), "f"),
                "shares": contest.pot_shares,
            }
        )
    return "\n".join(lines)


def contest_share(*, actor: User, contest: Contest, top_n: int = 5) -> str:
    """A manager or reviewer shares the standings to the company chat (Slack or Teams
    incoming webhook) on commit. Checks the role and that a chat is configured; audits
    it. Locks nothing; publishes nothing."""
    if not has_role(user=actor, roles=(Role.MANAGER, Role.REVIEWER)):
        raise PermissionDenied(_("Only managers and reviewers share contest standings."))
    if not settings.CHAT_WEBHOOK_URL:
        raise ValidationError(_("No chat is connected (CHAT_WEBHOOK_URL is not set)."))
    text = contest_share_text(contest=contest, top_n=top_n)
    audit_record(actor=actor, action="contest.shared", target=contest, note=text)
    from .tasks import contest_to_chat

    transaction.on_commit(lambda: contest_to_chat.delay(text), robust=True)
    return text


def contest_view(*, contest: Contest, viewer: User, n: int = 20) -> dict[str, Any]:
    """What the contest page shows ``viewer``: the standings (top N, names as the viewer
    may see them, teams' scores for team contests) with what each would win now, or the
    recorded winners once closed, each with the rule that chose them. Read only."""
    now = timezone.now()
    board = contest_board(contest=contest)
    standings = contest_standings(contest=contest)
    if contest.closed_at:
        awards_by_person: dict[int, dict[str, Any]] = {w["participant"]: w for w in contest.winners}
    else:
        awards_by_person = {
            a.participant: _winner_record(a, "", "")
            for a in contest_awards(contest=contest, standings=standings)
        }
    top = standings[:n]
    ids = [s.participant for s in top] + [
        pid for pid in awards_by_person if pid not in {s.participant for s in top}
    ]
    names = _names(board=board, ids=ids, viewer=viewer)
    rows = []
    for place, s in formats_places(top):
        award = awards_by_person.get(s.participant)
        rows.append(
            {
                "place": place,
                "name": names.get(s.participant, "?"),
                "total": s.total,
                "me": s.participant == viewer.pk,
                "prize": award["prize"] if award else "",
                "rule": formats.rule_text(award["rule"]) if award else "",
            }
        )
    winners = [
        {
            **w,
            "name": names.get(w["participant"], "?"),
            "rule_text": formats.rule_text(w["rule"]),
        }
        for w in (contest.winners if contest.closed_at else [])
    ]
    teams: list[dict[str, Any]] = []
    if contest.format == ContestFormat.TEAMS:
        from portal.accounts.models import Team

        scores = formats.team_scores(standings=standings, top_n=contest.team_top_n)
        team_names = dict(Team.objects.filter(pk__in=scores).values_list("pk", "name"))
        teams = [
            {"place": place, "name": team_names.get(team, "?"), "score": score, "tied": tied}
            for team, score, place, tied in formats.places(scores.items())
        ]
    goal = None
    if contest.format == ContestFormat.GOALS:
        own = ContestGoal.objects.filter(contest=contest, participant=viewer).first()
        target = own.target if own else contest.goal_target
        mine = next((s.total for s in standings if s.participant == viewer.pk), 0)
        if target:
            goal = {
                "target": target,
                "total": mine,
                "percent": min(100, int(100 * mine / target)),
            }
    return {
        "rows": rows,
        "winners": winners,
        "teams": teams,
        "goal": goal,
        "levels": formats.levels_parse(contest.prizes)
        if contest.format == ContestFormat.STEPS
        else [],
        "prizes": formats.prizes_parse(contest.prizes)
        if contest.format != ContestFormat.STEPS
        else [],
        "time_left": time_left_text(contest=contest, now=now),
    }


def formats_places(standings: list[Standing]) -> list[tuple[int, Standing]]:
    """The standings with their shared places (competition ranking). Pure."""
    by_id = {s.participant: s for s in standings}
    return [
        (place, by_id[pid])
        for pid, _t, place, _n in formats.places((s.participant, s.total) for s in standings)
    ]

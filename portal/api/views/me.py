# SPDX-License-Identifier: AGPL-3.0-or-later
"""Me (points, tiers, badges, ranks) and the leaderboards."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from leaderboard.labels import board_exists, board_label
from leaderboard.ranking import Board
from leaderboard.selectors import board_page, board_visible_to
from portal.accounts.selectors import roles_of
from portal.rewards.models import Tier
from portal.rewards.selectors import participant_summary

from ..errors import errors
from ..selectors import boards_visible_to, ranks_of
from ..serializers import (
    BoardPageSerializer,
    BoardQuerySerializer,
    BoardSerializer,
    MeQuerySerializer,
    MeSerializer,
)
from .base import api_user, query_params


def _board(board: Board, label: str) -> dict[str, Any]:
    return {
        "id": board.id,
        "scope": board.scope,
        "metric": board.metric,
        "period": board.period,
        "label": label,
    }


def _tier(tier: Tier | None) -> dict[str, Any] | None:
    if tier is None:
        return None
    return {"id": tier.pk, "name": tier.name, "threshold": tier.threshold}


class MeView(APIView):
    @extend_schema(
        operation_id="me_retrieve",
        summary="My points, tiers, badges and ranks",
        description="`ranks` has your place on each company-wide board you see (and your "
        "team's) for one metric and period; partners rank on `orgs` boards as their "
        "organisation.",
        parameters=[MeQuerySerializer],
        responses={200: MeSerializer, **errors(400)},
    )
    def get(self, request: Request) -> Response:
        user = api_user(request)
        query = query_params(MeQuerySerializer, request)
        summary = participant_summary(participant=user)
        org = user.partner_organisation
        data = {
            "id": user.pk,
            "email": user.email,
            "name": user.display_name,
            "roles": sorted(roles_of(user=user)),
            "organisation": {"id": org.pk, "name": org.name} if org else None,
            "points": summary["balance"],
            "tiers": [
                {
                    "program": {
                        "id": t["program"].pk,
                        "name": t["program"].name,
                        "slug": t["program"].slug,
                    },
                    "points": t["points"],
                    "tier": _tier(t["tier"]),
                    "next_tier": _tier(t["next"]),
                    "to_next": t["to_next"],
                }
                for t in summary["tiers"]
            ],
            "badges": [
                {
                    "slug": b["badge"].slug,
                    "name": b["badge"].name,
                    "description": b["badge"].description,
                    "awarded_at": b["award"].awarded_at,
                }
                for b in summary["badges"]
                if b["award"]
            ],
            "ranks": [
                {
                    "board": board.id,
                    "label": label,
                    "rank": me.rank if me else None,
                    "total": me.total if me else None,
                }
                for board, label, me in ranks_of(
                    user=user, metric=query["metric"], period=query["period"]
                )
            ],
        }
        return Response(MeSerializer(data).data)


class BoardsView(APIView):
    @extend_schema(
        operation_id="boards_list",
        summary="Boards you may open",
        responses={200: BoardSerializer(many=True), **errors()},
    )
    def get(self, request: Request) -> Response:
        boards = boards_visible_to(user=api_user(request))
        return Response(BoardSerializer([_board(b, label) for b, label in boards], many=True).data)


class BoardView(APIView):
    @extend_schema(
        operation_id="boards_retrieve",
        summary="One board: the top N, your rank and your neighbours",
        parameters=[
            OpenApiParameter(
                "board_id",
                str,
                OpenApiParameter.PATH,
                pattern=r"^[\w:.-]{3,80}$",
                description="scope.metric.period, e.g. everyone.points.month, team:3.won.all",
            ),
            BoardQuerySerializer,
        ],
        responses={200: BoardPageSerializer, **errors(400, 404)},
    )
    def get(self, request: Request, board_id: str) -> Response:
        try:
            board = Board.parse(board_id)
        except ValueError as exc:
            raise exceptions.NotFound() from exc
        if not board_exists(board):
            raise exceptions.NotFound()  # contests have one period: their own
        if not board_visible_to(user=request.user, board=board):
            raise exceptions.PermissionDenied(_("This board is not open to you."))
        n = query_params(BoardQuerySerializer, request)["n"]
        page = board_page(board=board, viewer=api_user(request), n=n, k=2)
        me = page["me"]
        data = {
            "board": _board(board, board_label(board)),
            "top": page["top"],
            "me": {"rank": me.rank, "total": me.total} if me else None,
            "around": page["around"],
        }
        return Response(BoardPageSerializer(data).data)

# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.accounts.decorators import role_required
from portal.accounts.display import Audience, audience_of
from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.accounts.selectors import has_role, is_partner
from portal.core.forms import add_service_errors

from . import contests as contests_
from . import screens, selectors, services
from .forms import ShoutoutForm, TVScreenForm
from .labels import METRIC_LABELS, PERIOD_LABELS, board_exists, board_label
from .models import Contest
from .ranking import Board
from .screens import tv_contest, tv_countdown, tv_rows


def default_board(user) -> Board:
    return Board("partners" if is_partner(user=user) else "everyone", "points", "month")


def _board_or_404(user, board_id: str) -> Board:
    try:
        board = Board.parse(board_id)
    except ValueError as exc:
        raise Http404 from exc
    if not board_exists(board):
        raise Http404
    if not selectors.board_visible_to(user=user, board=board):
        raise PermissionDenied
    return board


@login_required
def boards(request, board_id: str | None = None):
    board = _board_or_404(request.user, board_id) if board_id else default_board(request.user)
    if not selectors.board_visible_to(user=request.user, board=board):
        raise PermissionDenied
    page = selectors.board_page(board=board, viewer=request.user)
    scopes = [
        s
        for s in ["everyone", "employees", "partners", "orgs"]
        if selectors.board_visible_to(user=request.user, board=Board(s))
    ]
    if request.user.team_id:
        scopes.append(f"team:{request.user.team_id}")
    tabs = [
        {
            "id": Board(s, board.metric, board.period).id,
            "label": board_label(Board(s)),
            "active": s == board.scope,
        }
        for s in scopes
    ]
    periods = [
        {
            "id": Board(board.scope, board.metric, p).id,
            "label": PERIOD_LABELS[p],
            "active": p == board.period,
        }
        for p in (
            ["all"] if board.scope.startswith("contest:") else ["week", "month", "quarter", "all"]
        )
    ]
    metrics = [
        {
            "id": Board(board.scope, m, board.period).id,
            "label": METRIC_LABELS[m],
            "active": m == board.metric,
        }
        for m in METRIC_LABELS
    ]
    return render(
        request,
        "leaderboard/boards.html",
        {
            **page,
            "label": board_label(board),
            "tabs": tabs,
            "periods": periods,
            "metrics": metrics,
            "metric_label": METRIC_LABELS[board.metric],
            "active_nav": "boards",
            "shoutouts": selectors.shoutouts_shown(viewer=request.user, n=5),
        },
    )


@login_required
def board_json(request, board_id: str):
    board = _board_or_404(request.user, board_id)
    return JsonResponse(
        {"board": board.id, "rows": selectors.board_rows(board=board, viewer=request.user, n=50)}
    )


def tv(request, board_id: str | None = None):
    """Full-screen board for office screens: a login, or a revocable read-only token."""
    token = request.GET.get("token")
    screen = selectors.tv_screen_for_token(token=token)
    if screen is not None:
        ids = screen.board_ids
        rotate = screen.rotate_seconds
    elif request.user.is_authenticated:
        ids = [board_id] if board_id else [default_board(request.user).id]
        rotate = 30
    elif token:
        return render(request, "leaderboard/tv_revoked.html", status=403)
    else:
        return redirect(f"{reverse('account_login')}?next={request.get_full_path()}")
    current = board_id or ids[0]
    if current not in ids:
        raise Http404
    try:
        board = Board.parse(current)
    except ValueError as exc:
        raise Http404 from exc
    if screen is None and not selectors.board_visible_to(user=request.user, board=board):
        raise PermissionDenied
    # A screen is seen by whoever the board is for; a logged-in partner never sees more.
    audience = selectors.board_audience(board=board)
    if screen is None and audience_of(viewer=request.user) == Audience.PARTNER:
        audience = Audience.PARTNER
    following = ids[(ids.index(current) + 1) % len(ids)]
    next_url = reverse("leaderboard:tv_board", args=[following]) + (
        f"?token={token}" if screen else ""
    )
    rows = selectors.board_rows(board=board, viewer=None, n=10, audience=audience)
    contest = tv_contest(board=board)
    rotation = []
    for each in ids:
        try:
            rotation.append({"label": board_label(Board.parse(each)), "current": each == current})
        except ValueError:
            continue
    return render(
        request,
        "leaderboard/tv.html",
        {
            "board": board,
            "label": board_label(board),
            "metric_label": METRIC_LABELS[board.metric],
            "period_label": PERIOD_LABELS[board.period],
            "rows": rows,
            **tv_rows(rows=rows),
            "rotation": rotation if len(rotation) > 1 else [],
            "countdown": tv_countdown(contest=contest) if contest else None,
            "token": token if screen else "",
            "next_url": next_url if len(ids) > 1 else "",
            "rotate": rotate,
            "shoutouts": selectors.shoutouts_shown(audience=audience, n=10),
        },
    )


@role_required(Role.MANAGER)
def shoutouts(request):
    form = ShoutoutForm(
        request.POST or None,
        about_choices=User.objects.filter(is_active=True).order_by("first_name"),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.shoutout_post(
                author=request.user,
                about=form.cleaned_data["about"],
                message=form.cleaned_data["message"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Shout-out posted: everyone connected sees it now."))
            return redirect("leaderboard:shoutouts")
    return render(
        request,
        "leaderboard/shoutouts.html",
        {
            "form": form,
            "shoutouts": selectors.shoutouts_shown(viewer=request.user, n=30),
            "active_nav": "team",
        },
    )


def _board_choices(user) -> list[tuple[str, str]]:
    return [
        (
            b.id,
            f"{board_label(b)} · {METRIC_LABELS[b.metric]} · {PERIOD_LABELS[b.period]}",
        )
        for b in selectors.boards_visible_to(user=user)
        if board_exists(b)
    ]


@role_required(Role.MANAGER, Role.REVIEWER)
def tv_screens(request):
    form = TVScreenForm(request.POST or None, board_choices=_board_choices(request.user))
    new_link = None
    if request.method == "POST" and form.is_valid():
        try:
            screen, token = screens.tv_screen_create(
                actor=request.user,
                name=form.cleaned_data["name"],
                boards=",".join(form.cleaned_data["boards"]),
                rotate_seconds=form.cleaned_data["rotate_seconds"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            new_link = request.build_absolute_uri(reverse("leaderboard:tv") + f"?token={token}")
            messages.success(
                request,
                _("Screen “%(name)s” created. Copy its link now: it is shown only once.")
                % {"name": screen.name},
            )
            form = TVScreenForm(board_choices=_board_choices(request.user))
    return render(
        request,
        "leaderboard/tv_screens.html",
        {
            "form": form,
            "screens": selectors.tv_screens_visible_to(user=request.user),
            "new_link": new_link,
            "active_nav": "team",
        },
    )


@role_required(Role.MANAGER, Role.REVIEWER)
@require_POST
def tv_screen_revoke(request, pk: int):
    screen = get_object_or_404(
        selectors.tv_screens_visible_to(user=request.user), pk=pk, revoked_at__isnull=True
    )
    screens.tv_screen_revoke(actor=request.user, screen=screen)
    messages.success(request, _("The link of “%(name)s” no longer works.") % {"name": screen.name})
    return redirect("leaderboard:tv_screens")


@login_required
def contests(request):
    now = timezone.now()
    items = list(Contest.objects.all()[:50])
    for contest in items:
        contest.visible = selectors.board_visible_to(
            user=request.user, board=Board(contest.board_scope, contest.metric, "all")
        )
    return render(
        request,
        "leaderboard/contests.html",
        {"contests": items, "now": now, "active_nav": "boards"},
    )


def _contest_for(request, pk: int) -> Contest:
    contest = get_object_or_404(Contest, pk=pk)
    board = Board(contest.board_scope, contest.metric, "all")
    if not selectors.board_visible_to(user=request.user, board=board):
        raise Http404
    return contest


@login_required
def contest_detail(request, pk: int):
    contest = _contest_for(request, pk)
    view = contests_.contest_view(contest=contest, viewer=request.user)
    can_share = (
        bool(settings.CHAT_WEBHOOK_URL)
        and not contest.closed_at
        and has_role(user=request.user, roles=(Role.MANAGER, Role.REVIEWER))
    )
    return render(
        request,
        "leaderboard/contest.html",
        {
            "contest": contest,
            **view,
            "can_share": can_share,
            "now": timezone.now(),
            "active_nav": "boards",
        },
    )


@role_required(Role.MANAGER, Role.REVIEWER)
@require_POST
def contest_share(request, pk: int):
    contest = _contest_for(request, pk)
    try:
        contests_.contest_share(actor=request.user, contest=contest)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(
            request, " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        )
    else:
        messages.success(request, _("The standings are on their way to the chat."))
    return redirect("leaderboard:contest", pk=contest.pk)

# SPDX-License-Identifier: AGPL-3.0-or-later
"""One review action applied to many leads (the reviewers' queue)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError

from portal.accounts.models import User

from .models import Lead
from .services import lead_qualify, lead_reject, lead_start_review


@dataclass
class BulkResult:
    done: list[Lead] = field(default_factory=list)
    failed: list[tuple[Lead, str]] = field(default_factory=list)


def leads_bulk(*, actor: User, leads: Iterable[Lead], action: str, **kwargs: Any) -> BulkResult:
    """Apply one action (qualify, reject, start_review) to many leads; each lead succeeds
    or fails on its own, in its own transaction under its own lock, checked and published
    as that action's service does."""
    services: dict[str, Callable[..., Lead]] = {
        "qualify": lead_qualify,
        "reject": lead_reject,
        "start_review": lead_start_review,
    }
    service = services[action]
    result = BulkResult()
    for lead in leads:
        try:
            result.done.append(service(lead=lead, actor=actor, **kwargs))
        except (ValidationError, PermissionDenied) as exc:
            message = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            result.failed.append((lead, message))
    return result

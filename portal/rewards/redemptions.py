# SPDX-License-Identifier: AGPL-3.0-or-later
"""The catalog's redemptions, milestone rewards and two-sided welcome offers (SPEC §5).

Spending and refunds go through the ledger (``services.ledger_add``) under the
participant's account lock; stock is checked under the item's row lock."""

from __future__ import annotations

import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.accounts.roles import REWARD_HOLDERS, Role
from portal.accounts.selectors import has_role
from portal.audit.services import audit_record
from portal.events.services import publish
from portal.leads.models import Lead, LeadStatus, Program
from portal.notifications.services import notify

from .models import (
    CODE_KINDS,
    INSTANT_KINDS,
    Milestone,
    OfferCode,
    Raffle,
    RaffleEntry,
    Redemption,
    RedemptionStatus,
    RewardItem,
    RewardKind,
)
from .selectors import raffles_closed_to, reward_eligible
from .services import ledger_add, points_account_lock


def redemption_request(*, participant: User, item: RewardItem) -> Redemption:
    """Spend points on a catalog item. The balance and the stock are checked under row
    locks, so two requests at the same instant can never overspend or oversell. Locks
    the participant's points account, then the item; audits it. A raffle ticket is
    refused to a customer (``selectors.raffles_closed_to``). Publishes nothing."""
    if not has_role(user=participant, roles=REWARD_HOLDERS):
        raise PermissionDenied(_("Only participants redeem rewards."))
    with transaction.atomic():
        account = points_account_lock(participant=participant)
        item = RewardItem.objects.select_for_update().get(pk=item.pk)
        if not item.is_active:
            raise ValidationError(_("This reward is no longer in the catalog."))
        if not reward_eligible(item=item, participant=participant):
            raise ValidationError(_("This reward is for higher tiers."))
        if not item.in_stock:
            raise ValidationError(_("This reward is out of stock."))
        if account.balance < item.points_price:
            raise ValidationError(
                _("You have %(balance)s points; this reward costs %(price)s.")
                % {"balance": account.balance, "price": item.points_price}
            )
        if item.kind == RewardKind.RAFFLE_TICKET:
            if raffles_closed_to(user=participant):
                raise ValidationError(_("Raffles are for employees and partners."))
            _open_raffle(item=item)
        if item.stock is not None:
            item.stock -= 1
            item.save(update_fields=["stock"])
        redemption = Redemption.objects.create(
            participant=participant, item=item, points=item.points_price
        )
        ledger_add(
            participant=participant,
            amount=-item.points_price,
            event="redemption",
            reason=_("Redeemed: %(item)s") % {"item": item.name},
            redemption=redemption,
        )
        audit_record(
            actor=participant,
            action="redemption.requested",
            target=redemption,
            to_state=redemption.status,
        )
        if item.kind in INSTANT_KINDS:
            # Nothing to ship: the ticket or the code is handed over now.
            redemption.status, redemption.updated_at = RedemptionStatus.FULFILLED, timezone.now()
            redemption.save(update_fields=["status", "updated_at"])
            audit_record(
                actor=None,
                action="redemption.fulfil",
                target=redemption,
                from_state=RedemptionStatus.REQUESTED,
                to_state=redemption.status,
            )
            redemption_fulfilment_apply(redemption=redemption)
    return redemption


def _open_raffle(*, item: RewardItem) -> Raffle:
    raffle = item.raffle
    now = timezone.now()
    if raffle is None or raffle.drawn_at or not (raffle.starts_at <= now < raffle.ends_at):
        raise ValidationError(_("The raffle of this ticket is not open."))
    return raffle


def redemption_fulfilment_apply(*, redemption: Redemption) -> None:
    """What a fulfilled redemption does, by its item's kind, exactly once: a raffle ticket
    enters the item's open raffle (one entry per redemption); store credit and discount
    codes get their code (one per redemption); every kind publishes
    ``redemption.fulfilled`` (payouts adds a cash bonus to the payee's next batch; vouchers
    are listed for finance by ``selectors.vouchers_to_issue``). Call inside the
    transaction that fulfils it, holding the redemption's row lock."""
    item = redemption.item
    if item.kind == RewardKind.RAFFLE_TICKET:
        raffle = _open_raffle(item=item)
        entry, created = RaffleEntry.objects.get_or_create(
            redemption=redemption,
            defaults={"raffle": raffle, "participant": redemption.participant, "bought": True},
        )
        if created:
            audit_record(
                actor=None,
                action="raffle.entered",
                target=raffle,
                data={"entry": entry.pk, "redemption": redemption.pk},
            )
    elif item.kind in CODE_KINDS:
        from .codes import reward_code_issue

        reward_code_issue(redemption=redemption)
    participant = redemption.participant
    publish(
        name="redemption.fulfilled",
        aggregate=redemption,
        payload={
            "redemption": redemption.pk,
            "participant": participant.pk,
            "organisation": participant.partner_organisation_id,
            "kind": item.kind,
            "item": item.name,
            "amount": None if item.face_value is None else str(item.face_value),
            "currency": item.value_currency,
        },
    )


REDEMPTION_FLOW = {
    "approve": ({RedemptionStatus.REQUESTED}, RedemptionStatus.APPROVED),
    "fulfil": ({RedemptionStatus.APPROVED}, RedemptionStatus.FULFILLED),
    "cancel": ({RedemptionStatus.REQUESTED, RedemptionStatus.APPROVED}, RedemptionStatus.CANCELLED),
}


def redemption_transition(
    *, redemption: Redemption, actor: User, action: str, note: str = ""
) -> Redemption:
    """Approve, fulfil or cancel a redemption (reviewers; a participant may cancel their own
    request before approval). Cancelling refunds the points and the stock. Locks the
    redemption, then the item; audits and notifies the participant. Publishes
    nothing."""
    allowed_from, to_status = REDEMPTION_FLOW[action]
    own_cancel = action == "cancel" and redemption.participant_id == actor.pk
    if not (has_role(user=actor, roles=(Role.REVIEWER,)) or own_cancel):
        raise PermissionDenied(_("Only reviewers handle redemptions."))
    with transaction.atomic():
        locked = (
            Redemption.objects.select_for_update()
            .select_related("item", "participant")
            .get(pk=redemption.pk)
        )
        if (
            own_cancel
            and locked.status != RedemptionStatus.REQUESTED
            and not has_role(user=actor, roles=(Role.REVIEWER,))
        ):
            raise ValidationError(_("An approved redemption can be cancelled by a reviewer only."))
        if locked.status not in allowed_from:
            raise ValidationError(
                _("This redemption is %(status)s; it cannot be %(action)s.")
                % {"status": locked.get_status_display().lower(), "action": action}
            )
        previous = locked.status
        locked.status, locked.note, locked.updated_at = to_status, note, timezone.now()
        locked.save(update_fields=["status", "note", "updated_at"])
        if to_status == RedemptionStatus.FULFILLED:
            redemption_fulfilment_apply(redemption=locked)
        if to_status == RedemptionStatus.CANCELLED:
            if locked.points:
                ledger_add(
                    participant=locked.participant,
                    amount=locked.points,
                    event="redemption.refund",
                    reason=_("Cancelled: %(item)s") % {"item": locked.item.name},
                    redemption=locked,
                )
            item = RewardItem.objects.select_for_update().get(pk=locked.item_id)
            if item.stock is not None:
                item.stock += 1
                item.save(update_fields=["stock"])
        audit_record(
            actor=actor,
            action=f"redemption.{action}",
            target=locked,
            from_state=previous,
            to_state=to_status,
            note=note,
        )
        notify(
            user=locked.participant,
            kind="redemption_status",
            context={"redemption": locked, "note": note},
            url=reverse("rewards:home"),
        )
    return locked


def milestones_grant(*, participant: User, program: Program) -> list[Redemption]:
    """Grant every milestone reward now reached, once each (a database constraint).
    Locks nothing; publishes nothing."""
    qualified = Lead.objects.filter(
        referrer=participant, program=program, status__in=[LeadStatus.QUALIFIED, LeadStatus.WON]
    ).count()
    granted = []
    for milestone in Milestone.objects.filter(
        program=program, qualified_count__lte=qualified
    ).select_related("reward"):
        if Redemption.objects.filter(milestone=milestone, participant=participant).exists():
            continue
        try:
            with transaction.atomic():
                redemption = Redemption.objects.create(
                    participant=participant,
                    item=milestone.reward,
                    points=0,
                    milestone=milestone,
                    status=RedemptionStatus.APPROVED,
                    note=_("Milestone: %(n)s qualified referrals")
                    % {"n": milestone.qualified_count},
                )
        except IntegrityError:
            continue  # granted by a concurrent transaction
        audit_record(
            actor=None, action="redemption.milestone", target=redemption, to_state=redemption.status
        )
        notify(
            user=participant,
            kind="milestone",
            context={"milestone": milestone},
            url=reverse("rewards:home"),
        )
        granted.append(redemption)
    return granted


def offer_codes_add(*, actor: User, program: Program, codes: list[str]) -> int:
    """Reviewers upload a pool of welcome codes; codes already known are skipped. Returns
    how many were added. Locks nothing (codes are unique). Checks the role; publishes
    nothing."""
    if not has_role(user=actor, roles=(Role.REVIEWER,)):
        raise PermissionDenied(_("Only reviewers upload offer codes."))
    cleaned = {c.strip() for c in codes if c.strip()}
    existing = set(OfferCode.objects.filter(code__in=cleaned).values_list("code", flat=True))
    new = [OfferCode(program=program, code=c) for c in sorted(cleaned - existing)]
    OfferCode.objects.bulk_create(new)
    return len(new)


def offer_code_issue(*, lead: Lead) -> OfferCode | None:
    """Give the referred prospect one single-use code (from the pool, or generated) and
    e-mail it. A lead never gets two: the code row is one-to-one with the lead. Locks
    a free pool code (skipping locked ones); audits it; e-mails on commit. Publishes
    nothing."""
    if not lead.email or OfferCode.objects.filter(lead=lead).exists():
        return None
    code = (
        OfferCode.objects.select_for_update(skip_locked=True)
        .filter(program=lead.program, lead__isnull=True)
        .order_by("pk")
        .first()
    )
    if code is None:
        code = OfferCode(
            program=lead.program, code=f"VOUCH-{secrets.token_hex(4).upper()}", generated=True
        )
    code.lead, code.issued_at = lead, timezone.now()
    try:
        with transaction.atomic():
            code.save()
    except IntegrityError:
        return None
    audit_record(
        actor=None, action="offer.issued", target=code, to_state="issued", data={"lead": lead.pk}
    )
    from .tasks import offer_code_email

    transaction.on_commit(lambda: offer_code_email.delay(code.pk))
    return code

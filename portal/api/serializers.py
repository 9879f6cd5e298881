# SPDX-License-Identifier: AGPL-3.0-or-later
"""What the API reads and writes. Output serializers render domain objects; input
serializers check types and lengths, and the domain services then apply the rules."""

from __future__ import annotations

from typing import cast

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from leaderboard.ranking import METRICS, PERIODS
from portal.accounts.display import person_name_for
from portal.accounts.roles import Role
from portal.leads.models import LeadSource, LeadStatus, RejectionReason
from portal.leads.selectors import lead_pii_visible
from portal.networks.models import OutboundStatus
from portal.networks.selectors import outbound_pii_visible
from portal.payouts.models import CommissionEvent, CommissionStatus
from portal.rewards.models import RedemptionStatus, RewardKind

MAX_ID = 2**63 - 1  # ids are 64-bit; larger numbers are never found


class RefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ProgramRefSerializer(RefSerializer):
    slug = serializers.SlugField()


# --- Leads ---------------------------------------------------------------------------


class LeadContactSerializer(serializers.Serializer):
    name = serializers.CharField()
    email = serializers.CharField(allow_blank=True)
    phone = serializers.CharField(allow_blank=True)
    company = serializers.CharField(allow_blank=True)
    notes = serializers.CharField(allow_blank=True)


class LeadFlagSerializer(serializers.Serializer):
    rule = serializers.CharField()
    action = serializers.CharField()
    message = serializers.CharField()


class LeadSerializer(serializers.Serializer):
    """A lead as its viewer may see it: ``contact`` is null unless the viewer is the
    submitter, the submitter's partner admin or a reviewer."""

    id = serializers.IntegerField()
    program = serializers.SerializerMethodField()
    status = serializers.ChoiceField(choices=LeadStatus.choices)
    # A field named like DRF's Field.source attribute, which the stubs type as str.
    source = serializers.ChoiceField(choices=LeadSource.choices)  # type: ignore[assignment]
    referrer = serializers.SerializerMethodField()
    organisation = serializers.SerializerMethodField()
    submitted_at = serializers.DateTimeField()
    status_changed_at = serializers.DateTimeField()
    status_note = serializers.CharField(help_text="The reason given to the submitter.")
    rejection_reason = serializers.ChoiceField(choices=RejectionReason.choices, allow_blank=True)
    flags = LeadFlagSerializer(many=True, help_text="Quality rules that flagged this lead.")
    has_conflict = serializers.BooleanField(
        help_text="Matches an earlier lead inside the attribution window."
    )
    deal_value = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    deal_currency = serializers.CharField(allow_blank=True)
    deal_reversed_at = serializers.DateTimeField(allow_null=True)
    lost_reason = serializers.CharField(allow_blank=True)
    consent_text = serializers.CharField()
    consent_at = serializers.DateTimeField()
    contact = serializers.SerializerMethodField()

    @extend_schema_field(ProgramRefSerializer)
    def get_program(self, lead) -> dict:
        return {"id": lead.program_id, "name": lead.program.name, "slug": lead.program.slug}

    @extend_schema_field(RefSerializer)
    def get_referrer(self, lead) -> dict:
        name = person_name_for(person=lead.referrer, viewer=self.context.get("viewer"))
        return {"id": lead.referrer_id, "name": name}

    @extend_schema_field(RefSerializer(allow_null=True))
    def get_organisation(self, lead) -> dict | None:
        org = lead.organisation
        return {"id": org.pk, "name": org.name} if org else None

    @extend_schema_field(LeadContactSerializer(allow_null=True))
    def get_contact(self, lead) -> dict | None:
        if not lead_pii_visible(user=self.context["viewer"], lead=lead):
            return None
        return {f: getattr(lead, f) for f in ("name", "email", "phone", "company", "notes")}


class TimelineEventSerializer(serializers.Serializer):
    action = serializers.CharField(help_text="e.g. lead.submitted, lead.qualify, lead.win")
    from_state = serializers.CharField(allow_blank=True)
    to_state = serializers.CharField(allow_blank=True)
    note = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()
    actor = serializers.SerializerMethodField(help_text="Shown to reviewers only.")

    @extend_schema_field(RefSerializer(allow_null=True))
    def get_actor(self, event) -> dict | None:
        if not self.context.get("show_actor") or event.actor is None:
            return None
        name = person_name_for(person=event.actor, viewer=self.context.get("viewer"))
        return {"id": event.actor_id, "name": name}


class LeadDetailSerializer(LeadSerializer):
    timeline = serializers.SerializerMethodField()

    @extend_schema_field(TimelineEventSerializer(many=True))
    def get_timeline(self, lead) -> list[dict]:
        # many=True builds a ListSerializer; the stubs type the call as the one-object class.
        return cast(
            list[dict],
            TimelineEventSerializer(self.context["timeline"], many=True, context=self.context).data,
        )


class LeadCreateSerializer(serializers.Serializer):
    program = serializers.CharField(
        max_length=50, help_text="The program's id or slug (GET /programs/ lists them)."
    )
    name = serializers.CharField(max_length=200, allow_blank=True)  # the service says why
    email = serializers.CharField(max_length=254, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    company = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    notes = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    consent = serializers.BooleanField(
        help_text="The person agreed to be contacted about this referral (must be true)."
    )


class LeadFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=LeadStatus.choices, required=False)
    program = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    submitted_after = serializers.DateTimeField(
        required=False, help_text="Submitted at or after this time (ISO 8601)."
    )
    submitted_before = serializers.DateTimeField(
        required=False, help_text="Submitted before this time (ISO 8601)."
    )


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        help_text="For the submitter.",
    )


class RejectSerializer(NoteSerializer):
    reason = serializers.ChoiceField(choices=RejectionReason.choices)


class WinSerializer(NoteSerializer):
    deal_value = serializers.DecimalField(max_digits=14, decimal_places=2)
    currency = serializers.CharField(max_length=3, help_text="ISO 4217, e.g. EUR.")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, help_text="For the submitter.")


class ProgramSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.SlugField()
    name = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(allow_null=True)
    consent_text = serializers.CharField()


# --- Me, boards ------------------------------------------------------------------------


class TierRefSerializer(RefSerializer):
    threshold = serializers.IntegerField()


class TierProgressSerializer(serializers.Serializer):
    program = ProgramRefSerializer()
    points = serializers.IntegerField(help_text="Points earned in the rolling 12 months.")
    tier = TierRefSerializer(allow_null=True)
    next_tier = TierRefSerializer(allow_null=True)
    to_next = serializers.IntegerField(help_text="Points still needed for the next tier.")


class BadgeSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    description = serializers.CharField()
    awarded_at = serializers.DateTimeField()


class RankSerializer(serializers.Serializer):
    board = serializers.CharField(help_text="Board id, e.g. everyone.points.month.")
    label = serializers.CharField()  # type: ignore[assignment]  # named like Field.label
    rank = serializers.IntegerField(allow_null=True, help_text="Null until you are on it.")
    total = serializers.IntegerField(allow_null=True)


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    name = serializers.CharField()
    roles = serializers.ListField(child=serializers.ChoiceField(choices=Role.choices))
    organisation = RefSerializer(allow_null=True)
    points = serializers.IntegerField(help_text="Points you can spend now.")
    tiers = TierProgressSerializer(many=True)
    badges = BadgeSerializer(many=True)
    ranks = RankSerializer(many=True)


class MeQuerySerializer(serializers.Serializer):
    metric = serializers.ChoiceField(choices=METRICS, default="points", required=False)
    period = serializers.ChoiceField(choices=PERIODS, default="month", required=False)


class BoardSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="scope.metric.period, e.g. everyone.points.month")
    scope = serializers.CharField()
    metric = serializers.ChoiceField(choices=METRICS)
    period = serializers.ChoiceField(choices=PERIODS)
    label = serializers.CharField()  # type: ignore[assignment]  # named like Field.label


class BoardRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    id = serializers.IntegerField(help_text="A participant's id (an organisation's on orgs.*).")
    name = serializers.CharField(help_text="As the privacy rules let you see it.")
    total = serializers.IntegerField()


class MyRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    total = serializers.IntegerField()


class BoardPageSerializer(serializers.Serializer):
    board = BoardSerializer()
    top = BoardRowSerializer(many=True)
    me = MyRowSerializer(allow_null=True)
    around = BoardRowSerializer(many=True, help_text="Your neighbours on the board.")


class BoardQuerySerializer(serializers.Serializer):
    n = serializers.IntegerField(min_value=1, max_value=100, default=50, required=False)


# --- Rewards ------------------------------------------------------------------------------


class RewardItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    kind = serializers.ChoiceField(choices=RewardKind.choices)
    points_price = serializers.IntegerField()
    stock = serializers.IntegerField(allow_null=True, help_text="Null: unlimited.")
    in_stock = serializers.BooleanField()
    eligible = serializers.BooleanField(help_text="Your tier may redeem it.")
    affordable = serializers.BooleanField(help_text="You have enough points.")


class RedemptionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    item = serializers.SerializerMethodField()
    points = serializers.IntegerField(help_text="Points spent.")
    status = serializers.ChoiceField(choices=RedemptionStatus.choices)
    created_at = serializers.DateTimeField()

    @extend_schema_field(RefSerializer)
    def get_item(self, redemption) -> dict:
        return {"id": redemption.item_id, "name": redemption.item.name}


# --- Commissions -------------------------------------------------------------------------


class PayeeSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["organisation", "user"])
    id = serializers.IntegerField()
    name = serializers.CharField()


class CommissionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    lead = serializers.IntegerField(source="lead_id")
    program = serializers.IntegerField(source="program_id")
    payee = serializers.SerializerMethodField()
    event = serializers.ChoiceField(choices=CommissionEvent.choices)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    currency = serializers.CharField()
    basis = serializers.CharField(help_text="How the amount was calculated.")
    status = serializers.ChoiceField(choices=CommissionStatus.choices)
    hold_until = serializers.DateField()
    on_hold = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    approved_at = serializers.DateTimeField(allow_null=True)
    reverses = serializers.IntegerField(
        source="reverses_id", allow_null=True, help_text="A clawback's original commission."
    )

    @extend_schema_field(PayeeSerializer)
    def get_payee(self, commission) -> dict:
        if commission.payee_org_id:
            return {
                "type": "organisation",
                "id": commission.payee_org_id,
                "name": commission.payee_org.name,
            }
        return {
            "type": "user",
            "id": commission.payee_user_id,
            "name": person_name_for(
                person=commission.payee_user, viewer=self.context.get("viewer")
            ),
        }


class CommissionFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=CommissionStatus.choices, required=False)


class SummaryRowSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=CommissionStatus.choices)
    currency = serializers.CharField()
    total = serializers.DecimalField(max_digits=14, decimal_places=2)


class StatementLineSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    lead = serializers.IntegerField(source="lead_id")
    event = serializers.ChoiceField(choices=CommissionEvent.choices)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    status = serializers.ChoiceField(choices=CommissionStatus.choices)


class StatementSerializer(serializers.Serializer):
    month = serializers.SerializerMethodField()
    currency = serializers.CharField()
    opening = serializers.DecimalField(max_digits=14, decimal_places=2)
    earned = serializers.DecimalField(max_digits=14, decimal_places=2)
    clawed_back = serializers.DecimalField(max_digits=14, decimal_places=2)
    paid = serializers.DecimalField(max_digits=14, decimal_places=2)
    closing = serializers.DecimalField(max_digits=14, decimal_places=2)
    commissions = StatementLineSerializer(many=True)

    @extend_schema_field(OpenApiTypes.STR)
    def get_month(self, statement) -> str:
        return statement.month.strftime("%Y-%m")


class StatementQuerySerializer(serializers.Serializer):
    currency = serializers.RegexField(r"^[A-Z]{3}$", default="EUR", required=False)


# --- CRM callbacks -------------------------------------------------------------------------

CRM_ACTIONS = [("won", "won"), ("lost", "lost"), ("reversed", "reversed")]


class CrmCallbackSerializer(serializers.Serializer):
    external_id = serializers.CharField(
        max_length=200,
        help_text="The CRM's unique id for this callback: a repeat with the same id returns "
        "the first result and changes nothing.",
    )
    lead = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="The Vouch lead id.")
    action = serializers.ChoiceField(choices=CRM_ACTIONS)
    deal_value = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, help_text="won: the deal's value."
    )
    currency = serializers.CharField(
        max_length=3, required=False, allow_blank=True, default="", help_text="won: ISO 4217."
    )
    deal_id = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text="won: the CRM's deal id.",
    )
    reason = serializers.CharField(
        max_length=300,
        required=False,
        allow_blank=True,
        default="",
        help_text="lost and reversed: why.",
    )


class CrmLeadSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=LeadStatus.choices)
    deal_value = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    deal_currency = serializers.CharField(allow_blank=True)
    deal_reversed = serializers.BooleanField()


class CrmResultSerializer(serializers.Serializer):
    external_id = serializers.CharField()
    action = serializers.ChoiceField(choices=CRM_ACTIONS)
    lead = CrmLeadSerializer()
    processed_at = serializers.DateTimeField()


# --- Outbound leads (referral networks) -------------------------------------------------


class OutboundSerializer(serializers.Serializer):
    """A lead the company sent to a reciprocal partner, as its viewer may see it:
    ``contact`` is null unless the viewer is the sender, a reviewer or a member of the
    partner it was sent to (and the details are not erased)."""

    id = serializers.IntegerField()
    organisation = serializers.SerializerMethodField()
    sender = serializers.SerializerMethodField()
    program = serializers.SerializerMethodField()
    status = serializers.ChoiceField(choices=OutboundStatus.choices)
    sent_at = serializers.DateTimeField()
    status_changed_at = serializers.DateTimeField()
    deal_value = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    deal_currency = serializers.CharField(allow_blank=True)
    lost_reason = serializers.CharField(allow_blank=True)
    consent_text = serializers.CharField()
    consent_at = serializers.DateTimeField()
    flags = LeadFlagSerializer(many=True, help_text="Quality rules that flagged this lead.")
    contact = serializers.SerializerMethodField()

    @extend_schema_field(RefSerializer)
    def get_organisation(self, outbound) -> dict:
        return {"id": outbound.organisation_id, "name": outbound.organisation.name}

    @extend_schema_field(RefSerializer)
    def get_sender(self, outbound) -> dict:
        name = person_name_for(person=outbound.sender, viewer=self.context.get("viewer"))
        return {"id": outbound.sender_id, "name": name}

    @extend_schema_field(ProgramRefSerializer)
    def get_program(self, outbound) -> dict:
        program = outbound.program
        return {"id": program.pk, "name": program.name, "slug": program.slug}

    @extend_schema_field(LeadContactSerializer(allow_null=True))
    def get_contact(self, outbound) -> dict | None:
        if not outbound_pii_visible(user=self.context["viewer"], outbound=outbound):
            return None
        return {
            "name": outbound.name,
            "email": outbound.email,
            "phone": outbound.phone,
            "company": outbound.company,
            "notes": outbound.notes,
        }


class OutboundFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=OutboundStatus.choices, required=False)


class OutboundWinSerializer(serializers.Serializer):
    deal_value = serializers.DecimalField(max_digits=14, decimal_places=2)
    currency = serializers.CharField(max_length=3, help_text="ISO 4217, e.g. EUR.")


class RewardCodeRequestSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=40, help_text="The code as the customer gives it.")
    reference = serializers.CharField(
        max_length=120,
        required=False,
        allow_blank=True,
        default="",
        help_text="redeem: the client's order or receipt number, kept with the use.",
    )


class RewardCodeSerializer(serializers.Serializer):
    code = serializers.CharField()
    state = serializers.ChoiceField(choices=["valid", "used", "expired"])
    kind = serializers.ChoiceField(choices=["store_credit", "discount_code"])
    value_kind = serializers.ChoiceField(choices=["amount", "percent"])
    value = serializers.CharField(help_text="A decimal string: the amount or the percentage.")
    currency = serializers.CharField(help_text="ISO 4217 for an amount; empty for a percentage.")
    expires_at = serializers.DateTimeField()
    redeemed_at = serializers.DateTimeField(allow_null=True)
    reference = serializers.CharField()

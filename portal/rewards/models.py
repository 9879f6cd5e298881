# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.core.crypto import EncryptedTextField
from portal.core.i18n import active_language
from portal.leads.models import Lead, Program


class LeadEvent(models.TextChoices):
    SUBMITTED = "submitted", _("Lead submitted")
    QUALIFIED = "qualified", _("Lead qualified")
    WON = "won", _("Deal won")


class Beneficiary(models.TextChoices):
    REFERRER = "referrer", _("The referrer")
    REFERRED = "referred", _("The referred contact (when they are a participant)")


DEFAULT_POINTS: dict[str, int] = {
    LeadEvent.SUBMITTED: 10,
    LeadEvent.QUALIFIED: 50,
    LeadEvent.WON: 200,
}


class PointRule(models.Model):
    """Points a program gives for a lead event. Without rules, the defaults apply."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="point_rules")
    event = models.CharField(_("event"), max_length=16, choices=LeadEvent.choices)
    beneficiary = models.CharField(
        _("who earns"), max_length=16, choices=Beneficiary.choices, default=Beneficiary.REFERRER
    )
    points = models.IntegerField(_("points"), validators=[MinValueValidator(0)])

    class Meta:
        verbose_name = _("point rule")
        verbose_name_plural = _("point rules")
        constraints = [
            models.UniqueConstraint(
                fields=["program", "event", "beneficiary"], name="one_rule_per_event"
            ),
            models.CheckConstraint(condition=Q(points__gte=0), name="point_rule_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.program}: {self.get_event_display()} +{self.points}"


class LedgerEntry(models.Model):
    """Append-only: points are never edited; a correction is another (negative) entry."""

    participant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ledger_entries"
    )
    program = models.ForeignKey(
        Program, null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_entries"
    )
    amount = models.IntegerField(_("points"))
    event = models.CharField(_("event"), max_length=32)
    reason = models.CharField(_("reason"), max_length=200)
    # The language the reason was written in (pages mark it, so it reads right).
    language = models.CharField(max_length=8, blank=True, default=active_language, db_default="")
    lead = models.ForeignKey(
        Lead, null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_entries"
    )
    redemption = models.ForeignKey(
        "Redemption", null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_entries"
    )
    # What awarded points without a lead or redemption ("contest:3:user:7"): once.
    source = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        indexes = [
            models.Index(fields=["participant", "created_at"]),
            models.Index(fields=["program", "created_at"]),
        ]
        constraints = [
            # One award per lead, event and beneficiary; one charge and one refund per redemption.
            models.UniqueConstraint(
                fields=["lead", "event", "participant"],
                condition=Q(lead__isnull=False),
                name="one_entry_per_lead_event_participant",
            ),
            models.UniqueConstraint(
                fields=["redemption", "event"],
                condition=Q(redemption__isnull=False),
                name="one_entry_per_redemption_event",
            ),
            models.UniqueConstraint(
                fields=["source", "event"], condition=~Q(source=""), name="one_entry_per_source"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant} {self.amount:+d} {self.event}"


class PointsAccount(models.Model):
    """The cached balance: changed only together with a ledger entry, under this row's lock."""

    participant = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="points_account"
    )
    balance = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("points account")

    def __str__(self) -> str:
        return f"{self.participant}: {self.balance}"


class Tier(models.Model):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="tiers")
    name = models.CharField(_("name"), max_length=60)
    threshold = models.PositiveIntegerField(
        _("points needed"), help_text=_("Points earned in the rolling period.")
    )
    commission_multiplier = models.DecimalField(
        _("commission multiplier"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    perks = models.CharField(_("perks"), max_length=200, blank=True)

    class Meta:
        ordering = ["program", "threshold"]
        verbose_name = _("tier")
        verbose_name_plural = _("tiers")
        constraints = [
            models.UniqueConstraint(fields=["program", "threshold"], name="one_tier_per_threshold"),
            models.UniqueConstraint(fields=["program", "name"], name="tier_names_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class TierStatus(models.Model):
    participant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tier_statuses"
    )
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    tier = models.ForeignKey(
        Tier, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    since = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["participant", "program"], name="one_tier_status")
        ]

    def __str__(self) -> str:
        return f"{self.participant} {self.tier}"


class TierChange(models.Model):
    """Every promotion and demotion: who, from, to, why, when."""

    participant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tier_changes"
    )
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    from_tier = models.ForeignKey(
        Tier, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_tier = models.ForeignKey(
        Tier, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    points = models.IntegerField()
    reason = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.participant}: {self.from_tier} → {self.to_tier}"


class BadgeCriterion(models.TextChoices):
    SUBMITTED = "submitted", _("Referrals submitted")
    QUALIFIED = "qualified", _("Referrals qualified")
    WON = "won", _("Deals won")
    STREAK_WEEKS = "streak_weeks", _("A referral every week, weeks in a row")
    TOP_OF_MONTH = "top_of_month", _("Among the top N referrers of a month (points)")


class Badge(models.Model):
    """Data-driven: an admin adds a badge by choosing a criterion and a threshold."""

    slug = models.SlugField(unique=True)
    name = models.CharField(_("name"), max_length=80)
    description = models.CharField(_("how to earn it"), max_length=200)
    criterion = models.CharField(_("criterion"), max_length=16, choices=BadgeCriterion.choices)
    threshold = models.PositiveIntegerField(
        _("threshold"),
        validators=[MinValueValidator(1)],
        help_text=_("Count, weeks in a row, or N for top N."),
    )
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "threshold"]
        verbose_name = _("badge")
        verbose_name_plural = _("badges")

    def __str__(self) -> str:
        return self.name


class BadgeAward(models.Model):
    badge = models.ForeignKey(Badge, on_delete=models.CASCADE, related_name="awards")
    participant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="badge_awards"
    )
    awarded_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-awarded_at"]
        constraints = [
            models.UniqueConstraint(fields=["badge", "participant"], name="badge_awarded_once")
        ]

    def __str__(self) -> str:
        return f"{self.badge} → {self.participant}"


class RewardKind(models.TextChoices):
    GIFT_CARD = "gift_card", _("Gift card")
    SWAG = "swag", _("Swag")
    EXPERIENCE = "experience", _("Experience")
    DAY_OFF = "day_off", _("Extra day off")
    DONATION = "donation", _("Charity donation")
    CASH_BONUS = "cash_bonus", _("Cash bonus")
    RAFFLE_TICKET = "raffle_ticket", _("Raffle ticket")
    VOUCHER = "voucher", _("Voucher")
    STORE_CREDIT = "store_credit", _("Store credit")
    DISCOUNT_CODE = "discount_code", _("Discount code")


# Kinds handed over the moment they are redeemed (no reviewer ships anything).
INSTANT_KINDS = (RewardKind.RAFFLE_TICKET, RewardKind.STORE_CREDIT, RewardKind.DISCOUNT_CODE)
CODE_KINDS = (RewardKind.STORE_CREDIT, RewardKind.DISCOUNT_CODE)


class CodeValueKind(models.TextChoices):
    AMOUNT = "amount", _("An amount")
    PERCENT = "percent", _("A percentage")


class RewardItem(models.Model):
    # Set per participant by catalog_with_eligibility; never stored.
    eligible: bool
    affordable: bool
    points_needed: int

    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=RewardKind.choices)
    points_price = models.PositiveIntegerField(
        _("price in points"), validators=[MinValueValidator(1)]
    )
    stock = models.PositiveIntegerField(
        _("stock"), null=True, blank=True, help_text=_("Leave empty for unlimited.")
    )
    eligible_tiers = models.ManyToManyField(
        Tier,
        blank=True,
        related_name="rewards",
        verbose_name=_("only for tiers"),
        help_text=_("Leave empty: everyone."),
    )
    image = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_active = models.BooleanField(_("in the catalog"), default=True)
    # What one fulfilled redemption costs the program (insight's ROI); empty: unknown.
    value = models.DecimalField(
        _("cost to the program"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("What one fulfilled redemption costs, for the return on investment."),
    )
    value_currency = models.CharField(_("currency of the cost"), max_length=3, default="EUR")
    programs = models.ManyToManyField(
        Program,
        blank=True,
        related_name="reward_items",
        verbose_name=_("programs"),
        help_text=_("The catalogs this reward is in. Leave empty: every program's catalog."),
    )
    face_value = models.DecimalField(
        _("face value"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_(
            "Cash bonus, voucher and store credit: the amount (in the currency of the cost). "
            "Discount code: the amount or the percentage."
        ),
    )
    face_value_kind = models.CharField(
        _("discount given as"),
        max_length=8,
        choices=CodeValueKind.choices,
        default=CodeValueKind.AMOUNT,
    )
    code_valid_days = models.PositiveIntegerField(
        _("code valid for (days)"), default=90, validators=[MinValueValidator(1)]
    )
    raffle = models.ForeignKey(
        "Raffle",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ticket_items",
        verbose_name=_("raffle"),
        help_text=_("Raffle tickets: the open raffle the ticket enters."),
    )

    class Meta:
        ordering = ["points_price", "name"]
        verbose_name = _("reward")
        verbose_name_plural = _("rewards")
        constraints = [
            models.CheckConstraint(condition=Q(points_price__gt=0), name="reward_price_positive")
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        needs_value = (
            RewardKind.CASH_BONUS,
            RewardKind.VOUCHER,
            RewardKind.STORE_CREDIT,
            RewardKind.DISCOUNT_CODE,
        )
        if self.kind in needs_value and self.face_value is None:
            raise ValidationError({"face_value": _("This kind of reward needs its face value.")})
        if self.kind == RewardKind.RAFFLE_TICKET and self.raffle_id is None:
            raise ValidationError({"raffle": _("Choose the raffle the ticket enters.")})
        if (
            self.face_value_kind == CodeValueKind.PERCENT
            and self.face_value is not None
            and self.face_value > 100
        ):
            raise ValidationError({"face_value": _("A percentage is at most 100.")})

    @property
    def in_stock(self) -> bool:
        return self.stock is None or self.stock > 0


class RedemptionStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    FULFILLED = "fulfilled", _("Fulfilled")
    CANCELLED = "cancelled", _("Cancelled")


class Redemption(models.Model):
    participant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="redemptions"
    )
    item = models.ForeignKey(RewardItem, on_delete=models.PROTECT, related_name="redemptions")
    points = models.PositiveIntegerField(_("points spent"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=RedemptionStatus.choices,
        default=RedemptionStatus.REQUESTED,
    )
    milestone = models.ForeignKey(
        "Milestone", null=True, blank=True, on_delete=models.PROTECT, related_name="grants"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")
        constraints = [
            models.UniqueConstraint(
                fields=["milestone", "participant"],
                condition=Q(milestone__isnull=False),
                name="milestone_granted_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} for {self.participant}"


class Milestone(models.Model):
    """A reward granted automatically at N qualified referrals, once per participant."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="milestones")
    qualified_count = models.PositiveIntegerField(
        _("qualified referrals"), validators=[MinValueValidator(1)]
    )
    reward = models.ForeignKey(RewardItem, on_delete=models.PROTECT, related_name="milestones")

    class Meta:
        ordering = ["program", "qualified_count"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "qualified_count"], name="one_milestone_per_count"
            )
        ]

    def __str__(self) -> str:
        return f"{self.qualified_count} → {self.reward}"


class Raffle(models.Model):
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    prize = models.CharField(_("prize"), max_length=200)
    winners_count = models.PositiveIntegerField(
        _("number of winners"), default=1, validators=[MinValueValidator(1)]
    )
    starts_at = models.DateTimeField(_("entries from"))
    ends_at = models.DateTimeField(_("entries until"))
    ticket_price = models.PositiveIntegerField(
        _("ticket price in points"),
        null=True,
        blank=True,
        help_text=_("Leave empty: tickets cannot be bought."),
    )
    seed = models.CharField(_("seed"), max_length=64, blank=True)
    drawn_at = models.DateTimeField(_("drawn"), null=True, blank=True)

    class Meta:
        ordering = ["-ends_at"]
        verbose_name = _("raffle")
        verbose_name_plural = _("raffles")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="raffle_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.name


class RaffleEntry(models.Model):
    raffle = models.ForeignKey(Raffle, on_delete=models.CASCADE, related_name="entries")
    participant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="raffle_entries"
    )
    lead = models.ForeignKey(
        Lead, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    bought = models.BooleanField(default=False)
    redemption = models.OneToOneField(
        "Redemption", null=True, blank=True, on_delete=models.PROTECT, related_name="raffle_entry"
    )
    is_winner = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["raffle", "lead"],
                condition=Q(lead__isnull=False),
                name="one_entry_per_lead",
            )
        ]

    def __str__(self) -> str:
        return f"{self.raffle} #{self.pk}"


class OfferCode(models.Model):
    """Two-sided programs: a single-use welcome offer for the referred prospect."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="offer_codes")
    code = models.CharField(_("code"), max_length=40, unique=True)
    lead = models.OneToOneField(
        Lead, null=True, blank=True, on_delete=models.PROTECT, related_name="offer_code"
    )
    issued_at = models.DateTimeField(null=True, blank=True)
    generated = models.BooleanField(default=False)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("welcome offer code")
        verbose_name_plural = _("welcome offer codes")

    def __str__(self) -> str:
        return self.code


class CodeClient(models.Model):
    """A shop, point of sale or CRM that checks and redeems reward codes through the signed
    codes API (``Vouch-Signature`` with its own secret, like CRM callbacks)."""

    name = models.CharField(_("name"), max_length=100)
    source = models.SlugField(
        _("source"),
        max_length=50,
        unique=True,
        help_text=_("Part of the API URL: /api/v1/codes/<source>/check/"),
    )
    secret = EncryptedTextField(  # at rest: Fernet
        _("signing secret"),
        help_text=_("Shared with the client; it signs every request with it (Vouch-Signature)."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("code client")
        verbose_name_plural = _("code clients")

    def __str__(self) -> str:
        return self.name


class RewardCode(models.Model):
    """Store credit or a discount code a redemption issued: used once, before it expires."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    redemption = models.OneToOneField(
        Redemption, on_delete=models.PROTECT, related_name="reward_code"
    )
    participant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reward_codes"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=RewardKind.choices)
    value_kind = models.CharField(_("value given as"), max_length=8, choices=CodeValueKind.choices)
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    redeemed_at = models.DateTimeField(_("used"), null=True, blank=True)
    redeemed_by = models.ForeignKey(
        CodeClient, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    redeemed_reference = models.CharField(_("used for"), max_length=120, blank=True)

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("reward code")
        verbose_name_plural = _("reward codes")
        constraints = [
            models.CheckConstraint(
                condition=Q(redeemed_at__isnull=True) | Q(redeemed_by__isnull=False),
                name="reward_code_used_by_a_client",
            )
        ]

    def __str__(self) -> str:
        return self.code


class GoalMetric(models.TextChoices):
    REFERRALS = "referrals", _("Referrals")
    QUALIFIED = "qualified", _("Qualified referrals")


class GoalPeriod(models.TextChoices):
    MONTH = "month", _("per month")
    QUARTER = "quarter", _("per quarter")


class PersonalGoal(models.Model):
    """A participant's own target (referrals per month, qualified per quarter…), set by
    themselves or by their team's manager. One goal per metric and period."""

    participant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="personal_goals"
    )
    metric = models.CharField(_("what"), max_length=16, choices=GoalMetric.choices)
    period = models.CharField(_("period"), max_length=8, choices=GoalPeriod.choices)
    target = models.PositiveIntegerField(
        _("target"), validators=[MinValueValidator(1), MaxValueValidator(10000)]
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["period", "metric"]
        verbose_name = _("personal goal")
        verbose_name_plural = _("personal goals")
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "metric", "period"], name="one_goal_per_metric_period"
            ),
            models.CheckConstraint(condition=Q(target__gte=1), name="goal_target_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.participant}: {self.target} {self.metric} {self.period}"


class GoalReached(models.Model):
    """A goal reached in one period ("2026-11", "2026-Q4"): the notice goes out once."""

    goal = models.ForeignKey(PersonalGoal, on_delete=models.CASCADE, related_name="reached")
    period_key = models.CharField(max_length=8)
    reached_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["goal", "period_key"], name="goal_reached_once")
        ]

    def __str__(self) -> str:
        return f"{self.goal} {self.period_key}"

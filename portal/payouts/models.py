# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from decimal import Decimal
from typing import TypedDict

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import PartnerOrganisation
from portal.core.i18n import active_language
from portal.leads.models import Lead, Program


class _MoneyField(TypedDict):
    max_digits: int
    decimal_places: int


MONEY: _MoneyField = {"max_digits": 14, "decimal_places": 2}


class PlanKind(models.TextChoices):
    FLAT_PER_QUALIFIED = "flat", _("Flat amount per qualified lead")
    PERCENT_OF_WON = "percent", _("Percentage of the won deal value")
    PERCENT_BY_TIER = "tier_percent", _("Percentage of the won deal value × tier multiplier")


class CommissionPlan(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=PlanKind.choices)
    flat_amount = models.DecimalField(
        _("flat amount"),
        **MONEY,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    percent = models.DecimalField(
        _("percent"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    cap_per_lead = models.DecimalField(
        _("cap per lead"),
        **MONEY,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    cap_per_month = models.DecimalField(
        _("cap per payee and month"),
        **MONEY,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    hold_days = models.PositiveIntegerField(_("hold period (days)"), default=30)

    class Meta:
        ordering = ["name"]
        verbose_name = _("commission plan")
        verbose_name_plural = _("commission plans")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="flat") | Q(flat_amount__isnull=False),
                name="flat_plan_has_amount",
            ),
            models.CheckConstraint(
                condition=Q(kind="flat") | Q(percent__isnull=False), name="percent_plan_has_percent"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ProgramCommissionSettings(models.Model):
    """A program's defaults: the partners' plan and the employees' cash bonus per win."""

    program = models.OneToOneField(
        Program, on_delete=models.CASCADE, related_name="commission_settings"
    )
    partner_plan = models.ForeignKey(
        CommissionPlan, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    employee_bonus = models.DecimalField(
        _("employee bonus per won referral"),
        **MONEY,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    employee_bonus_currency = models.CharField(_("bonus currency"), max_length=3, default="EUR")

    class Meta:
        verbose_name = _("program commission settings")
        verbose_name_plural = _("program commission settings")

    def __str__(self) -> str:
        return str(self.program)


class PartnerPlan(models.Model):
    """A partner organisation's own plan for a program (else the program's default)."""

    organisation = models.ForeignKey(
        PartnerOrganisation, on_delete=models.CASCADE, related_name="commission_plans"
    )
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    plan = models.ForeignKey(CommissionPlan, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "program"], name="one_plan_per_partner_program"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} / {self.program}: {self.plan}"


class CommissionStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    IN_BATCH = "in_batch", _("In a payout batch")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Cancelled")


class CommissionEvent(models.TextChoices):
    QUALIFIED = "qualified", _("Qualified lead")
    WON = "won", _("Won deal")
    EMPLOYEE_BONUS = "employee_bonus", _("Employee bonus")
    REWARD_BONUS = "reward_bonus", _("Cash bonus reward")
    CONTEST_PRIZE = "contest_prize", _("Contest prize")
    RECRUITMENT = "recruitment", _("Recruitment reward")
    CLAWBACK = "clawback", _("Clawback")


class Commission(models.Model):
    """Money owed to a payee (a partner organisation, or an employee through payroll).

    Never edited away: a reversed deal adds a negative clawback linked to the original."""

    # Empty for money that no lead earned (a cash bonus reward, a contest prize).
    lead = models.ForeignKey(
        Lead, null=True, blank=True, on_delete=models.PROTECT, related_name="commissions"
    )
    program = models.ForeignKey(
        Program, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # What created a commission without a lead ("redemption:12", "contest:3:user:7"): once.
    source = models.CharField(max_length=64, blank=True, default="")
    # Every index costs on the batch UPDATE of 100,000 rows: foreign keys that a composite
    # index below covers get none of their own.
    payee_org = models.ForeignKey(
        PartnerOrganisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commissions",
        db_index=False,  # covered by a composite index below
    )
    payee_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commissions",
        db_index=False,  # covered by a composite index below
    )
    event = models.CharField(_("for"), max_length=16, choices=CommissionEvent.choices)
    amount = models.DecimalField(_("amount"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3)
    plan_name = models.CharField(_("plan"), max_length=120, blank=True)
    basis = models.CharField(_("calculation"), max_length=200, blank=True)
    # The language ``basis`` was written in (pages mark it, so it reads right).
    language = models.CharField(max_length=8, blank=True, default=active_language, db_default="")
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=CommissionStatus.choices,
        default=CommissionStatus.PENDING,
    )
    hold_until = models.DateField(_("hold until"))
    on_hold = models.BooleanField(_("on hold"), default=False)
    hold_reason = models.CharField(_("hold reason"), max_length=300, blank=True)
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="clawback"
    )
    batch = models.ForeignKey(
        "PayoutBatch",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commissions",
        db_index=False,  # covered by commission_in_batch
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("commission")
        verbose_name_plural = _("commissions")
        indexes = [
            models.Index(
                fields=["status", "currency", "payee_org", "payee_user"], name="commission_batching"
            ),
            models.Index(
                fields=["payee_org", "created_at"],
                name="commission_org_time",
                condition=Q(payee_org__isnull=False),
            ),
            models.Index(
                fields=["payee_user", "created_at"],
                name="commission_user_time",
                condition=Q(payee_user__isnull=False),
            ),
            models.Index(fields=["batch", "payee_org", "payee_user"], name="commission_in_batch"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(payee_org__isnull=False) & Q(payee_user__isnull=True))
                | (Q(payee_org__isnull=True) & Q(payee_user__isnull=False)),
                name="commission_has_one_payee",
            ),
            # Batched commissions have their batch, and only they do (one batch: one column).
            models.CheckConstraint(
                condition=(Q(status__in=["in_batch", "paid"]) & Q(batch__isnull=False))
                | (~Q(status__in=["in_batch", "paid"]) & Q(batch__isnull=True)),
                name="commission_batch_matches_status",
            ),
            models.UniqueConstraint(
                fields=["lead", "event"],
                condition=~Q(event="clawback"),
                name="one_commission_per_lead_event",
            ),
            models.UniqueConstraint(
                fields=["source"], condition=~Q(source=""), name="one_commission_per_source"
            ),
            models.CheckConstraint(
                condition=(Q(event="clawback") & Q(reverses__isnull=False))
                | (~Q(event="clawback") & Q(reverses__isnull=True)),
                name="clawback_links_original",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} ({self.get_event_display()}, lead #{self.lead_id})"

    @property
    def basis_names_it(self) -> bool:
        """Whether statements name this commission by its basis rather than its event: a
        recruitment reward names its recruit, and a clawback of money no lead earned
        names what it takes back (a bare "Clawback" would not say which)."""
        return self.event == CommissionEvent.RECRUITMENT or (
            self.event == CommissionEvent.CLAWBACK and not self.lead_id
        )

    @property
    def payee(self):
        return self.payee_org or self.payee_user


class PayeeHold(models.Model):
    """Finance stops payouts to a partner organisation (e.g. missing paperwork)."""

    organisation = models.OneToOneField(
        PartnerOrganisation, on_delete=models.CASCADE, related_name="payout_hold"
    )
    reason = models.CharField(_("reason"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.organisation}: {self.reason}"


class BatchKind(models.TextChoices):
    PARTNERS = "partners", _("Partner payout")
    PAYROLL = "payroll", _("Employee payroll export")


class BatchStatus(models.TextChoices):
    BUILDING = "building", _("Building")
    BUILT = "built", _("Built, waiting for approval")
    APPROVED = "approved", _("Approved and exported")
    PAID = "paid", _("Paid")
    EMPTY = "empty", _("Nothing to pay")
    FAILED = "failed", _("Failed")


class PayoutBatch(models.Model):
    kind = models.CharField(
        _("kind"), max_length=16, choices=BatchKind.choices, default=BatchKind.PARTNERS
    )
    currency = models.CharField(_("currency"), max_length=3)
    cutoff = models.DateField(_("commissions approved up to"))
    status = models.CharField(
        _("status"), max_length=16, choices=BatchStatus.choices, default=BatchStatus.BUILDING
    )
    progress = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    total = models.DecimalField(_("total"), **MONEY, default=Decimal("0"))
    payee_count = models.PositiveIntegerField(default=0)
    commission_count = models.PositiveIntegerField(default=0)
    export = models.FileField(_("payout file"), upload_to="payouts/", blank=True)
    built_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    approved_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("payout batch")
        verbose_name_plural = _("payout batches")
        constraints = [
            # Two clicks at once cannot start two builds for the same money.
            models.UniqueConstraint(
                fields=["kind", "currency"],
                condition=Q(status="building"),
                name="one_build_at_a_time",
            ),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=models.F("built_by")),
                name="builder_cannot_approve",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()} {self.currency} {self.cutoff}"

    @property
    def reference(self) -> str:
        return f"VOUCH-{self.pk:06d}"


class PayoutLine(models.Model):
    """One payee's total in a batch (one row of the payout file)."""

    batch = models.ForeignKey(PayoutBatch, on_delete=models.CASCADE, related_name="lines")
    payee_org = models.ForeignKey(
        PartnerOrganisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    payee_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    total = models.DecimalField(**MONEY)
    commission_count = models.PositiveIntegerField()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.batch}: {self.total}"

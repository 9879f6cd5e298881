# SPDX-License-Identifier: AGPL-3.0-or-later
"""Referral networks: reciprocal partners and the leads the company sends them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Period(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")


class ReciprocalTerms(models.Model):
    """The reciprocity written into a partner's agreement version: how many leads each
    side sends the other per period. The terms in force at a moment are the latest whose
    ``valid_from`` is on or before it; an organisation with terms is reciprocal."""

    organisation = models.ForeignKey(
        "accounts.PartnerOrganisation",
        on_delete=models.CASCADE,
        related_name="reciprocal_terms",
        verbose_name=_("partner organisation"),
    )
    agreement_version = models.PositiveIntegerField(
        _("agreement version"),
        help_text=_("The version of the partner agreement these quotas are written into."),
    )
    valid_from = models.DateField(_("valid from"))
    period = models.CharField(
        _("period"), max_length=8, choices=Period.choices, default=Period.QUARTER
    )
    quota_sent = models.PositiveIntegerField(
        _("leads we send per period"), help_text=_("Leads the company passes to the partner.")
    )
    quota_received = models.PositiveIntegerField(
        _("leads we receive per period"), help_text=_("Leads the partner refers to the company.")
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["organisation", "-valid_from"]
        verbose_name = _("reciprocal terms")
        verbose_name_plural = _("reciprocal terms")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "agreement_version"], name="one_terms_per_agreement_version"
            ),
            models.UniqueConstraint(
                fields=["organisation", "valid_from"], name="one_terms_per_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} v{self.agreement_version}"


class OutboundStatus(models.TextChoices):
    SENT = "sent", pgettext_lazy("outbound lead", "Sent")
    ACCEPTED = "accepted", pgettext_lazy("outbound lead", "Accepted")
    WON = "won", pgettext_lazy("outbound lead", "Won")
    LOST = "lost", pgettext_lazy("outbound lead", "Lost")


OPEN_OUTBOUND = (OutboundStatus.SENT, OutboundStatus.ACCEPTED)


class OutboundLead(models.Model):
    """A prospect the company passes to a reciprocal partner. Contact data (PII) is read
    only through ``networks.selectors``; the rules of inbound leads apply (consent,
    normalisation, duplicates, audit)."""

    # Set per viewer on list pages (outbound_pii_visible); never stored.
    show_pii: bool

    organisation = models.ForeignKey(
        "accounts.PartnerOrganisation",
        on_delete=models.PROTECT,
        related_name="outbound_leads",
        verbose_name=_("sent to"),
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="outbound_leads",
        verbose_name=_("sent by"),
    )
    program = models.ForeignKey(
        "leads.Program",
        on_delete=models.PROTECT,
        related_name="outbound_leads",
        verbose_name=_("program"),
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    company = models.CharField(_("company"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    email_normalised = models.CharField(max_length=254, blank=True)
    phone_e164 = models.CharField(max_length=20, blank=True)
    company_domain = models.CharField(max_length=253, blank=True)
    consent = models.BooleanField(_("consent to be contacted"))
    consent_text = models.CharField(_("consent text"), max_length=300)
    consent_at = models.DateTimeField(_("consent given at"))
    flags = models.JSONField(_("quality flags"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=OutboundStatus.choices, default=OutboundStatus.SENT
    )
    deal_value = models.DecimalField(
        _("deal value"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    deal_currency = models.CharField(_("currency"), max_length=3, blank=True)
    lost_reason = models.CharField(_("lost reason"), max_length=300, blank=True)
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)
    status_changed_at = models.DateTimeField(_("status changed"), default=timezone.now)
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("outbound lead")
        verbose_name_plural = _("outbound leads")
        indexes = [
            models.Index(fields=["organisation", "-sent_at"]),
            models.Index(fields=["sender", "-sent_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(consent=True), name="outbound_has_consent"),
            models.CheckConstraint(
                condition=~Q(status="won") | (Q(deal_value__isnull=False) & ~Q(deal_currency="")),
                name="won_outbound_has_deal_value",
            ),
            models.CheckConstraint(
                condition=~Q(status="lost") | ~Q(lost_reason=""), name="lost_outbound_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.company or self.name}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_OUTBOUND


class ProgramNetworkOptions(models.Model):
    """What a program gives employees for outbound referrals (points, hence boards)."""

    program = models.OneToOneField(
        "leads.Program",
        on_delete=models.CASCADE,
        related_name="network_options",
        verbose_name=_("program"),
    )
    outbound_points_sent = models.PositiveIntegerField(
        _("points for an outbound referral sent"), default=0
    )
    outbound_points_won = models.PositiveIntegerField(
        _("points for an outbound referral the partner won"), default=0
    )
    invite_won_customers = models.BooleanField(
        _("invite won customers to refer"),
        default=False,
        help_text=_("When a lead is won, its contact is invited by e-mail to refer in turn."),
    )

    class Meta:
        verbose_name = _("network options")
        verbose_name_plural = _("network options")

    def __str__(self) -> str:
        return str(self.program)


class ReciprocityReminder(models.Model):
    """One reminder per partner, period and lagging side: the unique constraint makes the
    daily task safe to run twice."""

    class Side(models.TextChoices):
        US = "us", _("We send too few")
        PARTNER = "partner", _("The partner sends too few")

    organisation = models.ForeignKey(
        "accounts.PartnerOrganisation", on_delete=models.CASCADE, related_name="+"
    )
    period_start = models.DateTimeField()
    side = models.CharField(max_length=8, choices=Side.choices)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "period_start", "side"], name="one_reminder_per_period_side"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.period_start:%Y-%m-%d} {self.side}"


class CustomerInvitation(models.Model):
    """The one invitation a won lead's contact receives to refer in turn. Only a hash of
    the token is stored: the link in the e-mail is the only copy."""

    lead = models.OneToOneField(
        "leads.Lead", on_delete=models.CASCADE, related_name="customer_invitation"
    )
    email = models.EmailField(_("e-mail address"))
    first_name = models.CharField(max_length=150, blank=True)
    language = models.CharField(max_length=8, blank=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="customer_invitation",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("customer invitation")
        verbose_name_plural = _("customer invitations")

    def __str__(self) -> str:
        return self.email


class PartnerApplication(models.Model):
    """An informal referrer (a customer with enough won deals) applies to become a formal
    partner: the organisation is created in review, for a reviewer to decide."""

    applicant = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="partner_application"
    )
    organisation = models.OneToOneField(
        "accounts.PartnerOrganisation", on_delete=models.PROTECT, related_name="application"
    )
    won_deals = models.PositiveIntegerField(_("won deals when applying"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("partner application")
        verbose_name_plural = _("partner applications")

    def __str__(self) -> str:
        return str(self.organisation)


class PartnerRecruitment(models.Model):
    """A company invited through a partner's recruitment link applies: the organisation
    is created in review, recorded with the organisation that recruited it (one level:
    a recruited organisation recruits nobody). The recruiter earns the recruitment reward
    once a reviewer approves."""

    class Decision(models.TextChoices):
        PENDING = "pending", pgettext_lazy("recruitment", "In review")
        APPROVED = "approved", pgettext_lazy("recruitment", "Approved")
        DECLINED = "declined", pgettext_lazy("recruitment", "Declined")

    organisation = models.OneToOneField(
        "accounts.PartnerOrganisation",
        on_delete=models.PROTECT,
        related_name="recruitment",
        verbose_name=_("recruited organisation"),
    )
    recruited_by = models.ForeignKey(
        "accounts.PartnerOrganisation",
        on_delete=models.PROTECT,
        related_name="recruits",
        verbose_name=_("recruited by"),
    )
    contact_name = models.CharField(_("contact name"), max_length=200)
    contact_email = models.EmailField(_("contact e-mail"))
    decision = models.CharField(
        _("decision"), max_length=16, choices=Decision.choices, default=Decision.PENDING
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("partner recruitment")
        verbose_name_plural = _("partner recruitments")

    def __str__(self) -> str:
        return f"{self.organisation} ← {self.recruited_by}"

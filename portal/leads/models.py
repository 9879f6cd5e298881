# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

import secrets
from datetime import date

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Audience(models.TextChoices):
    EMPLOYEES = "employees", _("Employees")
    PARTNERS = "partners", _("Partners")
    BOTH = "both", _("Employees and partners")


class RuleAction(models.TextChoices):
    OFF = "off", _("Off")
    FLAG = "flag", _("Flag for review")
    REJECT = "reject", _("Reject")


class Program(models.Model):
    """One referral scheme. Several run at once; dates decide which accept leads."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), unique=True)
    description = models.TextField(_("description"), blank=True)
    pitch = models.TextField(
        _("referral page pitch"),
        blank=True,
        help_text=_("Shown to prospects on referral links: why they should talk to us."),
    )
    # The referral landing (/r/<code>/) is the prospect's first sight of the company: it
    # carries the program's own look rather than the portal's.
    landing_headline = models.CharField(
        _("referral page headline"),
        max_length=160,
        blank=True,
        help_text=_(
            "The big line prospects read first. Leave empty for “<name> thinks we should talk”."
        ),
    )
    brand_colour = models.CharField(
        _("brand colour"),
        max_length=7,
        blank=True,
        validators=[
            RegexValidator(
                r"^#[0-9a-fA-F]{6}$", _("Enter a colour as # and six hex digits, e.g. #0b5cab.")
            )
        ],
        help_text=_("Buttons and the header of the referral page, e.g. #0b5cab."),
    )
    brand_logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("brand logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Shown on the referral page and the printable referral card."),
    )
    audience = models.CharField(
        _("audience"), max_length=16, choices=Audience.choices, default=Audience.BOTH
    )
    starts_on = models.DateField(_("starts on"), default=date.today)
    ends_on = models.DateField(
        _("ends on"), null=True, blank=True, help_text=_("Leave empty for an open-ended program.")
    )
    is_enabled = models.BooleanField(_("enabled"), default=True)
    attribution_window_days = models.PositiveIntegerField(
        _("attribution window (days)"), default=90
    )
    two_sided = models.BooleanField(
        _("two-sided"), default=False, help_text=_("The referred prospect is rewarded too.")
    )
    welcome_offer = models.CharField(
        _("welcome offer"),
        max_length=200,
        blank=True,
        help_text=_(
            # xgettext:no-python-format
            "Two-sided programs: what the referred prospect gets, e.g. 20% off the first year."
        ),
    )
    consent_text = models.CharField(
        _("consent text"),
        max_length=300,
        default="I agree to be contacted about this referral.",
        help_text=_("What the prospect agrees to; stored with every lead."),
    )
    # Quality rules: each rejects outright, flags for review, or is off.
    rule_self_referral = models.CharField(
        _("self-referral"), max_length=8, choices=RuleAction.choices, default=RuleAction.REJECT
    )
    rule_duplicate = models.CharField(
        _("duplicate"), max_length=8, choices=RuleAction.choices, default=RuleAction.FLAG
    )
    rule_disposable_email = models.CharField(
        _("disposable e-mail"), max_length=8, choices=RuleAction.choices, default=RuleAction.FLAG
    )
    rule_daily_cap = models.CharField(
        _("daily cap"), max_length=8, choices=RuleAction.choices, default=RuleAction.FLAG
    )
    daily_cap = models.PositiveIntegerField(_("submissions per referrer per day"), default=10)
    review_reminder_days = models.PositiveIntegerField(
        _("remind reviewers after (days)"), default=3
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("program")
        verbose_name_plural = _("programs")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="program_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def is_open_on(self, day: date) -> bool:
        return (
            self.is_enabled
            and self.starts_on <= day
            and (self.ends_on is None or day <= self.ends_on)
        )


class DisposableEmailDomain(models.Model):
    domain = models.CharField(_("domain"), max_length=253, unique=True)

    class Meta:
        ordering = ["domain"]
        verbose_name = _("disposable e-mail domain")
        verbose_name_plural = _("disposable e-mail domains")

    def __str__(self) -> str:
        return self.domain

    def save(self, *args, **kwargs):
        from .rules import disposable_domains_changed

        self.domain = self.domain.strip().lower().lstrip("@")
        super().save(*args, **kwargs)
        disposable_domains_changed()

    def delete(self, *args, **kwargs):
        from .rules import disposable_domains_changed

        result = super().delete(*args, **kwargs)
        disposable_domains_changed()
        return result


class LeadStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    QUALIFIED = "qualified", _("Qualified")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


CLOSED_STATUSES = {LeadStatus.WON, LeadStatus.LOST, LeadStatus.REJECTED, LeadStatus.WITHDRAWN}
# Leads that can still win an attribution contest.
CONTENDING_STATUSES = [
    LeadStatus.SUBMITTED,
    LeadStatus.IN_REVIEW,
    LeadStatus.QUALIFIED,
    LeadStatus.WON,
]


class RejectionReason(models.TextChoices):
    DUPLICATE = "duplicate", _("Duplicate")
    INVALID = "invalid", _("Invalid")
    SELF_REFERRAL = "self_referral", _("Self-referral")
    NOT_A_FIT = "not_a_fit", _("Not a fit")


class LeadSource(models.TextChoices):
    FORM = "form", _("Portal form")
    LINK = "link", _("Referral link")
    API = "api", _("API")
    IMPORT = "import", _("CSV import")


class Lead(models.Model):
    # Set per viewer on the list page (lead_pii_visible); never stored.
    show_pii: bool

    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="leads", verbose_name=_("program")
    )
    referrer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="leads",
        verbose_name=_("referrer"),
        db_index=False,  # covered by the (referrer, -submitted_at) index
    )
    organisation = models.ForeignKey(
        "accounts.PartnerOrganisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="leads",
        verbose_name=_("partner organisation"),
        db_index=False,  # covered by the (organisation, -submitted_at) index
    )
    # Contact details (PII: only through leads.selectors).
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    company = models.CharField(_("company"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # Normalised keys for attribution.
    email_normalised = models.CharField(max_length=254, blank=True)
    phone_e164 = models.CharField(max_length=20, blank=True)
    company_domain = models.CharField(max_length=253, blank=True)
    consent = models.BooleanField(_("consent to be contacted"))
    consent_text = models.CharField(_("consent text"), max_length=300)
    consent_at = models.DateTimeField(_("consent given at"))
    language = models.CharField(
        _("prospect's language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("The language the prospect used on the referral page; their e-mails use it."),
    )
    source = models.CharField(
        _("source"), max_length=8, choices=LeadSource.choices, default=LeadSource.FORM
    )
    referral_link = models.ForeignKey(
        "leads.ReferralLink", null=True, blank=True, on_delete=models.SET_NULL, related_name="leads"
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=LeadStatus.choices,
        default=LeadStatus.SUBMITTED,
    )
    rejection_reason = models.CharField(
        _("rejection reason"), max_length=16, choices=RejectionReason.choices, blank=True
    )
    status_note = models.TextField(_("reason for the submitter"), blank=True)
    flags = models.JSONField(_("quality flags"), default=list, blank=True)
    conflict_with = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="conflicts",
        verbose_name=_("conflicts with"),
    )
    deal_value = models.DecimalField(
        _("deal value"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    deal_currency = models.CharField(_("currency"), max_length=3, blank=True)
    deal_reversed_at = models.DateTimeField(_("deal reversed"), null=True, blank=True)
    lost_reason = models.CharField(_("lost reason"), max_length=300, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now, db_index=True)
    status_changed_at = models.DateTimeField(_("status changed"), default=timezone.now)
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        permissions = [("review_lead", _("Can review leads"))]
        indexes = [
            models.Index(fields=["referrer", "-submitted_at"]),
            models.Index(fields=["organisation", "-submitted_at"]),
            models.Index(fields=["status", "status_changed_at"]),
            # Attribution look-ups; plain B-trees (db_index on text adds a second LIKE index).
            models.Index(
                fields=["email_normalised"],
                condition=~models.Q(email_normalised=""),
                name="lead_email_key",
            ),
            models.Index(
                fields=["phone_e164"], condition=~models.Q(phone_e164=""), name="lead_phone_key"
            ),
            models.Index(
                fields=["company_domain"],
                condition=~models.Q(company_domain=""),
                name="lead_domain_key",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(consent=True), name="lead_has_consent"),
            models.CheckConstraint(
                condition=~models.Q(status="won")
                | (models.Q(deal_value__isnull=False) & ~models.Q(deal_currency="")),
                name="won_lead_has_deal_value",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="rejected") | ~models.Q(rejection_reason=""),
                name="rejected_lead_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.company or self.name}"

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED_STATUSES

    @property
    def has_conflict(self) -> bool:
        return self.conflict_with_id is not None


def _new_code() -> str:
    return secrets.token_urlsafe(6).replace("-", "x").replace("_", "y")


class ReferralLink(models.Model):
    """A participant's stable personal link: /r/<code>/."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="referral_link"
    )
    code = models.CharField(_("code"), max_length=16, unique=True, default=_new_code)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("referral link")
        verbose_name_plural = _("referral links")

    def __str__(self) -> str:
        return self.code


class LinkVisit(models.Model):
    """A visit to a referral link, counted once per visitor per day (for the funnel)."""

    link = models.ForeignKey(ReferralLink, on_delete=models.CASCADE, related_name="visits")
    day = models.DateField()
    visitor = models.CharField(max_length=64)  # keyed hash of IP and browser; no PII kept

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["link", "day", "visitor"], name="one_visit_per_visitor_per_day"
            )
        ]
        # The insight funnel counts a period's visits across all links.
        indexes = [models.Index(fields=["day"], name="linkvisit_day")]

    def __str__(self) -> str:
        return f"{self.link} {self.day}"

# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.core.crypto import EncryptedJSONField


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra) -> User:
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)


class PartnerOrganisation(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        IN_REVIEW = "in_review", _("Applied, in review")

    name = models.CharField(_("name"), max_length=200, unique=True)
    email_domain = models.CharField(
        _("e-mail domain"),
        max_length=253,
        blank=True,
        help_text=_(
            "The organisation's own domain, e.g. acme.example. Used to spot self-referrals."
        ),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    # Filled in by the rewards and payouts work; kept here so the organisation is one record.
    tier = models.CharField(_("partner tier"), max_length=64, blank=True)
    payout_details = EncryptedJSONField(
        _("payout details"), default=dict, blank=True
    )  # IBAN: Fernet
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("partner organisation")
        verbose_name_plural = _("partner organisations")

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class Team(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="managed_teams",
        blank=True,
        verbose_name=_("managers"),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who logs in. Employees have no partner organisation; partners have one."""

    # Log-in is by e-mail: AbstractUser's username column is removed.
    username = None  # type: ignore[assignment]
    email = models.EmailField(_("e-mail address"), unique=True)
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("The language of the portal and of your e-mails."),
    )
    show_initials_only = models.BooleanField(
        _("appear by initials only"),
        default=False,
        help_text=_("Leaderboards and shout-outs show your initials instead of your name."),
    )
    team = models.ForeignKey(
        Team,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
        verbose_name=_("team"),
    )
    partner_organisation = models.ForeignKey(
        PartnerOrganisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        verbose_name=_("partner organisation"),
    )
    is_partner_admin = models.BooleanField(_("partner admin"), default=False)
    # A customer who signed up to refer (referral networks): neither employee nor partner.
    is_customer = models.BooleanField(_("customer"), default=False)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    # AbstractUser's manager creates users from a username; ours from an e-mail address.
    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    class Meta:
        ordering = ["email"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
            models.CheckConstraint(
                condition=models.Q(is_partner_admin=False)
                | models.Q(partner_organisation__isnull=False),
                name="partner_admin_has_organisation",
            ),
            models.CheckConstraint(
                condition=models.Q(team__isnull=True) | models.Q(partner_organisation__isnull=True),
                name="partners_have_no_team",
            ),
            models.CheckConstraint(
                condition=models.Q(is_customer=False)
                | (
                    models.Q(partner_organisation__isnull=True)
                    & models.Q(team__isnull=True)
                    & models.Q(is_staff=False)
                ),
                name="customers_are_neither_partners_nor_staff",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        full = self.get_full_name().strip()
        return full or self.email.split("@")[0]

    @property
    def initials(self) -> str:
        parts = [p for p in (self.first_name, self.last_name) if p]
        if not parts:
            parts = [self.email.split("@")[0]]
        return "".join(p[0].upper() + "." for p in parts)

    @property
    def public_name(self) -> str:
        """The name shown to other participants (boards, shout-outs)."""
        return self.initials if self.show_initials_only else self.display_name


class Invitation(models.Model):
    """A single-use, expiring invitation into a partner organisation.

    Only a hash of the token is stored: the link in the e-mail is the only copy.
    """

    email = models.EmailField(_("e-mail address"))
    organisation = models.ForeignKey(
        PartnerOrganisation,
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("organisation"),
    )
    as_admin = models.BooleanField(_("partner admin"), default=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="invitations_sent"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="accepted_invitation",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation}"

    @property
    def state(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"

# SPDX-License-Identifier: AGPL-3.0-or-later
"""API tokens: personal tokens and partner organisations' integration keys.

Only a SHA-256 hash of a token is stored, with a short prefix that people can recognise
in lists; the full token is shown once, when it is created.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    """A bearer token. Requests made with it act as ``user``, through the same permission
    selectors as that user's pages. An integration key (``organisation`` set) belongs to a
    partner organisation: its admins and reviewers manage it, and it acts as one designated
    member of that organisation."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="vouch_api_tokens",
        verbose_name=_("acts as"),
    )
    organisation = models.ForeignKey(
        "accounts.PartnerOrganisation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="integration_keys",
        verbose_name=_("partner organisation"),
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_integration_key(self) -> bool:
        return self.organisation_id is not None

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

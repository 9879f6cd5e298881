# SPDX-License-Identifier: AGPL-3.0-or-later
"""Normalised keys used to match leads: e-mail, phone (E.164) and company domain."""

from __future__ import annotations

import re

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Addresses at these providers say nothing about the prospect's company.
PERSONAL_EMAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "yahoo.com",
        "ymail.com",
        "icloud.com",
        "me.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "gmx.com",
        "gmx.net",
        "mail.com",
        "yandex.ru",
        "mail.ru",
        "zoho.com",
        "fastmail.com",
        "hey.com",
    }
)
_URL_PREFIX = re.compile(r"^(https?://)?(www\.)?", re.IGNORECASE)


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def email_domain(email: str) -> str:
    email = normalise_email(email)
    return email.rsplit("@", 1)[1] if "@" in email else ""


def normalise_phone(phone: str, region: str | None = None) -> str:
    """E.164 form of a phone number; raises ValidationError when it is not a valid number."""
    phone = (phone or "").strip()
    if not phone:
        return ""
    try:
        parsed = phonenumbers.parse(phone, region or settings.PHONE_DEFAULT_REGION)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(_("Enter a valid phone number, e.g. +358 40 123 4567.")) from exc
    if not phonenumbers.is_valid_number(parsed):
        raise ValidationError(_("Enter a valid phone number, e.g. +358 40 123 4567."))
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def company_domain(email: str, company: str = "") -> str:
    """The prospect's company domain: from a work address, or a company field that is a URL."""
    domain = email_domain(email)
    if domain and domain not in PERSONAL_EMAIL_DOMAINS:
        return domain
    candidate = _URL_PREFIX.sub("", (company or "").strip().lower()).split("/")[0]
    if "." in candidate and " " not in candidate:
        return candidate
    return ""

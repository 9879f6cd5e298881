# SPDX-License-Identifier: AGPL-3.0-or-later
"""Normalised keys used to match leads: e-mail, phone (E.164) and company domain."""

from __future__ import annotations

import re
from typing import Any

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from portal.core.badinput import has_nul

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


LEAD_FIELDS = ("name", "email", "phone", "company", "notes")
# The columns' sizes (notes: a generous cap, so nobody stores 200 kB of notes).
LEAD_FIELD_LIMITS = {"name": 200, "email": 254, "phone": 40, "company": 200, "notes": 5000}


def lead_clean(*, data: dict[str, Any]) -> dict[str, Any]:
    """Validate and normalise submitted contact data. Raises ValidationError per field.
    Pure: reads and writes nothing."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {key: str(data.get(key) or "").strip() for key in LEAD_FIELDS}
    if not cleaned["name"]:
        errors.setdefault("name", []).append(_("Enter the person's name."))
    if len(cleaned["name"]) > 200 or len(cleaned["company"]) > 200:
        errors.setdefault("name", []).append(_("Keep names under 200 characters."))
    for key, limit in LEAD_FIELD_LIMITS.items():
        if len(cleaned[key]) > limit and key not in ("name", "company"):
            errors.setdefault(key, []).append(
                _("Keep this field under %(n)s characters.") % {"n": limit}
            )
            cleaned[key] = ""  # not parsed further (a phone number of 200 kB)
        if has_nul(cleaned[key]):
            errors.setdefault(key, []).append(_("Remove the NUL characters from this field."))
            cleaned[key] = ""
    if cleaned["email"]:
        try:
            validate_email(cleaned["email"])
        except ValidationError:
            errors.setdefault("email", []).append(_("Enter a valid e-mail address."))
    try:
        cleaned["phone_e164"] = normalise_phone(cleaned["phone"])
    except ValidationError as exc:
        errors.setdefault("phone", []).extend(exc.messages)
    if not cleaned["email"] and not cleaned["phone"]:
        errors.setdefault("email", []).append(_("Give an e-mail address or a phone number."))
    consent = data.get("consent")
    if consent not in (True, "true", "True", "on", "1", "yes", 1):
        errors.setdefault("consent", []).append(_("The person must agree to be contacted."))
    if errors:
        raise ValidationError(errors)
    cleaned["consent"] = True
    return cleaned

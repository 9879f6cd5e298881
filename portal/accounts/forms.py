# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import User
from .services import email_domain_allowed_for_signup


class SignupForm(AllauthSignupForm):
    """Employees sign up with a company address; partners join only by invitation."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)

    field_order = ["first_name", "last_name", "email", "password1", "password2"]

    def clean_email(self) -> str:
        email = super().clean_email()
        if not email_domain_allowed_for_signup(email=email):
            raise forms.ValidationError(
                _(
                    "Sign-up is open to company e-mail addresses only. Partners join by "
                    "invitation: ask your partner manager to invite you."
                ),
                code="domain_not_allowed",
            )
        return email

    def custom_signup(self, request, user: User) -> None:
        user.first_name = self.cleaned_data["first_name"].strip()
        user.last_name = self.cleaned_data["last_name"].strip()
        user.save(update_fields=["first_name", "last_name"])


class InvitationAcceptForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    password1 = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label=_("Password (again)"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        cleaned = super().clean() or {}
        if cleaned.get("password1") and cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", _("The two passwords do not match."))
        return cleaned


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))


class PartnerOrganisationForm(forms.Form):
    name = forms.CharField(label=_("Organisation name"), max_length=200)
    email_domain = forms.CharField(
        label=_("E-mail domain"),
        max_length=253,
        required=False,
        help_text=_("e.g. acme.example: used to spot self-referrals."),
    )
    admin_email = forms.EmailField(
        label=_("First admin's e-mail"),
        help_text=_("They receive an invitation to set up the organisation's account."),
    )


class PreferencesForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    language = forms.ChoiceField(
        label=_("Language"),
        choices=[("", _("Browser default")), *settings.LANGUAGES],
        required=False,
    )
    show_initials_only = forms.BooleanField(
        label=_("Appear by initials only on leaderboards and shout-outs"), required=False
    )

# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import LeadStatus, Program, RejectionReason


class ProgramChoiceField(forms.ModelChoiceField):
    """A program; with ``lookup`` set, a posted choice is checked with one primary-key
    look-up (``selectors.program_open_to``) instead of the choices' whole query."""

    lookup: Callable[[Any], Program | None] | None = None

    def to_python(self, value: Any) -> Program | None:
        if self.lookup is None or value in self.empty_values:
            return super().to_python(value)
        program = self.lookup(value)
        if program is None:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return program


class LeadForm(forms.Form):
    """Contact details of a referral. The lead services validate and normalise them."""

    program = ProgramChoiceField(
        label=_("Program"), queryset=Program.objects.none(), empty_label=None
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.CharField(
        label=_("E-mail"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=40,
        required=False,
        help_text=_("With the country code, e.g. +358 40 123 4567."),
    )
    company = forms.CharField(label=_("Company"), max_length=200, required=False)
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What do they need? How do you know them?"),
    )
    consent = forms.BooleanField(
        label=_("They agree to be contacted about this referral."), required=False
    )

    def __init__(self, *args, programs=None, program_lookup=None, **kwargs):
        super().__init__(*args, **kwargs)
        program = self.fields["program"]
        assert isinstance(program, ProgramChoiceField)
        program.queryset = programs if programs is not None else Program.objects.none()
        program.lookup = program_lookup

    def programs_show(self, programs) -> None:
        """The choices to show when the form is rendered (a posted form is checked
        with ``program_lookup`` and needs none until then)."""
        self.fields["program"].queryset = programs  # type: ignore[attr-defined]


class ReferralPageForm(LeadForm):
    """The prospect's own form on a referral link. ``website`` is a honeypot."""

    website = forms.CharField(
        required=False,
        label=_("Leave this empty"),
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, consent_text: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].label = _("Your name")
        self.fields["email"].label = _("Your e-mail")
        self.fields["phone"].label = _("Your phone")
        self.fields["company"].label = _("Your company")
        self.fields["notes"].label = _("How can we help?")
        self.fields["notes"].help_text = ""
        self.fields["program"].label = _("I am interested in")
        if consent_text:
            self.fields["consent"].label = consent_text


class RejectForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=RejectionReason.choices)
    note = forms.CharField(
        label=_("Message to the submitter"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class WonForm(forms.Form):
    deal_value = forms.DecimalField(
        label=_("Deal value"), max_digits=14, decimal_places=2, min_value=0
    )
    currency = forms.CharField(label=_("Currency"), max_length=3, initial="EUR")
    note = forms.CharField(label=_("Note"), required=False)


class LostForm(forms.Form):
    reason = forms.CharField(label=_("Why was it lost?"), max_length=300)


class QueueFilterForm(forms.Form):
    program = forms.ModelChoiceField(
        label=_("Program"),
        queryset=Program.objects.all(),
        required=False,
        empty_label=_("All programs"),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Open (not closed)")), *LeadStatus.choices],
    )
    conflict = forms.ChoiceField(
        label=_("Conflict"),
        required=False,
        choices=[("", _("Any")), ("yes", _("In conflict")), ("no", _("No conflict"))],
    )
    older_than = forms.ChoiceField(
        label=_("Waiting"),
        required=False,
        choices=[
            ("", _("Any age")),
            ("1", _("over 1 day")),
            ("3", _("over 3 days")),
            ("7", _("over a week")),
            ("30", _("over 30 days")),
        ],
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns: program, referrer_email, name, email, phone, company, notes, consent"
        ),
    )


class ErasePersonForm(forms.Form):
    email = forms.EmailField(label=_("The person's e-mail address"), required=False)
    phone = forms.CharField(label=_("The person's phone number"), max_length=40, required=False)
    confirm = forms.BooleanField(
        label=_("I have checked the request: erase this person's contact details from every lead."),
    )

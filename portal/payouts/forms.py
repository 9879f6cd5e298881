# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import BatchKind


class PayoutDetailsForm(forms.Form):
    account_holder = forms.CharField(label=_("Account holder"), max_length=200)
    iban = forms.CharField(
        label=_("IBAN"), max_length=42, help_text=_("e.g. FI21 1234 5600 0007 85")
    )
    bic = forms.CharField(label=_("BIC (optional)"), max_length=11, required=False)


class BatchForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=BatchKind.choices)
    currency = forms.CharField(label=_("Currency"), max_length=3, initial="EUR")
    cutoff = forms.DateField(
        label=_("Commissions approved up to"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class HoldForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)

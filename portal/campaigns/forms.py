# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from portal.core.i18n import translated_form_fields

from .models import Campaign, Trigger


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = translated_form_fields(
            Campaign,
            [
                "program",
                "name",
                "trigger",
                "days_after_won",
                "subject_a",
                "subject_b",
                "body",
                "reminder_days",
                "quiet_days",
                "active",
            ],
        )
        widgets = {
            f"body_{code}": forms.Textarea(attrs={"rows": 4}) for code, _name in settings.LANGUAGES
        }

    def clean(self):
        data = super().clean() or {}
        if data.get("trigger") == Trigger.DAYS_AFTER_WON and not data.get("days_after_won"):
            self.add_error("days_after_won", _("Enter how many days after the win to ask."))
        return data


class CampaignCsvForm(forms.Form):
    file = forms.FileField(
        label=_("List of customers (CSV)"),
        help_text=_("A header row with an “email” column; optionally “language”."),
    )

# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from portal.accounts.roles import STAFF_GROUPS, Role

from .models import WebhookEvent


class EndpointForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    url = forms.CharField(label=_("URL"), max_length=500, help_text=_("Receives a POST per event."))
    events = forms.MultipleChoiceField(
        label=_("Events"), choices=WebhookEvent.choices, widget=forms.CheckboxSelectMultiple
    )
    include_contact_data = forms.BooleanField(
        label=_("Include lead contact data (name, e-mail, phone, company)"), required=False
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


def reviewers():
    return (
        get_user_model()
        .objects.filter(
            groups__name=STAFF_GROUPS[Role.REVIEWER],
            is_active=True,
            partner_organisation__isnull=True,
        )
        .order_by("email")
    )


class CrmIntegrationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    source = forms.SlugField(
        label=_("Source"),
        max_length=50,
        help_text=_("Part of the callback URL: /api/v1/crm/<source>/callbacks/"),
    )
    acting_user: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Acts as"),
        queryset=None,
        help_text=_("Callbacks change leads with this reviewer's rights, in their name."),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        acting_user = self.fields["acting_user"]
        assert isinstance(acting_user, forms.ModelChoiceField)
        acting_user.queryset = reviewers()
        if editing:
            del self.fields["source"]  # part of the CRM's configured URL: fixed

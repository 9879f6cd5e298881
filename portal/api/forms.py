# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What uses it, e.g. “CRM sync” or “my laptop”."),
    )


class IntegrationKeyForm(TokenForm):
    acting_user: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Acts as"),
        queryset=None,
        empty_label=None,
        help_text=_(
            "Requests with the key act as this member, with exactly their rights: a partner "
            "admin sees all the organisation's leads, a partner user only their own."
        ),
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        acting_user = self.fields["acting_user"]
        assert isinstance(acting_user, forms.ModelChoiceField)
        acting_user.queryset = candidates

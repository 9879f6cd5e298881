# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.accounts.forms import InvitationAcceptForm
from portal.accounts.models import PartnerOrganisation
from portal.leads.forms import LeadForm


class OutboundForm(LeadForm):
    """The prospect to pass to a reciprocal partner: the inbound lead's fields, plus the
    partner. The networks services validate and normalise them."""

    organisation = forms.ModelChoiceField(
        label=_("Send to"), queryset=PartnerOrganisation.objects.none(), empty_label=None
    )
    field_order = ["organisation", "program", "name", "email", "phone", "company", "notes"]

    def __init__(self, *args, partners=None, **kwargs):
        super().__init__(*args, **kwargs)
        organisation = self.fields["organisation"]
        assert isinstance(organisation, forms.ModelChoiceField)
        organisation.queryset = (
            partners if partners is not None else PartnerOrganisation.objects.none()
        )
        self.fields["notes"].help_text = _("What do they need? Why is this partner a good fit?")


class OutboundWonForm(forms.Form):
    deal_value = forms.DecimalField(label=_("Deal value"), max_digits=14, decimal_places=2)
    currency = forms.CharField(label=_("Currency"), max_length=3, initial="EUR")


class OutboundLostForm(forms.Form):
    reason = forms.CharField(label=_("Why was it lost?"), max_length=300)


class CustomerSignupForm(InvitationAcceptForm):
    """The customer's one step: the accounts invitation's fields (name, password twice);
    the last name is optional."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["last_name"].required = False


class PartnerApplicationForm(forms.Form):
    name = forms.CharField(label=_("Organisation name"), max_length=200)
    email_domain = forms.CharField(
        label=_("E-mail domain"),
        max_length=253,
        required=False,
        help_text=_("Your organisation's own domain, e.g. example.com."),
    )


class RecruitmentApplicationForm(forms.Form):
    company = forms.CharField(label=_("Company name"), max_length=200)
    email_domain = forms.CharField(
        label=_("E-mail domain"),
        max_length=253,
        required=False,
        help_text=_("Your organisation's own domain, e.g. example.com."),
    )
    contact_name = forms.CharField(label=_("Contact name"), max_length=200)
    contact_email = forms.EmailField(label=_("Contact e-mail"))

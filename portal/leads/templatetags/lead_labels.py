# SPDX-License-Identifier: AGPL-3.0-or-later
"""Words people read for a lead's stored codes: ``{% load lead_labels %}``,
``{{ event.to_state|lead_status }}``, ``{{ event.action|lead_action }}`` and a quality
flag's ``{{ flag.rule|lead_rule }}`` / ``{{ flag.action|rule_action }}``."""

from __future__ import annotations

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from portal.leads.models import LeadStatus, Program, RuleAction

register = template.Library()

ACTIONS = {
    "lead.submitted": _("Submitted"),
    "lead.start_review": _("Review started"),
    "lead.qualify": _("Qualified"),
    "lead.reject": _("Not accepted"),
    "lead.win": _("Deal won"),
    "lead.lose": _("Deal lost"),
    "lead.withdraw": _("Withdrawn"),
    "lead.deal_reversed": _("Deal reversed"),
    "lead.anonymised": _("Contact details erased"),
    "lead.conflict_resolved": _("Conflict decided"),
}


@register.filter
def lead_status(value: str) -> str:
    """The status's label ("In review"), or the value itself when it is not a status."""
    try:
        return str(LeadStatus(value).label)
    except ValueError:
        return value


@register.filter
def lead_action(value: str) -> str:
    """What an audit action on a lead means ("Deal won" for ``lead.win``)."""
    return str(ACTIONS.get(value, value))


@register.filter
def lead_rule(value: str) -> str:
    """A quality rule's name as the program settings call it ("Duplicate" for
    ``duplicate``), or the value itself."""
    try:
        field = Program._meta.get_field(f"rule_{value}")
    except FieldDoesNotExist:
        return value
    return str(capfirst(getattr(field, "verbose_name", value)))


@register.filter
def rule_action(value: str) -> str:
    """What a quality rule did ("Flag for review"), or the value itself."""
    try:
        return str(RuleAction(value).label)
    except ValueError:
        return value

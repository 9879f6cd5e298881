# SPDX-License-Identifier: AGPL-3.0-or-later
"""The insight page's filters, limited to what the viewer's scope holds."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from leaderboard.models import Profile
from portal.accounts.models import PartnerOrganisation, Team
from portal.leads.models import Program

from .selectors import InsightFilters, InsightScope

# One list of profiles: the contests' rule names them too (leaderboard.models.Profile).
PROFILE_LABELS = {p.value: p.label for p in Profile}

PERIODS = [
    ("30d", _("Last 30 days")),
    ("90d", _("Last 90 days")),
    ("month", _("This month")),
    ("quarter", _("This quarter")),
    ("year", _("This year")),
    ("all", _("All time")),
]


def period_bounds(period: str, today: date) -> tuple[date | None, date | None]:
    """First and last day (inclusive) of a named period ending today."""
    if period == "30d":
        return today - timedelta(days=29), today
    if period == "90d":
        return today - timedelta(days=89), today
    if period == "month":
        return today.replace(day=1), today
    if period == "quarter":
        return date(today.year, 3 * ((today.month - 1) // 3) + 1, 1), today
    if period == "year":
        return date(today.year, 1, 1), today
    return None, None


class PlainSelect(forms.Select):
    """A select that writes its options itself instead of rendering a template for each:
    the organisation filter lists every partner organisation, and one template render per
    option cost the page tens of milliseconds."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option["value"], mark_safe(" selected") if option["selected"] else "", label)
                for _, group, _ in widget["optgroups"]
                for option in group
                for label in [option["label"]]
            ),
        )
        return format_html(
            '<select name="{}"{}>{}</select>', widget["name"], flatatt(widget["attrs"]), options
        )


class InsightFilterForm(forms.Form):
    program = forms.ModelChoiceField(
        label=_("Program"), queryset=Program.objects.all(), required=False, widget=PlainSelect
    )
    organisation = forms.ModelChoiceField(
        label=_("Partner organisation"),
        queryset=PartnerOrganisation.objects.all(),
        required=False,
        widget=PlainSelect,
    )
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.all(), required=False, widget=PlainSelect
    )
    period = forms.ChoiceField(
        label=_("Period"), choices=PERIODS, required=False, widget=PlainSelect
    )
    profile = forms.ChoiceField(
        label=_("Referrer profile"),
        choices=[("", _("Any")), *PROFILE_LABELS.items()],
        required=False,
        widget=PlainSelect,
    )

    def __init__(self, *args, scope: InsightScope, **kwargs):
        super().__init__(*args, **kwargs)
        # Names only: an organisation's other fields (some encrypted) are not listed.
        organisations = PartnerOrganisation.objects.only("pk", "name").order_by("name")
        teams = Team.objects.order_by("name")
        if not scope.everything:
            if scope.organisation_id is not None:
                organisations = organisations.filter(pk=scope.organisation_id)
                teams = teams.none()
            else:
                organisations = organisations.none()
                teams = teams.filter(pk__in=scope.team_ids)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]

    def filters(self) -> InsightFilters:
        """The filters asked for; anything invalid (another team's id) is ignored."""
        data = self.cleaned_data if self.is_valid() else {}
        start, end = period_bounds(data.get("period") or "30d", timezone.localdate())
        return InsightFilters(
            program_id=data["program"].pk if data.get("program") else None,
            organisation_id=data["organisation"].pk if data.get("organisation") else None,
            team_id=data["team"].pk if data.get("team") else None,
            start=start,
            end=end,
        )

    @property
    def chosen_profile(self) -> str:
        return (self.cleaned_data.get("profile") or "") if self.is_valid() else ""

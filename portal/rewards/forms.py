# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import GoalMetric, GoalPeriod


class GoalForm(forms.Form):
    metric = forms.ChoiceField(label=_("What to count"), choices=GoalMetric.choices)
    period = forms.ChoiceField(label=_("Period"), choices=GoalPeriod.choices)
    target = forms.IntegerField(label=_("Target"), min_value=1, max_value=10000)


class TeamGoalForm(GoalForm):
    participant = forms.TypedChoiceField(label=_("Team member"), coerce=int, choices=())

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["participant"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(m.pk, m.display_name) for m in members]
        self.order_fields(["participant", "metric", "period", "target"])

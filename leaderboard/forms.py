# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class ShoutoutForm(forms.Form):
    about: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Who deserves it?"), queryset=None
    )
    message = forms.CharField(
        label=_("Message"), max_length=280, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, about_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        about = self.fields["about"]
        assert isinstance(about, forms.ModelChoiceField)
        about.queryset = about_choices


class TVScreenForm(forms.Form):
    name = forms.CharField(
        label=_("Screen name"), max_length=120, help_text=_("e.g. Helsinki office lobby")
    )
    boards = forms.MultipleChoiceField(
        label=_("Boards"),
        choices=(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The screen shows these boards in turn; you may pick only boards you see."),
    )
    rotate_seconds = forms.IntegerField(
        label=_("Seconds per board"), min_value=5, max_value=600, initial=20
    )

    def __init__(self, *args, board_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["boards"].choices = board_choices  # type: ignore[attr-defined]  # a ChoiceField

# SPDX-License-Identifier: AGPL-3.0-or-later
"""The inbox (grouped by kind) and the delivery preferences of the signed-in person."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .kinds import Channel, Group
from .selectors import inbox_groups, notification_preferences, notifications_for
from .services import PreferenceRefused, notification_preferences_set, notifications_mark_read


@login_required
def notification_list(request):
    group = request.GET.get("group", "")
    context: dict = {"active_nav": "notifications", "groups": Group}
    if group in Group.values:
        context["group"] = Group(group)
        context["page"] = Paginator(notifications_for(user=request.user, group=group), 30).get_page(
            request.GET.get("page")
        )
    else:
        context["inbox"] = inbox_groups(user=request.user)
    return render(request, "notifications/list.html", context)


@login_required
@require_POST
def notification_read_all(request):
    notifications_mark_read(user=request.user)
    return redirect("notifications:list")


class PreferencesForm(forms.Form):
    """One choice per kind offered to the person; "off" is not offered for required kinds."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for kind, channel in notification_preferences(user=user):
            choices = [c for c in Channel.choices if not (kind.required and c[0] == Channel.OFF)]
            self.fields[kind.code] = forms.ChoiceField(
                label=str(kind.label),
                choices=choices,
                initial=channel.value,
                widget=forms.RadioSelect,
            )
            self.rows.append((kind, self[kind.code]))


@login_required
def notification_preferences_edit(request):
    form = PreferencesForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            notification_preferences_set(user=request.user, choices=form.cleaned_data)
        except PreferenceRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Your notification settings are saved."))
            return redirect("notifications:preferences")
    return render(
        request,
        "notifications/preferences.html",
        {"form": form, "active_nav": "notifications"},
    )

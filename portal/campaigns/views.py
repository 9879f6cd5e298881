# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.accounts.decorators import role_required
from portal.accounts.roles import Role
from portal.core.csv import csv_writer

from .forms import CampaignCsvForm, CampaignForm
from .models import Campaign, Trigger
from .selectors import campaign_report, campaign_sends, campaigns_all
from .services import campaign_csv_upload, unsubscribe, unsubscribe_email_from


@role_required(Role.REVIEWER)
def campaign_list(request):
    return render(
        request,
        "campaigns/list.html",
        {"campaigns": campaigns_all(), "active_nav": "campaigns"},
    )


@role_required(Role.REVIEWER)
def campaign_edit(request, pk: int | None = None):
    campaign = get_object_or_404(Campaign, pk=pk) if pk else None
    form = CampaignForm(request.POST or None, instance=campaign)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        messages.success(request, _("Campaign saved."))
        return redirect("campaigns:report", saved.pk)
    return render(
        request,
        "campaigns/edit.html",
        {"form": form, "campaign": campaign, "active_nav": "campaigns"},
    )


@role_required(Role.REVIEWER)
def campaign_report_page(request, pk: int):
    campaign = get_object_or_404(Campaign.objects.select_related("program"), pk=pk)
    return render(
        request,
        "campaigns/report.html",
        {
            "campaign": campaign,
            "rows": campaign_report(campaign=campaign),
            "sends": campaign_sends(campaign=campaign)[:50],
            "upload_form": CampaignCsvForm() if campaign.trigger == Trigger.CSV else None,
            "active_nav": "campaigns",
        },
    )


@role_required(Role.REVIEWER)
@require_POST
def campaign_upload(request, pk: int):
    campaign = get_object_or_404(Campaign, pk=pk)
    form = CampaignCsvForm(request.POST, request.FILES)
    errors: list[str] = []
    if form.is_valid():
        try:
            result = campaign_csv_upload(
                campaign=campaign, data=form.cleaned_data["file"].read(), at=timezone.now()
            )
        except ValidationError as exc:
            errors = list(exc.messages)
        else:
            messages.success(
                request,
                _("%(sent)s asks sent, %(skipped)s skipped (asked already, quiet or unsubscribed).")
                % result,
            )
            return redirect("campaigns:report", campaign.pk)
    else:
        errors = [str(e) for e in form.errors.get("file", [])] or [_("Choose a CSV file.")]
    return render(
        request,
        "campaigns/report.html",
        {
            "campaign": campaign,
            "rows": campaign_report(campaign=campaign),
            "sends": campaign_sends(campaign=campaign)[:50],
            "upload_form": form,
            "upload_errors": errors,
            "active_nav": "campaigns",
        },
        status=400,
    )


@role_required(Role.REVIEWER)
def campaign_report_csv(request, pk: int):
    campaign = get_object_or_404(Campaign, pk=pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="campaign-{campaign.pk}.csv"'
    writer = csv_writer(response)
    writer.writerow(
        [_("Variant"), _("Subject"), _("Asks"), _("Reminders"), _("Referrals"), _("Per ask")]
    )
    for row in campaign_report(campaign=campaign):
        writer.writerow(
            [row.variant, row.subject, row.asks, row.reminders, row.referrals, row.per_ask]
        )
    return response


def unsubscribe_page(request, token: str):
    email = unsubscribe_email_from(token=token)
    if email is None:
        return render(request, "campaigns/unsubscribe.html", {"invalid": True}, status=400)
    done = False
    if request.method == "POST":
        unsubscribe(email=email)
        done = True
    return render(request, "campaigns/unsubscribe.html", {"email": email, "done": done})

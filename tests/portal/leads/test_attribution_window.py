# SPDX-License-Identifier: AGPL-3.0-or-later
"""The attribution window at its edge: one hour inside is a conflict, one hour outside is
not (a day either way would hide a window one day too short or too long)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.leads.models import Lead
from tests.factories import UserFactory, submit_lead


@pytest.mark.parametrize(
    ("age", "conflict"),
    [(timedelta(hours=-1), True), (timedelta(hours=1), False)],
    ids=["one-hour-inside", "one-hour-outside"],
)
def test_the_window_edge_to_the_hour(program, age, conflict):
    program.attribution_window_days = 30
    program.save()
    first = submit_lead(UserFactory(), program, email="ann@globex.example")
    Lead.objects.filter(pk=first.pk).update(submitted_at=timezone.now() - timedelta(days=30) - age)
    second = submit_lead(UserFactory(), program, email="ann@globex.example")
    assert second.conflict_with == (first if conflict else None)
    assert bool(second.flags) is conflict

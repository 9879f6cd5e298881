# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from portal.payouts.models import CommissionPlan, ProgramCommissionSettings


@pytest.fixture
def flat_plan(program):
    plan = CommissionPlan.objects.create(
        name="Flat 100", kind="flat", flat_amount=Decimal("100.00"), hold_days=30
    )
    ProgramCommissionSettings.objects.create(program=program, partner_plan=plan)
    return plan


@pytest.fixture
def percent_plan(program):
    plan = CommissionPlan.objects.create(
        name="Ten percent", kind="percent", percent=Decimal("10.00"), hold_days=0
    )
    ProgramCommissionSettings.objects.create(
        program=program, partner_plan=plan, employee_bonus=Decimal("250.00")
    )
    return plan


@pytest.fixture
def second_finance(db):
    from portal.accounts.roles import Role
    from tests.factories import UserFactory, enable_mfa, give_role

    return enable_mfa(give_role(UserFactory(), Role.FINANCE))


def approve_all():
    from portal.payouts.models import Commission

    Commission.objects.filter(status="pending").update(
        status="approved", approved_at=timezone.now()
    )

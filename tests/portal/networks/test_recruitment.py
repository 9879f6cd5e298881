# SPDX-License-Identifier: AGPL-3.0-or-later
"""Partners who recruit partners: the signed link, the application in review, the
reviewer's decision, and the recruiter's reward: earned once, reversed with its source,
never for self-recruitment or a second level."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client, override_settings
from django.urls import reverse

from portal.accounts.models import PartnerOrganisation
from portal.audit.models import AuditEvent
from portal.leads.services import lead_qualify, lead_reject
from portal.networks.models import PartnerRecruitment
from portal.networks.recruitment import (
    recruitment_apply,
    recruitment_decide,
    recruitment_percent_reward,
    recruitment_reward_reverse,
    recruitment_token,
)
from portal.payouts.models import Commission, CommissionPlan, ProgramCommissionSettings
from tests.factories import PartnerUserFactory, submit_lead


@pytest.fixture
def flat_plan(program):
    plan = CommissionPlan.objects.create(
        name="Flat 100", kind="flat", flat_amount=Decimal("100.00"), hold_days=30
    )
    ProgramCommissionSettings.objects.create(program=program, partner_plan=plan)
    return plan


def _apply(token, company="Beta Ltd", email="ann@beta.example", domain="beta.example"):
    return recruitment_apply(
        token=token,
        company=company,
        email_domain=domain,
        contact_name="Ann Beta",
        contact_email=email,
    )


@pytest.fixture
def recruited(partner_admin, reviewer):
    """Beta, recruited by Acme and approved."""
    found = _apply(recruitment_token(actor=partner_admin))
    return recruitment_decide(actor=reviewer, recruitment=found, approve=True)


def _rewards(org):
    return Commission.objects.filter(payee_org=org, event="recruitment")


def test_application_puts_the_recruit_in_review_and_approval_activates_it(partner_admin, reviewer):
    found = _apply(recruitment_token(actor=partner_admin))
    assert found.organisation.status == PartnerOrganisation.Status.IN_REVIEW
    assert found.recruited_by == partner_admin.partner_organisation
    told = reviewer.notifications.get(kind="partner_application")
    assert "recruitment link of Acme Partners" in told.body
    recruitment_decide(actor=reviewer, recruitment=found, approve=True)
    found.organisation.refresh_from_db()
    assert found.organisation.status == PartnerOrganisation.Status.ACTIVE
    assert AuditEvent.objects.filter(action="organisation.status_changed").exists()
    assert partner_admin.notifications.filter(kind="partner_recruitment").exists()


def test_decline_keeps_the_organisation_out_and_is_decided_once(partner_admin, reviewer):
    found = _apply(recruitment_token(actor=partner_admin))
    recruitment_decide(actor=reviewer, recruitment=found, approve=False)
    found.organisation.refresh_from_db()
    assert not found.organisation.is_active
    with pytest.raises(ValidationError):
        recruitment_decide(actor=reviewer, recruitment=found, approve=True)
    found.organisation.refresh_from_db()
    assert not found.organisation.is_active


@override_settings(RECRUITMENT_REWARD_KIND="percent", RECRUITMENT_REWARD_PERCENT="10")
def test_percent_reward_is_earned_once_and_labelled(recruited, reviewer, program, flat_plan):
    member = PartnerUserFactory(partner_organisation=recruited.organisation)
    lead_qualify(lead=submit_lead(member, program), actor=reviewer)
    underlying = Commission.objects.get(payee_org=recruited.organisation)
    reward = _rewards(recruited.recruited_by).get()
    assert (reward.amount, reward.currency, reward.source) == (
        Decimal("10.00"),
        "EUR",
        f"recruit:{underlying.pk}",
    )
    assert reward.basis == "Recruitment reward: Beta Ltd"
    # The handler run again earns nothing more.
    assert recruitment_percent_reward(commission_id=underlying.pk) is None
    assert _rewards(recruited.recruited_by).count() == 1


@override_settings(RECRUITMENT_REWARD_KIND="percent", RECRUITMENT_REWARD_MONTHS=1)
def test_no_reward_after_the_months(recruited, reviewer, program, flat_plan):
    PartnerRecruitment.objects.filter(pk=recruited.pk).update(
        decided_at=recruited.decided_at - timedelta(days=32)
    )
    member = PartnerUserFactory(partner_organisation=recruited.organisation)
    lead_qualify(lead=submit_lead(member, program), actor=reviewer)
    assert Commission.objects.filter(payee_org=recruited.organisation).count() == 1
    assert not _rewards(recruited.recruited_by).exists()


@override_settings(RECRUITMENT_REWARD_KIND="percent")
def test_reward_is_reversed_with_its_source_once(recruited, reviewer, program, flat_plan):
    member = PartnerUserFactory(partner_organisation=recruited.organisation)
    lead = submit_lead(member, program)
    lead_qualify(lead=lead, actor=reviewer)
    underlying = Commission.objects.get(payee_org=recruited.organisation)
    lead_reject(lead=lead, actor=reviewer, reason="invalid")
    reward = _rewards(recruited.recruited_by).get()
    assert reward.status == "cancelled"
    assert recruitment_reward_reverse(commission_id=underlying.pk) is None  # once
    assert _rewards(recruited.recruited_by).get().status == "cancelled"


def test_flat_reward_once_on_approval(partner_admin, reviewer, program, flat_plan, settings):
    from portal.networks.recruitment import recruitment_flat_reward

    settings.RECRUITMENT_REWARD_KIND = "flat"
    settings.RECRUITMENT_REWARD_AMOUNT = "250.00"
    settings.RECRUITMENT_REWARD_CURRENCY = "EUR"
    found = _apply(recruitment_token(actor=partner_admin))
    assert not _rewards(partner_admin.partner_organisation).exists()  # not before approval
    recruited = recruitment_decide(actor=reviewer, recruitment=found, approve=True)
    reward = _rewards(recruited.recruited_by).get()
    assert reward.amount == Decimal("250.00")
    assert recruitment_flat_reward(recruitment_id=recruited.pk) is None
    member = PartnerUserFactory(partner_organisation=recruited.organisation)
    lead_qualify(lead=submit_lead(member, program), actor=reviewer)
    assert _rewards(recruited.recruited_by).count() == 1  # no percentage on top


@pytest.mark.parametrize(
    ("email", "domain"),
    [
        ("bob@acme.example", "beta.example"),  # the recruiter's own domain
        ("bob@beta.example", "acme.example"),
        ("someone@partners.example", "beta.example"),  # a member's e-mail domain
    ],
)
def test_self_recruitment_is_refused_and_nothing_saved(partner_admin, email, domain):
    token = recruitment_token(actor=partner_admin)
    before = PartnerOrganisation.objects.count()
    with pytest.raises(ValidationError, match="cannot recruit itself"):
        _apply(token, email=email, domain=domain)
    assert PartnerOrganisation.objects.count() == before
    assert not PartnerRecruitment.objects.exists()


def test_an_existing_member_cannot_be_recruited(partner_admin, other_partner_admin):
    with pytest.raises(ValidationError):
        _apply(recruitment_token(actor=partner_admin), email=other_partner_admin.email)
    assert not PartnerRecruitment.objects.exists()


@override_settings(RECRUITMENT_REWARD_KIND="percent")
def test_second_level_chain_is_refused_and_pays_nothing(
    recruited, partner_admin, reviewer, program, flat_plan
):
    beta_admin = PartnerUserFactory(
        partner_organisation=recruited.organisation,
        is_partner_admin=True,
        email="ann@beta.example",
    )
    with pytest.raises(PermissionDenied):
        recruitment_token(actor=beta_admin)
    # A link Beta obtained before (or forged by reusing Acme's signer) is refused too.
    from django.core import signing

    forged = signing.dumps({"org": recruited.organisation.pk}, salt="networks.recruitment")
    before = PartnerOrganisation.objects.count()
    with pytest.raises(PermissionDenied):
        _apply(forged, company="Gamma Ltd", email="g@gamma.example", domain="gamma.example")
    assert PartnerOrganisation.objects.count() == before
    assert not Commission.objects.filter(payee_org=recruited.organisation, event="recruitment")


def test_only_partner_admins_get_links(partner_user, employee, reviewer):
    for person in (partner_user, employee, reviewer):
        with pytest.raises(PermissionDenied):
            recruitment_token(actor=person)


def test_only_reviewers_decide(partner_admin, finance):
    found = _apply(recruitment_token(actor=partner_admin))
    for person in (partner_admin, finance):
        with pytest.raises(PermissionDenied):
            recruitment_decide(actor=person, recruitment=found, approve=True)
    found.refresh_from_db()
    assert found.decision == "pending"
    assert found.organisation.status == PartnerOrganisation.Status.IN_REVIEW


def test_tampered_token_is_refused_by_page_and_service(partner_admin, client):
    token = recruitment_token(actor=partner_admin)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    response = client.get(reverse("networks:recruitment_apply", args=[tampered]))
    assert response.status_code == 404
    response = client.post(
        reverse("networks:recruitment_apply", args=[tampered]),
        {"company": "Beta Ltd", "contact_name": "Ann", "contact_email": "ann@beta.example"},
    )
    assert response.status_code == 404
    with pytest.raises(PermissionDenied):
        _apply(tampered)
    assert not PartnerRecruitment.objects.exists()


def test_pages_link_apply_review(partner_admin, reviewer, partner_user):
    admin_client, user_client, reviewer_client = Client(), Client(), Client()
    admin_client.force_login(partner_admin)
    user_client.force_login(partner_user)
    reviewer_client.force_login(reviewer)
    recruit_url = reverse("networks:recruitment_link")
    assert recruit_url in admin_client.get(reverse("networks:outbound_list")).content.decode()
    assert recruit_url not in user_client.get(reverse("networks:outbound_list")).content.decode()
    page = admin_client.get(recruit_url)
    assert page.status_code == 200
    assert user_client.get(reverse("networks:recruitment_link")).status_code in (302, 403)
    token = recruitment_token(actor=partner_admin)
    assert token in page.content.decode()
    anonymous = Client()
    response = anonymous.post(
        reverse("networks:recruitment_apply", args=[token]),
        {
            "company": "Beta Ltd",
            "email_domain": "beta.example",
            "contact_name": "Ann Beta",
            "contact_email": "ann@beta.example",
        },
    )
    assert response.status_code == 200
    found = PartnerRecruitment.objects.get()
    # A partner admin cannot decide, nothing changes.
    decide = reverse("networks:recruitment_decide", args=[found.pk, "approve"])
    assert admin_client.post(decide).status_code in (302, 403, 404)
    found.refresh_from_db()
    assert found.decision == "pending"
    assert reviewer_client.get(reverse("networks:recruitment_list")).status_code == 200
    assert reviewer_client.post(decide).status_code == 302
    found.refresh_from_db()
    assert found.decision == "approved"


def test_demo_has_a_partner_recruited_by_acme_earning_acme_a_reward(db):
    from django.core.management import call_command

    call_command("seed_demo")
    found = PartnerRecruitment.objects.get(organisation__name="Baltic Bridge Partners")
    assert found.recruited_by.name == "Acme Partners"
    assert found.organisation.is_active
    reward = Commission.objects.get(payee_org=found.recruited_by, event="recruitment")
    assert reward.basis == "Recruitment reward: Baltic Bridge Partners"
    assert reward.amount == Decimal("120.00")  # 10% of the recruit's 1,200.00 commission
    call_command("seed_demo")
    assert Commission.objects.filter(payee_org=found.recruited_by, event="recruitment").count() == 1


@override_settings(
    RECRUITMENT_REWARD_KIND="percent", RECRUITMENT_REWARD_PERCENT="10", PAYOUT_MINIMUM="1.00"
)
def test_a_paid_recruitment_reward_is_clawed_back_when_its_source_is_reversed(
    client, recruited, reviewer, finance, partner_admin, program, flat_plan
):
    """Commission earned → recruitment reward → both paid in a batch → the recruit's lead
    rejected: the recruit's commission and the recruiter's reward each get a clawback,
    audited and shown on the recruiter's statement."""
    from django.utils import timezone

    from portal.accounts.roles import Role
    from portal.payouts.batches import (
        payout_batch_approve,
        payout_batch_build,
        payout_batch_mark_paid,
        payout_batch_start,
    )
    from portal.payouts.selectors import statement_for
    from portal.payouts.services import commission_approve
    from tests.factories import UserFactory, enable_mfa, give_role

    member = PartnerUserFactory(partner_organisation=recruited.organisation)
    lead = submit_lead(member, program)
    lead_qualify(lead=lead, actor=reviewer)
    underlying = Commission.objects.get(payee_org=recruited.organisation)
    reward = _rewards(recruited.recruited_by).get()
    assert (reward.amount, reward.status) == (Decimal("10.00"), "approved")
    commission_approve(actor=finance, commission=underlying)
    second = enable_mfa(give_role(UserFactory(), Role.FINANCE))
    batch = payout_batch_start(
        actor=finance, kind="partners", currency="EUR", cutoff=timezone.localdate()
    )
    batch = payout_batch_build(batch_id=batch.pk)
    payout_batch_mark_paid(actor=finance, batch=payout_batch_approve(actor=second, batch=batch))
    reward.refresh_from_db()
    underlying.refresh_from_db()
    assert (reward.status, underlying.status) == ("paid", "paid")

    lead_reject(lead=lead, actor=reviewer, reason="invalid")

    claw = Commission.objects.get(reverses=reward)
    assert (claw.event, claw.amount, claw.currency, claw.status) == (
        "clawback",
        Decimal("-10.00"),
        "EUR",
        "approved",
    )
    assert claw.payee_org == recruited.recruited_by and claw.lead is None
    assert Commission.objects.get(reverses=underlying).amount == Decimal("-100.00")
    reward.refresh_from_db()
    assert reward.status == "paid"  # nothing paid is edited away
    audit = AuditEvent.objects.get(action="commission.clawback", target_id=str(claw.pk))
    assert audit.data == {"reverses": reward.pk, "amount": "-10.00"}
    # Once: the handler run again claws back nothing more.
    assert recruitment_reward_reverse(commission_id=underlying.pk) is None
    assert (
        Commission.objects.filter(event="clawback", payee_org=recruited.recruited_by).count() == 1
    )
    # The recruiter's statement shows the clawback and owes it back.
    today = timezone.localdate()
    statement = statement_for(organisation=recruited.recruited_by, month=today.replace(day=1))
    assert (statement.earned, statement.clawed_back, statement.paid, statement.closing) == (
        Decimal("10.00"),
        Decimal("-10.00"),
        Decimal("10.00"),
        Decimal("-10.00"),
    )
    client.force_login(partner_admin)
    page = client.get(reverse("payouts:statement", args=[today.year, today.month]))
    assert f"Clawback of commission #{reward.pk}" in page.content.decode()

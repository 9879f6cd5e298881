# SPDX-License-Identifier: AGPL-3.0-or-later
"""Demo data for the embedded default. Idempotent: run it as often as you like."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import translation

from portal.accounts.models import PartnerOrganisation, Team, User
from portal.accounts.roles import STAFF_GROUPS, Role, ensure_role_groups
from portal.demo_texts import row_translate

PROGRAM_TEXTS = [
    "name",
    "description",
    "pitch",
    "landing_headline",
    "welcome_offer",
    "consent_text",
]

DEMO_PASSWORD = "vouch-demo"  # noqa: S105 - documented demo credential

# email, first name, last name, role
DEMO_USERS = [
    ("employee@demo.vouch.test", "Emma", "Employee", Role.EMPLOYEE),
    ("manager@demo.vouch.test", "Mikko", "Manager", Role.MANAGER),
    ("reviewer@demo.vouch.test", "Rita", "Reviewer", Role.REVIEWER),
    ("finance@demo.vouch.test", "Fabio", "Finance", Role.FINANCE),
    # A second finance user: batches need four eyes (the builder never approves).
    ("finance2@demo.vouch.test", "Fiona", "Finance", Role.FINANCE),
    ("partner-admin@acme.example", "Paula", "Admin", Role.PARTNER_ADMIN),
    ("partner@acme.example", "Pete", "Partner", Role.PARTNER_USER),
]


class Command(BaseCommand):
    help = "Create (or refresh) the demo organisation, team and logins. Password: vouch-demo."

    def handle(self, *args, **options) -> None:
        # The demo's rows are written in English, the default language; their
        # translations are added to them (portal.demo_texts).
        with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
            self._seed()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {len(DEMO_USERS)} logins, password '{DEMO_PASSWORD}'."
            )
        )

    def _seed(self) -> None:
        ensure_role_groups()
        acme, _ = PartnerOrganisation.objects.update_or_create(
            name="Acme Partners", defaults={"email_domain": "acme.example", "status": "active"}
        )
        team, _ = Team.objects.get_or_create(name="Sales North")
        for email, first, last, role in DEMO_USERS:
            is_partner = role in {Role.PARTNER_ADMIN, Role.PARTNER_USER}
            user, created = User.objects.get_or_create(email=email)
            user.first_name, user.last_name = first, last
            user.is_active = True
            user.partner_organisation = acme if is_partner else None
            user.is_partner_admin = role == Role.PARTNER_ADMIN
            user.team = None if is_partner or role != Role.EMPLOYEE else team
            if created or not user.check_password(DEMO_PASSWORD):
                user.set_password(DEMO_PASSWORD)
            user.save()
            if role in STAFF_GROUPS:
                user.groups.set([Group.objects.get(name=STAFF_GROUPS[role])])
            else:
                user.groups.clear()
            # Demo logins skip the e-mail verification step.
            EmailAddress.objects.update_or_create(
                user=user, email=email, defaults={"verified": True, "primary": True}
            )
            if role == Role.MANAGER:
                team.managers.set([user])
        self._seed_leads()
        self._seed_content()

    def _seed_content(self) -> None:
        """The program's site: home, programs, guides, FAQ, news, catalog, agreement."""
        from cms.demo_content import demo_agreements_accept, site_tree_ensure

        site_tree_ensure()
        demo_agreements_accept(User.objects.filter(email__endswith="@acme.example"))

    def _seed_leads(self) -> None:
        """Two programs and leads in every state, made through the real services."""
        from datetime import timedelta
        from decimal import Decimal

        from django.utils import timezone

        from portal.audit.selectors import audit_events_for
        from portal.events.models import Event
        from portal.events.services import events_drain
        from portal.leads import services as leads
        from portal.leads.models import Audience, Lead, Program
        from portal.leads.referrals import referral_link_for

        today = timezone.localdate()
        customers, _ = Program.objects.get_or_create(
            slug="customer-referrals",
            defaults={
                "name": "Customer referrals",
                "audience": Audience.BOTH,
                "starts_on": today - timedelta(days=120),
                "description": "Introduce companies that could use our platform. Qualified "
                "introductions earn points; won deals earn more, and partners a commission.",
                "pitch": "We help growing teams run their operations on one platform. Tell us "
                "what you need and a specialist will call you — no obligation.",
            },
        )
        if not customers.brand_colour:  # the referral landing in the program's own look
            customers.landing_headline = "One platform for the way your team works"
            customers.brand_colour = "#0b5cab"
            customers.save(
                update_fields=["landing_headline", "landing_headline_en", "brand_colour"]
            )
        row_translate(customers, PROGRAM_TEXTS)
        resellers, _ = Program.objects.get_or_create(
            slug="reseller-deals",
            defaults={
                "name": "Reseller deal registration",
                "audience": Audience.PARTNERS,
                "starts_on": today - timedelta(days=200),
                "attribution_window_days": 180,
                "description": "Register the deals you bring so they are protected for 180 days.",
            },
        )
        row_translate(resellers, PROGRAM_TEXTS)
        employee = User.objects.get(email="employee@demo.vouch.test")
        partner = User.objects.get(email="partner@acme.example")
        reviewer = User.objects.get(email="reviewer@demo.vouch.test")
        self._seed_rewards_catalog(customers)
        self._seed_commission_plans(customers)
        referral_link_for(user=employee)
        referral_link_for(user=partner)
        self._seed_network(customers, employee)
        self._seed_recruitment(customers, reviewer)
        if Lead.objects.filter(referrer__in=[employee, partner]).exists():
            return  # already seeded: leave the demo's history as it is

        def submit(referrer, name, email, company, days_ago, phone=""):
            lead = leads.lead_submit(
                referrer=referrer,
                program=customers,
                data={
                    "name": name,
                    "email": email,
                    "phone": phone,
                    "company": company,
                    "notes": "Met at the spring trade fair; they are replacing spreadsheets.",
                    "consent": True,
                },
            )
            when = timezone.now() - timedelta(days=days_ago)
            Lead.objects.filter(pk=lead.pk).update(submitted_at=when, status_changed_at=when)
            audit_events_for(target=lead).update(created_at=when)
            # Handled below (events_drain): its points are dated by the event, so they fall
            # in the submission's month like the lead (on the 1st, not all in the new one).
            Event.objects.filter(name="lead.submitted", aggregate=f"lead:{lead.pk}").update(
                occurred_at=when, created_at=when
            )
            lead.refresh_from_db()
            return lead

        submit(
            employee,
            "Sofia Virtanen",
            "sofia@northwind.example",
            "Northwind Oy",
            1,
            "+358 40 123 4567",
        )
        lead = submit(employee, "Marco Rossi", "marco@bellavista.example", "Bellavista Srl", 6)
        leads.lead_start_review(lead=lead, actor=reviewer)
        lead = submit(employee, "Anna Bērziņa", "anna@dzintars.example", "Dzintars SIA", 12)
        leads.lead_qualify(lead=lead, actor=reviewer, note="Good fit: 40 seats, budget approved.")
        lead = submit(partner, "Ivan Petrov", "ivan@volga-logistics.example", "Volga Logistics", 30)
        leads.lead_qualify(lead=lead, actor=reviewer)
        leads.lead_mark_won(
            lead=lead, actor=reviewer, deal_value=Decimal("24000.00"), currency="EUR"
        )
        lead = submit(partner, "Maria Santos", "maria@pasig-foods.example", "Pasig Foods", 40)
        leads.lead_start_review(lead=lead, actor=reviewer)
        leads.lead_mark_lost(
            lead=lead, actor=reviewer, reason="They chose to stay with their current vendor."
        )
        lead = submit(partner, "Tom Acme", "tom@acme.example", "Acme Partners", 3)  # self-referral
        lead = submit(employee, "Liisa Korhonen", "liisa@hame.example", "Häme Foods", 2)
        leads.lead_withdraw(lead=lead, actor=employee, note="Entered by mistake.")
        lead = submit(
            partner, "Sofia Virtanen", "Sofia@Northwind.example", "Northwind", 0
        )  # conflict
        for name, company, days in [
            ("Kai Lindqvist", "Lindqvist Bygg", 20),
            ("Elena Greco", "Greco Design", 15),
            ("Juris Ozols", "Ozols Logistics", 9),
        ]:
            email = f"{name.split()[0].lower()}@{company.split()[0].lower()}.example"
            lead = submit(employee, name, email, company, days)
            leads.lead_qualify(lead=lead, actor=reviewer)
        # One transaction: what follows the lead events (points, commissions, boards)
        # is handled here rather than after the commit, so the next steps can use it.
        events_drain()
        self._seed_rewards_activity(employee, partner, reviewer)
        self._seed_payouts(submit, employee, partner, reviewer)
        events_drain()
        # Visits to Pete's referral link, and the leads that came through it (the
        # partner dashboard's link figures).
        from portal.leads.models import LinkVisit

        link = referral_link_for(user=partner)
        for n in range(16):
            LinkVisit.objects.get_or_create(
                link=link, day=timezone.localdate() - timedelta(days=n % 11), visitor=f"demo-{n}"
            )
        Lead.objects.filter(referrer=partner, name__in=["Ivan Petrov", "Nina Kask"]).update(
            referral_link=link
        )
        self._seed_boards(employee, reviewer)
        self._seed_campaign(customers, partner)

    def _seed_network(self, program, employee) -> None:
        """Acme is a reciprocal partner (five leads a quarter each way, in agreement
        version 1): a quarter and a half of leads the company sent them, worked by Acme."""
        from datetime import timedelta
        from decimal import Decimal

        from django.utils import timezone

        from portal.audit.selectors import audit_events_for
        from portal.networks import services as networks
        from portal.networks.models import OutboundLead, ProgramNetworkOptions, ReciprocalTerms
        from portal.networks.periods import period_containing, period_shift

        acme = PartnerOrganisation.objects.get(name="Acme Partners")
        admin = User.objects.get(email="partner-admin@acme.example")
        previous = period_shift(
            span=period_containing(kind="quarter", moment=timezone.now()), by=-1
        )
        ReciprocalTerms.objects.get_or_create(
            organisation=acme,
            agreement_version=1,
            defaults={
                "valid_from": timezone.localtime(previous.start).date(),
                "period": "quarter",
                "quota_sent": 5,
                "quota_received": 4,
            },
        )
        ProgramNetworkOptions.objects.get_or_create(
            program=program,
            defaults={
                "outbound_points_sent": 10,
                "outbound_points_won": 50,
                "invite_won_customers": True,
            },
        )
        if OutboundLead.objects.filter(organisation=acme).exists():
            return
        # (name, company, days ago, what Acme did with it)
        for name, company, days, outcome in [
            ("Oskar Nieminen", "Nieminen Logistics", 120, "won"),
            ("Greta Lind", "Lind & Co", 100, "lost"),
            ("Paolo Ferri", "Ferri Costruzioni", 95, "won"),
            ("Ilze Kalnina", "Kalnina Studio", 70, "accepted"),
            ("Jonas Berg", "Berg Marine", 45, "won"),
            ("Rosa Reyes", "Reyes Trading", 20, "accepted"),
            ("Mika Salo", "Salo Retail", 6, "sent"),
        ]:
            slug = company.split()[0].lower()
            outbound = networks.outbound_send(
                sender=employee,
                organisation=acme,
                program=program,
                data={
                    "name": name,
                    "email": f"{name.split()[0].lower()}@{slug}.example",
                    "company": company,
                    "notes": "Asked for a reseller near them; Acme covers their region.",
                    "consent": True,
                },
            )
            if outcome in ("accepted", "won"):
                networks.outbound_accept(outbound=outbound, actor=admin)
            if outcome == "won":
                networks.outbound_mark_won(
                    outbound=outbound, actor=admin, deal_value=Decimal("8000.00"), currency="EUR"
                )
            if outcome == "lost":
                networks.outbound_mark_lost(
                    outbound=outbound, actor=admin, reason="They postponed the project."
                )
            when = timezone.now() - timedelta(days=days)
            OutboundLead.objects.filter(pk=outbound.pk).update(sent_at=when, consent_at=when)
            audit_events_for(target=outbound).update(created_at=when)

    def _seed_recruitment(self, program, reviewer) -> None:
        """Acme recruited Baltic Bridge Partners through its recruitment link; a reviewer
        approved it, and its first won deal's commission earns Acme a recruitment reward
        (a percentage of the recruit's commissions, RECRUITMENT_REWARD_KIND)."""
        from allauth.account.models import EmailAddress

        from portal.events.services import events_drain
        from portal.leads import services as leads
        from portal.networks import recruitment
        from portal.networks.models import PartnerRecruitment

        if PartnerRecruitment.objects.filter(organisation__name="Baltic Bridge Partners").exists():
            return
        admin = User.objects.get(email="partner-admin@acme.example")
        found = recruitment.recruitment_apply(
            token=recruitment.recruitment_token(actor=admin),
            company="Baltic Bridge Partners",
            email_domain="balticbridge.example",
            contact_name="Liga Ozola",
            contact_email="liga@balticbridge.example",
        )
        found = recruitment.recruitment_decide(actor=reviewer, recruitment=found, approve=True)
        member = User.objects.create_user(
            email="liga@balticbridge.example",
            password=DEMO_PASSWORD,
            first_name="Liga",
            last_name="Ozola",
            partner_organisation=found.organisation,
            is_partner_admin=True,
        )
        EmailAddress.objects.create(user=member, email=member.email, verified=True, primary=True)
        lead = leads.lead_submit(
            referrer=member,
            program=program,
            data={
                "name": "Janis Kalnins",
                "email": "janis@rigaport.example",
                "company": "Riga Port Logistics",
                "consent": True,
            },
        )
        leads.lead_qualify(lead=lead, actor=reviewer)
        leads.lead_mark_won(lead=lead, actor=reviewer, deal_value="12000.00", currency="EUR")
        events_drain()

    def _seed_contest_formats(self, now) -> None:
        """One contest of each other format: a pot, steps, individual goals, team vs team."""
        from datetime import timedelta
        from decimal import Decimal

        from leaderboard.models import Contest, ContestGoal

        common = {"starts_at": now - timedelta(days=20), "ends_at": now + timedelta(days=10)}
        pot = Contest.objects.create(
            name="Deal pot",
            description="Ten percent of the value of every deal won goes into the pot.",
            metric="won",
            eligibility="everyone",
            format="pot",
            pot_percent=Decimal("10"),
            pot_currency="EUR",
            pot_shares="50,30,20",
            prizes="",
            **common,
        )
        row_translate(pot, ["name", "description"])
        steps = Contest.objects.create(
            name="Points ladder",
            description="Everyone who climbs to a step wins its prize.",
            metric="points",
            eligibility="employees",
            format="steps",
            prizes="100: 50 points\n300: 150 points\n600: 100 EUR bonus",
            **common,
        )
        row_translate(steps, ["name", "description", "prizes"])
        goals = Contest.objects.create(
            name="Personal best",
            description="Reach your own target of qualified referrals.",
            metric="qualified",
            eligibility="employees",
            format="goals",
            goal_target=3,
            prizes="200 points",
            **common,
        )
        row_translate(goals, ["name", "description", "prizes"])
        aino = User.objects.filter(email__startswith="aino.").first()
        if aino is not None:
            ContestGoal.objects.get_or_create(
                contest=goals, participant=aino, defaults={"target": 5}
            )
        north = Team.objects.get(name="Sales North")
        south, _created = Team.objects.get_or_create(name="Sales South")
        from portal.rewards.services import ledger_add

        for email, points in (
            ("olga.smirnova@demo.vouch.test", 300),
            ("jose.reyes@demo.vouch.test", 250),
            ("marta.ferri@demo.vouch.test", 150),
        ):
            User.objects.filter(email=email).update(team=south)
            if member := User.objects.filter(email=email).first():
                ledger_add(
                    participant=member, amount=points, event="adjustment", reason="Demo activity"
                )
        teams = Contest.objects.create(
            name="North vs South",
            description="Each team's best three members count.",
            metric="points",
            eligibility="employees",
            format="teams",
            team_top_n=3,
            prizes="300 points\n100 points",
            **common,
        )
        row_translate(teams, ["name", "description", "prizes"])
        assert north.pk != south.pk
        # Personal goals: Emma's own, and one her manager set.
        from portal.rewards.goals import goal_set

        employee = User.objects.get(email="employee@demo.vouch.test")
        manager = User.objects.get(email="manager@demo.vouch.test")
        goal_set(actor=employee, participant=employee, metric="referrals", period="month", target=6)
        goal_set(
            actor=manager, participant=employee, metric="qualified", period="quarter", target=4
        )

    def _seed_fraud_case(self) -> None:
        """An open fraud case: a referral link submission seconds after the visit, from a
        headless browser."""
        from portal.leads.models import Program
        from portal.leads.services import lead_submit

        partner = User.objects.get(email="partner@acme.example")
        program = Program.objects.filter(is_enabled=True).order_by("pk").first()
        if program is None:
            return
        # The client print travels in the lead's event; fraud review keeps it and opens
        # the case.
        lead_submit(
            referrer=partner,
            program=program,
            data={
                "name": "Quick Bot",
                "email": "quick.bot@mailinator.example",
                "company": "Quickbot Trading",
                "consent": True,
            },
            source="link",
            client_print={
                "address": "demo-address",
                "network": "demo-network",
                "device": "demo-device",
                "user_agent": "Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/120.0",
                "seconds_after_visit": 1,
            },
        )

    def _seed_campaign(self, program, partner) -> None:
        """A running campaign with two subjects: won customers were asked over the past
        weeks; Acme's partner was asked before referring again, so the report shows
        referrals per ask."""
        from datetime import timedelta

        from django.utils import timezone

        from portal.campaigns.models import Campaign, Trigger
        from portal.campaigns.services import campaign_ask
        from portal.leads.models import Lead, LeadStatus

        campaign, created = Campaign.objects.get_or_create(
            name_en="Ask after the win",
            defaults={
                "program": program,
                "trigger": Trigger.WON,
                "subject_a_en": "Know someone who would like the same?",
                "subject_b_en": "A quick favour?",
                "body_en": "Thank you for choosing us! If you know a company wrestling with the "
                "same problems, refer them to us — it takes a minute.",
                "reminder_days": 7,
                "quiet_days": 30,
                "created_at": timezone.now() - timedelta(days=60),
            },
        )
        row_translate(campaign, ["name", "subject_a", "subject_b", "body"])
        if not created:
            return
        now = timezone.now()
        won = Lead.objects.filter(program=program, status=LeadStatus.WON).exclude(email="")
        for days, lead in enumerate(won.order_by("pk")[:6], start=3):
            campaign_ask(
                campaign=campaign,
                email=lead.email,
                trigger_key=f"lead:{lead.pk}",
                at=now - timedelta(days=days * 4),
                language=lead.language,
            )
        campaign_ask(
            campaign=campaign, email=partner.email, trigger_key="demo", at=now - timedelta(days=45)
        )

    def _seed_rewards_catalog(self, program) -> None:
        from portal.rewards.models import Milestone, RewardItem, Tier

        for name, threshold, multiplier, perks in [
            ("Bronze", 0, "1.00", "Welcome to the program."),
            ("Silver", 200, "1.10", "10% higher commissions; access to experiences."),
            ("Gold", 500, "1.25", "25% higher commissions; premium rewards."),
            ("Platinum", 1000, "1.50", "50% higher commissions; the best rewards."),
        ]:
            tier, _ = Tier.objects.get_or_create(
                program=program,
                name=name,
                defaults={
                    "threshold": threshold,
                    "commission_multiplier": multiplier,
                    "perks": perks,
                },
            )
            row_translate(tier, ["name", "perks"])
        gold = Tier.objects.get(program=program, name="Gold")
        catalog = [
            ("Coffee gift card 10 €", "gift_card", 80, None, "A thank-you coffee on us."),
            ("Vouch hoodie", "swag", 150, 25, "Soft, warm, and it says you vouch."),
            (
                "Charity donation 25 €",
                "donation",
                120,
                None,
                "We give to the charity the team picks each quarter.",
            ),
            ("Extra day off", "day_off", 600, 10, "A day for yourself, agreed with your manager."),
            (
                "Dinner for two",
                "experience",
                450,
                5,
                "At a restaurant of your choice, up to 120 €.",
            ),
            ("Spa weekend", "experience", 900, 2, "Two nights for two. Gold tier and above."),
        ]
        for name, kind, price, stock, description in catalog:
            item, created = RewardItem.objects.get_or_create(
                name=name,
                defaults={
                    "kind": kind,
                    "points_price": price,
                    "stock": stock,
                    "description": description,
                },
            )
            row_translate(item, ["name", "description"])
            if created and name == "Spa weekend":
                item.eligible_tiers.add(gold)
        for count, reward in [(3, "Coffee gift card 10 €"), (5, "Dinner for two")]:
            Milestone.objects.get_or_create(
                program=program,
                qualified_count=count,
                defaults={"reward": RewardItem.objects.get(name=reward)},
            )

    def _seed_rewards_activity(self, employee, partner, reviewer) -> None:
        from datetime import timedelta

        from django.utils import timezone

        from portal.rewards.models import Raffle, RewardItem
        from portal.rewards.raffles import raffle_draw
        from portal.rewards.redemptions import redemption_request, redemption_transition
        from portal.rewards.services import ledger_add

        for user in (employee, partner):
            ledger_add(participant=user, amount=150, event="adjustment", reason="Welcome bonus")
        hoodie = RewardItem.objects.get(name="Vouch hoodie")
        redemption = redemption_request(participant=employee, item=hoodie)
        redemption_transition(redemption=redemption, actor=reviewer, action="approve")
        redemption_transition(redemption=redemption, actor=reviewer, action="fulfil")
        redemption_request(
            participant=partner, item=RewardItem.objects.get(name="Charity donation 25 €")
        )
        now = timezone.now()
        autumn = Raffle.objects.create(
            name="Autumn raffle",
            prize="Noise-cancelling headphones",
            description="Every referral qualified in the last two months is one entry.",
            starts_at=now - timedelta(days=60),
            ends_at=now - timedelta(minutes=1),
        )
        row_translate(autumn, ["name", "description", "prize"])
        raffle_draw(raffle=autumn, actor=reviewer)
        winter = Raffle.objects.create(
            name="Winter raffle",
            prize="A weekend in Lapland",
            description="Qualified referrals enter automatically; you can also buy tickets.",
            starts_at=now - timedelta(minutes=1),
            ends_at=now + timedelta(days=45),
            ticket_price=50,
        )
        row_translate(winter, ["name", "description", "prize"])

    def _seed_commission_plans(self, program) -> None:
        from decimal import Decimal

        from portal.payouts.models import CommissionPlan, PartnerPlan, ProgramCommissionSettings

        standard, _ = CommissionPlan.objects.get_or_create(
            name="Partner standard: 10% of won deals",
            defaults={
                "kind": "percent",
                "percent": Decimal("10.00"),
                "cap_per_lead": Decimal("5000.00"),
            },
        )
        acme_plan, _ = CommissionPlan.objects.get_or_create(
            name="Acme: 150 € per qualified lead",
            defaults={
                "kind": "flat",
                "flat_amount": Decimal("150.00"),
                "cap_per_month": Decimal("1500.00"),
            },
        )
        ProgramCommissionSettings.objects.get_or_create(
            program=program,
            defaults={"partner_plan": standard, "employee_bonus": Decimal("100.00")},
        )
        acme = PartnerOrganisation.objects.get(name="Acme Partners")
        PartnerPlan.objects.get_or_create(
            organisation=acme, program=program, defaults={"plan": acme_plan}
        )
        if not acme.payout_details:
            acme.payout_details = {
                "method": "iban",
                "account_holder": "Acme Partners Oy",
                "iban": "FI2112345600000785",
                "bic": "",
            }
            acme.save(update_fields=["payout_details"])

    def _seed_payouts(self, submit, employee, partner, reviewer) -> None:
        from datetime import timedelta

        from django.utils import timezone

        from portal.events.services import events_drain
        from portal.leads import services as leads
        from portal.payouts import batches
        from portal.payouts import services as payouts
        from portal.payouts.models import Commission

        finance = User.objects.get(email="finance@demo.vouch.test")
        finance2 = User.objects.get(email="finance2@demo.vouch.test")
        qualified = {}
        for name, company, days in [
            ("Greta Hansen", "Hansen Shipping", 50),
            ("Oskar Berg", "Berg Consulting", 35),
            ("Nina Kask", "Kask Retail", 5),
        ]:
            lead = submit(
                partner,
                name,
                f"{name.split()[0].lower()}@{company.split()[0].lower()}.example",
                company,
                days,
            )
            leads.lead_qualify(lead=lead, actor=reviewer)
            qualified[name] = lead
        from portal.leads.models import Lead

        # The employee's won deal brings a payroll bonus.
        juris = Lead.objects.get(referrer=employee, name="Juris Ozols")
        leads.lead_mark_won(lead=juris, actor=reviewer, deal_value="8000.00", currency="EUR")
        events_drain()

        def approve(lead):
            for commission in Commission.objects.filter(lead=lead, status="pending"):
                payouts.commission_approve(
                    actor=finance, commission=commission, note="Demo: early approval"
                )

        ivan = Lead.objects.get(name="Ivan Petrov")
        for lead in (ivan, qualified["Greta Hansen"], juris):
            approve(lead)
        today = timezone.localdate()
        paid = batches.payout_batch_build(
            batch_id=batches.payout_batch_start(
                actor=finance, kind="partners", currency="EUR", cutoff=today
            ).pk
        )
        batches.payout_batch_approve(actor=finance2, batch=paid)
        batches.payout_batch_mark_paid(actor=finance2, batch=paid)
        Commission.objects.filter(batch=paid).update(created_at=timezone.now() - timedelta(days=40))
        approve(qualified["Oskar Berg"])
        batches.payout_batch_build(
            batch_id=batches.payout_batch_start(
                actor=finance2, kind="partners", currency="EUR", cutoff=today
            ).pk
        )
        # Nina Kask's commission stays pending (hold period); Juris's bonus waits for payroll.

    def _seed_boards(self, employee, reviewer) -> None:
        import random
        from datetime import timedelta

        from django.utils import timezone

        from leaderboard.contests import contest_close
        from leaderboard.models import Contest
        from leaderboard.services import boards_rebuild, shoutout_post
        from portal.rewards.models import LedgerEntry
        from portal.rewards.services import ledger_add

        if Contest.objects.filter(name="Q4 referral sprint").exists():
            boards_rebuild()  # already seeded; just make sure Redis has the boards
            return
        manager = User.objects.get(email="manager@demo.vouch.test")
        team = Team.objects.get(name="Sales North")
        colleagues = [
            ("Aino", "Mäkinen"),
            ("Luca", "Bianchi"),
            ("Ilze", "Kalniņa"),
            ("Olga", "Smirnova"),
            ("Jose", "Reyes"),
            ("Noora", "Lehtonen"),
            ("Marta", "Ferri"),
        ]
        rng = random.Random(2026)
        now = timezone.now()
        for first, last in colleagues:
            email = f"{first.lower()}.{last.lower().replace('ņ', 'n').replace('ä', 'a')}@demo.vouch.test"
            user, _ = User.objects.get_or_create(
                email=email, defaults={"first_name": first, "last_name": last, "team": team}
            )
            for _ in range(rng.randint(2, 6)):
                entry = ledger_add(
                    participant=user,
                    amount=rng.choice([10, 50, 50, 200]),
                    event=rng.choice(["qualified", "adjustment", "won"]),
                    reason="Demo activity",
                )
                if entry is None:  # the ledger refused a duplicate
                    continue
                LedgerEntry.objects.filter(pk=entry.pk).update(
                    created_at=now - timedelta(days=rng.randint(0, 80), hours=rng.randint(0, 23))
                )
        sprint = Contest.objects.create(
            name="Q4 referral sprint",
            description="Most qualified referrals before the year ends.",
            metric="qualified",
            eligibility="everyone",
            starts_at=now - timedelta(days=20),
            ends_at=now + timedelta(days=30),
            prizes="Weekend in Lapland\nNoise-cancelling headphones\nCinema tickets for two",
            format="ranking",
            minimum_score=2,
        )
        row_translate(sprint, ["name", "description", "prizes"])
        october = Contest.objects.create(
            name="October points race",
            description="Points earned in October.",
            metric="points",
            eligibility="employees",
            starts_at=now - timedelta(days=80),
            ends_at=now - timedelta(days=10),
            prizes="Spa day\nDinner for two",
        )
        row_translate(october, ["name", "description", "prizes"])
        contest_close(contest=october)
        self._seed_contest_formats(now)
        self._seed_fraud_case()
        shoutout_post(
            author=manager,
            about=employee,
            message="Four referrals in a row this month. Thank you, Emma!",
        )
        shoutout_post(
            author=manager,
            about=User.objects.get(email__startswith="aino."),
            message="Closed the Lindqvist deal together with sales!",
        )
        boards_rebuild()

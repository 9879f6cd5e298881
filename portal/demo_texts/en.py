# SPDX-License-Identifier: AGPL-3.0-or-later
"""English: the original texts of the demo (pages and database rows)."""

from __future__ import annotations

MONTHS = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip


def announcement(month: int) -> dict:
    name = MONTHS[month - 1]
    return {
        "title": f"Top referrers of {name}",
        "summary": f"{name} was our best month yet. Here are the people who made it happen.",
        "body": (
            f"<p>Thank you to everyone who referred in {name}. The top three each "
            "receive a dinner for two, and every qualified referral counts toward "
            "the Q4 sprint.</p>"
        ),
    }


PAGES = {
    "home": {
        "title": "Vouch",
        "headline": "Know someone who needs us? Vouch for them.",
        "call_to_action": "Refer someone",
        "intro": (
            "<p>Vouch is how we thank the people who know us best. When you introduce a "
            "company that could use what we do, our team follows up within two working days, "
            "you can follow every step, and you earn points, tiers, rewards and — for "
            "partners — commissions.</p>"
        ),
    },
    "program": {
        "title": "Customer referrals",
        "search_description": "How referrals work, what they earn, and the tiers.",
        "intro": (
            "<p>Introduce companies that could use our platform. Every referral is "
            "reviewed by a person, and every step is on your referral's timeline.</p>"
        ),
        "rules": (
            "<h2>Who can refer</h2><p>Every employee, and every user of a partner organisation "
            "that has accepted the partner agreement. Refer companies, not friends' personal "
            "projects: the prospect must be a business that could buy from us.</p>"
            "<h2>What makes a good referral</h2><ul><li>You know a real person there and they "
            "expect to hear from us.</li><li>You tell us what they need in a sentence or two.</li>"
            "<li>They are not already a customer or in talks with our sales team.</li></ul>"
            "<h2>Who gets the credit</h2><p>The first referrer of a company keeps it for the "
            "attribution window (90 days from submission for this program). If two people "
            "refer the same company, the earliest submission wins; reviewers explain every "
            "decision on the referral's timeline.</p>"
            "<h2>Points and tiers</h2><p>Points come from the program's own settings, shown "
            "below. Your tier follows the points you earned in the last twelve months, so it "
            "can go down as well as up. Points you spend on rewards never lower your tier.</p>"
        ),
        "cta_heading": "Ready when you are",
        "cta_text": "A referral takes about a minute. You can also share your personal link.",
        "cta_button": "Refer someone",
    },
    "partner_program": {
        "title": "Partner deal registration",
        "search_description": "Register deals, earn commissions, get paid monthly.",
        "intro": (
            "<p>For our resellers, agencies and consultants: register the deals you "
            "bring and earn a commission on every one we win together.</p>"
        ),
        "rules": (
            "<h2>Register every deal you bring</h2><p>Registering a deal protects it for 180 "
            "days: if the customer signs within that window, the commission is yours. "
            "Register before your first meeting with us so we can plan the work together.</p>"
            "<h2>Commissions</h2><p>Commissions are created when a referral is qualified or a "
            "deal is won, held for 30 days (refunds and chargebacks happen), then approved "
            "and paid in the next monthly payout batch. Higher tiers multiply the commission. "
            'You can follow every euro under <a href="/partner/commissions/">Commissions</a> '
            "and download monthly statements.</p>"
            "<h2>Before your first registration</h2><p>Each person in your organisation "
            "accepts the partner agreement once, and again when we publish a new version.</p>"
        ),
    },
    "guides": {
        "title": "Guides",
        "search_description": "Practical advice for better referrals.",
        "intro": (
            "<p>Short, practical advice from the program team and from our top referrers.</p>"
        ),
    },
    "good_referrals": {
        "title": "How to make a referral that gets qualified",
        "summary": "Three habits of the referrers whose introductions turn into deals.",
        "body": (
            "<p>Most referrals that do not go anywhere fail for the same three reasons: the "
            "prospect did not know we would call, we could not tell what they needed, or they "
            "were already talking to us. Here is how to avoid all three.</p>"
            "<h2>1. Ask first</h2><p>Tell the person you are introducing them and why. A "
            "two-line message is enough: <em>“I told Vouch about your warehouse project; "
            "Maria from their team will call you this week.”</em></p>"
            "<h2>2. Say what they need</h2><p>The “what do they need?” field is the one our "
            "team reads first. Mention the problem, the rough size and any deadline.</p>"
            "<h2>3. Use their work address</h2><p>We match referrals by e-mail, phone and "
            "company domain. A work address lets us spot duplicates at once and gives you "
            "the credit without a manual check.</p>"
        ),
        "quote": "I send one line before every referral. Almost all of mine get qualified.",
        "attribution": "Emma, top referrer of October",
        "cta_heading": "Have someone in mind?",
        "cta_text": "The form asks for a name, a work e-mail and one sentence about the need.",
        "cta_button": "Refer someone",
    },
    "referral_link": {
        "title": "Sharing your personal referral link",
        "summary": "Let prospects reach us themselves, and still get the credit.",
        "body": (
            "<p>Your personal referral link lets a prospect reach us themselves. Whoever uses "
            "it is attributed to you, exactly as if you had filled in the form. Put it in your "
            "e-mail signature, share it after a conference, or print the QR code.</p>"
            "<h2>What the prospect sees</h2><p>A short page with your name, what we do, and a "
            "form for their own details and consent. We never show them your points or "
            "rewards.</p>"
        ),
        "share": "Here is your own link, ready to share:",
        "standing": (
            "<h2>Where you stand</h2><p>Referrals through your link count for the "
            "leaderboards like any other. This month so far:</p>"
        ),
        "board_title": "Top referrers this month",
    },
    "faq": {
        "title": "Questions and answers",
        "search_description": "Credit, points, tiers, commissions and privacy.",
        "intro": (
            "<p>Cannot find your answer? Write to the program team at "
            "referrals@demo.vouch.test.</p>"
        ),
        "questions": [
            (
                "Who can take part?",
                "<p>Every employee, from their first day, and users of our partner "
                "organisations. Partners accept the partner agreement before their first "
                "referral.</p>",
            ),
            (
                "How long does a review take?",
                "<p>Reviewers look at new referrals within two working days. You get a "
                "notification for every change, and the referral's page shows the whole "
                "timeline.</p>",
            ),
            (
                "Someone else referred the same company. Who gets the credit?",
                "<p>The earliest submission within the attribution window. If a referral was "
                "flagged as a possible duplicate, a reviewer compares both side by side and "
                "explains the decision.</p>",
            ),
            (
                "When do I get my points?",
                "<p>At once: points for a submission arrive when you submit, and more when the "
                "referral is qualified and when the deal is won. If a referral is rejected or "
                "a deal is reversed, those points are taken back.</p>",
            ),
            (
                "How do tiers work?",
                "<p>Your tier follows the points you earned in the last twelve months. "
                "Spending points on rewards never lowers it. See the program page for the "
                "tier table.</p>",
            ),
            (
                "When are partner commissions paid?",
                "<p>After a 30-day hold, commissions are approved and included in the next "
                "monthly payout batch, above a minimum of 50 €. Statements are under "
                "Commissions.</p>",
            ),
            (
                "Can I appear on leaderboards by my initials only?",
                "<p>Yes. Choose it under Settings; every board shows your initials from then "
                "on.</p>",
            ),
            (
                "What happens to the contact details I submit?",
                "<p>Only you, your organisation's partner admin and the program's reviewers "
                "see them. They are anonymised when the referral has been closed for the "
                "retention period.</p>",
            ),
        ],
    },
    "catalog": {
        "title": "Reward catalog",
        "search_description": "What your points can buy.",
        "intro": (
            "<p>Spend your points on gift cards, experiences, a day off or a donation to the "
            "charity of the quarter. Some rewards are reserved for higher tiers.</p>"
        ),
    },
    "agreement": {
        "title": "Partner program agreement",
        "terms": (
            "<h2>1. Scope</h2><p>This agreement governs referrals and deal registrations "
            "that your organisation (“the Partner”) submits through Vouch, and the "
            "commissions we pay for them.</p>"
            "<h2>2. Registrations</h2><p>The Partner registers only opportunities it "
            "genuinely introduced, with the prospect's knowledge. A registration protects the "
            "opportunity for the program's attribution window. We may decline a registration "
            "for an existing customer or an opportunity already in our pipeline, and will "
            "say why.</p>"
            "<h2>3. Commissions</h2><p>Commissions follow the plan shown in the portal on the "
            "day the referral is qualified or the deal is won. They are held for 30 days and "
            "paid monthly. If a deal is refunded or charged back, the commission is reversed "
            "and offset against later earnings.</p>"
            "<h2>4. Data protection</h2><p>The Partner shares a prospect's contact details "
            "only with their consent and keeps them confidential. We process them under our "
            "privacy notice and anonymise them at the end of the retention period.</p>"
            "<h2>5. Conduct</h2><p>No spam, no misleading claims about our products, no "
            "self-referrals. Breaches may suspend the Partner's account.</p>"
            "<h2>6. Changes</h2><p>We may update this agreement. Each new version is "
            "published here and must be accepted before the next registration.</p>"
        ),
    },
    "news": {
        "title": "News",
        "search_description": "Announcements from the program team.",
        "intro": "<p>Winners, new rewards and changes to the program.</p>",
    },
}

# Database rows: their English text is the key in every other language's DB table.
DB: dict[str, str] = {}

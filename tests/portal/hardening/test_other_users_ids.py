# SPDX-License-Identifier: AGPL-3.0-or-later
"""Object-level authorisation: every URL pattern of the portal and every operation of the
API, called by other users with the ids of someone else's objects, is refused (403, 404
or 405) and changes nothing.

The walk is generated: a new URL pattern or API operation that takes an id is walked
without anyone adding it here. Only patterns whose ids name shared things (the catalog, a
raffle, the agreement), capabilities (an invitation token, a referral code) or the
viewer's own data (a month of their statement) are listed, each with its reason.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from leaderboard.models import Contest
from leaderboard.screens import tv_screen_create
from portal.accounts import services as accounts
from portal.accounts.roles import Role
from portal.api.services import api_token_create, integration_key_create
from portal.rewards.models import RewardItem
from portal.rewards.redemptions import redemption_request
from portal.rewards.services import ledger_add
from portal.webhooks.models import WebhookEndpoint
from tests.factories import (
    PartnerAdminFactory,
    PartnerUserFactory,
    ReciprocalTermsFactory,
    TeamFactory,
    UserFactory,
    enable_mfa,
    give_role,
    send_outbound,
    submit_lead,
)

OURS = ("portal.", "leaderboard.", "cms.")

# URL names whose parameters do not name another user's object: never walked.
NOT_ANOTHER_USERS = {
    "accounts:invitation_accept": "a capability: the token is the permission",
    "networks:customer_signup": "a capability: the token is the permission",
    "campaigns:unsubscribe": "a capability: the signed token is the permission",
    "referral_page": "a capability: a public referral code",
    "referral_thanks": "a capability: a public referral code",
    "referral_brand_css": "a capability: a public referral code (the landing's colours)",
    "leads:qr": "the viewer's own link; the parameter is a file format",
    "rewards:redeem": "the catalog is shared; redeeming spends the viewer's own points",
    "rewards:raffle": "raffles are shared",
    "rewards:raffle_buy": "raffles are shared; a ticket costs the viewer's own points",
    "cms:agreement_accept": "the partner agreement is shared",
    "payouts:statement": "a month of the viewer's own organisation's statement",
    "javascript_catalog": "a language code",
    "api:statement": "a month of the viewer's own organisation's statement",
    "api:redeem": "the catalog is shared",
    "api:crm_callback": "a CRM's signed callback, not a user's call",
    "api:code_check": "a code client's signed call (shop, till), not a user's call",
    "api:code_redeem": "a code client's signed call (shop, till), not a user's call",
    "api:not_found": "every other path",
    "api:board": "walked through the API schema below",
}


class World:
    """Someone else's things: organisation B's leads, invitation, keys, redemption; team
    B's screen, private board and team contest; a webhook endpoint."""

    def __init__(self, program):
        self.team = TeamFactory()
        self.victim_manager = give_role(UserFactory(), Role.MANAGER)
        self.team.managers.add(self.victim_manager)
        self.victim_admin = enable_mfa(PartnerAdminFactory())
        org = self.victim_admin.partner_organisation
        self.victim = PartnerUserFactory(partner_organisation=org)
        self.lead = submit_lead(self.victim, program)
        self.invitation, _ = accounts.invitation_create(
            actor=self.victim_admin, organisation=org, email="new@victim.example"
        )
        self.token, _ = api_token_create(user=self.victim, name="victim", actor=self.victim)
        self.key, _ = integration_key_create(
            actor=self.victim_admin, organisation=org, acting_user=self.victim, name="CRM"
        )
        ledger_add(participant=self.victim, amount=500, event="adjustment", reason="t")
        item = RewardItem.objects.create(name="Mug", kind="swag", points_price=10)
        self.redemption = redemption_request(participant=self.victim, item=item)
        self.screen, _ = tv_screen_create(
            actor=self.victim_manager, name="Team B", boards="everyone.points.month"
        )
        self.endpoint = WebhookEndpoint.objects.create(
            name="B", url="https://b.example/hook", secret="s", events=["lead.submitted"]
        )
        now = timezone.now()
        self.contest = Contest.objects.create(
            name="Team B push",
            eligibility="team",
            team=self.team,
            starts_at=now - timedelta(days=1),
            ends_at=now + timedelta(days=5),
            prizes="Cake",
        )
        self.ids = {
            "invitation": self.invitation.pk,
            "token": self.token.pk,
            "integration-key": self.key.pk,
            "redemption": self.redemption.pk,
            "screen": self.screen.pk,
            "endpoint": self.endpoint.pk,
            "organisation": org.pk,
            "member": self.victim.pk,
            "lead": self.lead.pk,
        }
        # A lead the company sent to B, a reciprocal partner, by someone of team B.
        ReciprocalTermsFactory(organisation=org)
        self.outbound = send_outbound(UserFactory(team=self.team), org, program)
        self.ids["outbound"] = self.outbound.pk
        self.boards = [f"team:{self.team.pk}.points.month", f"contest:{self.contest.pk}.points.all"]

    def pk_for(self, route: str, name: str) -> int:
        for word, pk in [
            ("network/outbound", self.ids["outbound"]),
            ("invitation", self.ids["invitation"]),
            ("integration-key", self.ids["integration-key"]),
            ("api-tokens", self.ids["token"]),
            ("redemption", self.ids["redemption"]),
            ("screens", self.ids["screen"]),
            ("endpoints", self.ids["endpoint"]),
            ("partners/", self.ids["organisation"]),
            ("members", self.ids["member"]),
        ]:
            if word in route:
                return pk
        return self.ids["lead"]

    def fingerprint(self) -> dict:
        """Every table's row count, and every field of B's objects."""
        counts = {
            m._meta.label: m.objects.count()
            for m in apps.get_models()
            if m is not Session and not m._meta.proxy
        }
        objects = [
            self.lead,
            self.invitation,
            self.token,
            self.key,
            self.redemption,
            self.screen,
            self.endpoint,
            self.outbound,
            self.victim,
            self.victim.partner_organisation,
        ]
        fields = {
            f"{o._meta.label}:{o.pk}": model_to_dict(type(o).objects.get(pk=o.pk)) for o in objects
        }
        return {"counts": counts, "fields": fields}


def _walk(patterns, prefix="", namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = namespace + (f"{p.namespace}:" if p.namespace else "")
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), namespace + (p.name or ""), p


def _module(pattern: URLPattern) -> str:
    view = pattern.callback
    view = getattr(view, "view_class", None) or view
    return getattr(view, "__module__", "")


PARAM = re.compile(r"<(?:(\w+):)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


def _routes():
    """(path, name) of every pattern of ours that takes a parameter, with B's ids."""
    found = []
    for route, name, pattern in _walk(get_resolver().url_patterns):
        if not PARAM.search(route) or not _module(pattern).startswith(OURS):
            continue
        found.append((route, name))
    return found


def _fill(route: str, name: str, world: World) -> list[str]:
    route = route.replace("^", "").replace("$", "").replace("\\.", ".")
    if "board_id" in route:
        return ["/" + PARAM.sub(board, route) for board in world.boards]
    return ["/" + PARAM.sub(str(world.pk_for(route, name)), route)]


@pytest.fixture
def attackers(db):
    """Other users with no business with B's objects: organisation A's admin and user, an
    employee and a manager of team A."""
    team = TeamFactory()
    manager = give_role(UserFactory(team=team), Role.MANAGER)
    team.managers.add(manager)
    admin = enable_mfa(PartnerAdminFactory())
    return {
        "partner_admin": admin,
        "partner_user": PartnerUserFactory(partner_organisation=admin.partner_organisation),
        "employee": UserFactory(team=team),
        "manager": manager,
    }


REFUSED = {403, 404, 405}


def _refused(response) -> bool:
    if response.status_code in REFUSED:
        return True
    # Wagtail's admin sends a user without admin access to its login page, and one without
    # the model permission back to the admin's home ("Sorry, you do not have permission").
    location = response.get("Location", "")
    return response.status_code == 302 and ("login" in location or location == "/admin/")


def test_the_walk_covers_every_pattern_that_takes_an_id(db):
    names = {name for _route, name in _routes()}
    assert {"leaderboard:tv_screen_revoke", "rewards:redemption_cancel", "leads:detail"} <= names
    assert {"accounts:organisation_invitation_revoke", "api_tokens:token_revoke"} <= names
    assert {"webhooks_admin:endpoint", "payouts_admin:batch"} <= names
    assert set(NOT_ANOTHER_USERS) - {"api:board"} <= names | {"api:not_found"}


def test_every_url_with_another_users_ids_is_refused_and_changes_nothing(
    program, attackers, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        world = World(program)
    before = world.fingerprint()
    walked, failures = 0, []
    for persona, user in attackers.items():
        client = Client()
        client.force_login(user)
        for route, name in _routes():
            if name in NOT_ANOTHER_USERS:
                continue
            for url in _fill(route, name, world):
                for method in ("get", "post"):
                    response = getattr(client, method)(url)
                    walked += 1
                    if not _refused(response):
                        failures.append((persona, method, url, response.status_code))
    assert walked > 100
    assert failures == []
    assert world.fingerprint() == before


def _api_operations(client) -> list[tuple[str, str]]:
    schema = client.get("/api/v1/openapi.json").json()
    return [
        (path, method)
        for path, item in schema["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"} and "{" in path
    ]


def test_every_api_operation_with_another_users_ids_is_refused_and_changes_nothing(
    client, program, attackers, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        world = World(program)
    operations = _api_operations(client)
    assert ("/api/v1/leads/{id}/qualify/", "post") in operations
    before = world.fingerprint()
    walked, failures = 0, []
    for persona, user in attackers.items():
        if persona == "manager":
            continue  # managers hold no API token
        _row, raw = api_token_create(user=user, name="attack", actor=user)
        before = world.fingerprint()  # the attacker's own token is a new row
        api = Client(headers={"Authorization": f"Bearer {raw}"})
        for path, method in operations:
            if any(skip in path for skip in ("/statements/", "/redeem/", "/crm/", "/codes/")):
                continue  # the viewer's own statement, the shared catalog, signed callbacks
            urls = (
                [path.replace("{board_id}", b) for b in world.boards]
                if "{board_id}" in path
                else [re.sub(r"\{\w+\}", str(world.lead.pk), path)]
            )
            for url in urls:
                if method == "get":
                    response = api.get(url)
                else:
                    response = getattr(api, method)(url, "{}", content_type="application/json")
                walked += 1
                if response.status_code not in REFUSED:
                    failures.append((persona, method, url, response.status_code))
        assert world.fingerprint() == before
    assert walked > 20
    assert failures == []

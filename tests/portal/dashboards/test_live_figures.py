# SPDX-License-Identifier: AGPL-3.0-or-later
"""One live qualification updates every figure on the submitter's dashboard together: the
payload their page receives carries balance, tier, counts, latest referrals and board rank,
read at one moment, they agree with each other and with the page a reload shows; the
toast about the submitter's tier-up reads "You" for them and their name for others."""

from __future__ import annotations

import asyncio
import json
import re

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.urls import reverse

from leaderboard.push import live_group, user_group
from portal.accounts.display import Audience
from portal.leads.services import lead_qualify, lead_start_review
from portal.rewards.models import Tier
from tests.factories import ProgramFactory, UserFactory, submit_lead


async def _drain(layer, channel) -> list[dict]:
    messages = []
    while True:
        try:
            message = await asyncio.wait_for(layer.receive(channel), 0.5)
        except TimeoutError:
            return messages
        messages.append(json.loads(message["text"]))


def _fig(html: str, name: str) -> str:
    found = re.search(rf'data-fig="{name}">([^<]*)<', html)
    assert found, f"no {name} figure in {html[:300]}"
    return found.group(1)


@pytest.mark.django_db(transaction=True)
def test_one_qualification_updates_every_figure_of_the_dashboard_together(client):
    employee = UserFactory(first_name="Emma", last_name="Stone")
    reviewer = UserFactory()
    from portal.accounts.roles import Role
    from tests.factories import give_role

    give_role(reviewer, Role.REVIEWER)
    program = ProgramFactory()
    Tier.objects.create(program=program, name="Bronze", threshold=0)
    Tier.objects.create(program=program, name="Silver", threshold=50)
    lead = submit_lead(employee, program)
    lead_start_review(lead=lead, actor=reviewer)

    async def scenario():
        layer = get_channel_layer()
        mine = await layer.new_channel()
        everyone = await layer.new_channel()
        await layer.group_add(user_group(employee.pk), mine)
        await layer.group_add(live_group(Audience.STAFF), everyone)
        try:
            await database_sync_to_async(lambda: lead_qualify(lead=lead, actor=reviewer))()
            return await _drain(layer, mine), await _drain(layer, everyone)
        finally:
            await layer.group_discard(user_group(employee.pk), mine)
            await layer.group_discard(live_group(Audience.STAFF), everyone)

    own, public = async_to_sync(scenario)()
    figures = [m for m in own if m["type"] == "me"]
    assert figures, own
    # The settled state is sent, not the steps of the burst (status, points, tier).
    assert len(figures) <= 2 and all(f == figures[-1] for f in figures)
    me = figures[-1]
    assert me["balance"] == 60 and me["board_score"] == 60 and me["rank"] == 1
    assert me["tier"] == "Silver"
    assert me["counts"] == {"total": 1, "open": 1, "qualified": 1, "won": 0}
    assert me["leads"] == {str(lead.pk): "qualified"}
    parts = me["parts"]
    assert _fig(parts["figures"], "balance") == "60"
    assert _fig(parts["figures"], "qualified") == "1"
    assert "Tier: Silver" in parts["figures"]
    assert "data-my-total>60<" in parts["board"] and "data-my-rank>#1<" in parts["board"]
    assert f'data-lead="{lead.pk}" data-status="qualified"' in parts["leads"]

    # The page a reload shows says the same.
    client.force_login(employee)
    page = client.get(reverse("dashboards:employee")).content.decode()
    for name in ("balance", "total", "qualified", "won"):
        assert _fig(page, name) == _fig(parts["figures"], name)
    assert "data-my-total>60<" in page

    # The tier-up: "You" for Emma on her own channel; her name for everyone else, marked
    # as about her so her page skips that one.
    assert {"type": "toast", "kind": "tier_up", "text": "You reached Silver!", "own": True} in own
    about_her = [m for m in public if m.get("about") == employee.pk]
    assert [m["text"] for m in about_her] == ["Emma Stone reached Silver!"]


@pytest.mark.django_db(transaction=True)
def test_a_person_reads_their_own_toast_in_their_language():
    employee = UserFactory(language="fi")
    program = ProgramFactory()
    Tier.objects.create(program=program, name="Bronze", threshold=0)
    Tier.objects.create(program=program, name="Silver", threshold=5)

    async def scenario():
        layer = get_channel_layer()
        mine = await layer.new_channel()
        await layer.group_add(user_group(employee.pk), mine)
        try:
            await database_sync_to_async(lambda: submit_lead(employee, program))()
            return await _drain(layer, mine)
        finally:
            await layer.group_discard(user_group(employee.pk), mine)

    own = async_to_sync(scenario)()
    toast = next(m for m in own if m["type"] == "toast")
    assert toast["text"] != "You reached Silver!" and "Silver" in toast["text"]
    me = next(m for m in own if m["type"] == "me")
    assert "Silver" in me["parts"]["figures"] and me["balance"] == 10


@pytest.mark.django_db(transaction=True)
def test_figures_are_built_only_while_a_page_of_the_person_is_open(monkeypatch):
    """The live payload costs queries and templates: nobody watching, nobody pays."""
    from portal.dashboards import handlers

    built: list[int] = []
    real = handlers.figures_payload

    def counting(*, user):
        built.append(user.pk)
        return real(user=user)

    monkeypatch.setattr(handlers, "figures_payload", counting)
    employee, program = UserFactory(), ProgramFactory()
    submit_lead(employee, program)
    assert built == []  # no page open: no payload

    async def scenario():
        layer = get_channel_layer()
        mine = await layer.new_channel()
        await layer.group_add(user_group(employee.pk), mine)
        try:
            await database_sync_to_async(lambda: submit_lead(employee, program))()
            return await _drain(layer, mine)
        finally:
            await layer.group_discard(user_group(employee.pk), mine)

    own = async_to_sync(scenario)()
    assert built == [employee.pk]  # one settled payload for the open page
    assert [m["type"] for m in own].count("me") == 1

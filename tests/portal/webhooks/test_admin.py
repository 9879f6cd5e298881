# SPDX-License-Identifier: AGPL-3.0-or-later
"""The Integrations screens in the Wagtail admin: reviewers only; secrets shown once."""

from __future__ import annotations

import pytest

from portal.audit.models import AuditEvent
from portal.webhooks.models import CrmIntegration, WebhookEndpoint

PAGES = ["/admin/integrations/"]


@pytest.mark.parametrize(
    "persona,status",
    [
        ("employee", 403),
        ("partner_user", 403),
        ("partner_admin", 403),
        ("manager", 403),
        ("finance", 403),
        ("reviewer", 200),
    ],
)
def test_only_reviewers_open_the_integrations_screens(db, client, request, persona, status):
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/admin/integrations/").status_code == status


def test_a_reviewer_registers_an_endpoint_and_sees_its_secret_once(client, reviewer, settings):
    client.force_login(reviewer)
    response = client.post(
        "/admin/integrations/",
        {
            "form": "endpoint",
            "endpoint-name": "Sales CRM",
            "endpoint-url": "https://crm.example/vouch",
            "endpoint-events": ["lead.created", "payout.paid"],
        },
    )
    endpoint = WebhookEndpoint.objects.get()
    assert response.status_code == 200
    assert endpoint.secret.startswith("whsec_") and endpoint.secret in response.content.decode()
    assert endpoint.events == ["lead.created", "payout.paid"] and endpoint.is_active
    page = client.get(f"/admin/integrations/endpoints/{endpoint.pk}/").content.decode()
    assert endpoint.secret not in page  # never shown again
    assert AuditEvent.objects.filter(action="webhook.endpoint_created", actor=reviewer).exists()

    rotated = client.post(f"/admin/integrations/endpoints/{endpoint.pk}/secret/")
    old = endpoint.secret
    endpoint.refresh_from_db()
    assert endpoint.secret != old and endpoint.secret in rotated.content.decode()
    assert AuditEvent.objects.filter(action="webhook.secret_rotated").exists()


def test_bad_endpoint_input_shows_field_errors_and_saves_nothing(client, reviewer):
    client.force_login(reviewer)
    response = client.post(
        "/admin/integrations/",
        {"form": "endpoint", "endpoint-name": "x", "endpoint-url": "ftp://crm.example/"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "This field is required" in html or "Choose at least one event" in html
    assert not WebhookEndpoint.objects.exists()


def test_editing_an_endpoint_is_audited(client, reviewer):
    from portal.webhooks.endpoints import endpoint_create

    endpoint, _secret = endpoint_create(
        actor=reviewer, name="CRM", url="https://crm.example/a", events=["lead.created"]
    )
    client.force_login(reviewer)
    response = client.post(
        f"/admin/integrations/endpoints/{endpoint.pk}/",
        {
            "name": "CRM",
            "url": "https://crm.example/b",
            "events": ["lead.created"],
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.url == "https://crm.example/b"
    change = AuditEvent.objects.get(action="webhook.endpoint_changed")
    assert change.data["url"] == {"from": "https://crm.example/a", "to": "https://crm.example/b"}


def test_a_reviewer_registers_a_crm_acting_as_a_reviewer(client, reviewer, employee):
    client.force_login(reviewer)
    refused = client.post(
        "/admin/integrations/",
        {
            "form": "crm",
            "crm-name": "HubSpot",
            "crm-source": "hubspot",
            "crm-acting_user": employee.pk,
        },
    )
    assert refused.status_code == 200 and not CrmIntegration.objects.exists()
    response = client.post(
        "/admin/integrations/",
        {
            "form": "crm",
            "crm-name": "HubSpot",
            "crm-source": "hubspot",
            "crm-acting_user": reviewer.pk,
        },
    )
    integration = CrmIntegration.objects.get()
    assert integration.secret in response.content.decode()
    assert "/api/v1/crm/hubspot/callbacks/" in response.content.decode()
    assert AuditEvent.objects.filter(action="crm.integration_created").exists()
    assert client.get(f"/admin/integrations/crm/{integration.pk}/").status_code == 200

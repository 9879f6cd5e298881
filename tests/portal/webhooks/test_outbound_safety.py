# SPDX-License-Identifier: AGPL-3.0-or-later
"""Outbound webhooks as an attacker would use them: an endpoint pointing at the inside
network (directly, or by a DNS name that changes its answer), and a database dump that
should give away no signing secret or IBAN."""

from __future__ import annotations

import importlib
import io
import json
import socket

import pytest
from cryptography.fernet import Fernet
from django.apps import apps as django_apps
from django.core.management import call_command
from django.db import connection

from portal.accounts.models import PartnerOrganisation
from portal.payouts.details import payout_details_update
from portal.webhooks import outbound
from portal.webhooks.endpoints import endpoint_create
from portal.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from portal.webhooks.services import delivery_attempt, event_emit
from tests.factories import PartnerAdminFactory, submit_lead

IBAN = "FI2112345600000785"


@pytest.fixture
def no_private(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False


def _deliver_one(reviewer, url, program, employee, django_capture_on_commit_callbacks):
    endpoint, _secret = endpoint_create(
        actor=reviewer, name="CRM", url=url, events=["lead.created"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        submit_lead(employee, program)
    return endpoint, WebhookDelivery.objects.get(endpoint=endpoint)


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "localhost",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "0.0.0.0",  # noqa: S104
        "::1",
        "::ffff:127.0.0.1",
        "fe80::1",
        "fc00::1",
        "100.64.0.1",  # carrier-grade NAT: not global
    ],
)
def test_private_loopback_and_link_local_addresses_are_refused(no_private, host):
    with pytest.raises(outbound.BlockedAddress):
        outbound.resolve_checked(host, 443)


def test_a_public_address_is_allowed(no_private):
    assert outbound.resolve_checked("93.184.216.34", 443) == "93.184.216.34"


def test_a_delivery_to_a_loopback_receiver_is_refused_and_nothing_is_sent(
    no_private, receiver, reviewer, employee, program, django_capture_on_commit_callbacks
):
    _endpoint, delivery = _deliver_one(
        reviewer, receiver.url, program, employee, django_capture_on_commit_callbacks
    )
    delivery.refresh_from_db()
    assert receiver.requests == []
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempt_count == 1
    assert "not a public address" in delivery.last_error
    assert delivery.last_status_code is None


def test_the_setting_allows_a_receiver_on_the_same_network(
    receiver, reviewer, employee, program, django_capture_on_commit_callbacks
):
    # tests/portal/webhooks/conftest.py turns WEBHOOK_ALLOW_PRIVATE_ADDRESSES on
    _endpoint, delivery = _deliver_one(
        reviewer, receiver.url, program, employee, django_capture_on_commit_callbacks
    )
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED and len(receiver.requests) == 1


def test_dns_is_checked_on_every_attempt_and_the_checked_address_is_the_one_dialled(
    no_private, monkeypatch, reviewer, employee, program, django_capture_on_commit_callbacks
):
    """DNS rebinding: the name first resolves to a public address, then to 127.0.0.1.
    The first attempt dials exactly the public address it checked (never a second
    lookup); the retry looks the name up again and refuses before connecting."""
    answers = iter(["93.184.216.34", "127.0.0.1"])
    dialled: list[tuple] = []

    def fake_getaddrinfo(host, port, *args, **kwargs):
        assert host == "hooks.partner.example"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]

    def fake_create_connection(address, *args, **kwargs):
        dialled.append(address)
        raise OSError("connection refused (test)")

    monkeypatch.setattr(outbound.socket, "getaddrinfo", fake_getaddrinfo)
    monkeypatch.setattr(outbound.socket, "create_connection", fake_create_connection)
    endpoint, delivery = _deliver_one(
        reviewer,
        "http://hooks.partner.example/vouch",
        program,
        employee,
        django_capture_on_commit_callbacks,
    )
    delivery.refresh_from_db()
    assert dialled == [("93.184.216.34", 80)]
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=delivery.created_at)
    delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert dialled == [("93.184.216.34", 80)]  # no second connection
    assert delivery.attempt_count == 2 and "127.0.0.1" in delivery.last_error
    assert endpoint.pk


# --- secrets at rest -------------------------------------------------------------------


def _raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "{column}" FROM "{table}" WHERE id = %s', [pk])  # noqa: S608
        return str(cursor.fetchone()[0])


def test_webhook_secret_and_iban_are_encrypted_at_rest(reviewer, partner_admin):
    endpoint, secret = endpoint_create(
        actor=reviewer, name="CRM", url="https://crm.example/hooks", events=["lead.created"]
    )
    raw = _raw("webhooks_webhookendpoint", "secret", endpoint.pk)
    assert raw.startswith("fernet:") and secret not in raw
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).secret == secret

    org = partner_admin.partner_organisation
    payout_details_update(
        actor=partner_admin, organisation=org, account_holder="Acme Oy", iban=IBAN
    )
    raw = _raw("accounts_partnerorganisation", "payout_details", org.pk)
    assert raw.startswith("fernet:") and IBAN not in raw and "Acme Oy" not in raw
    assert PartnerOrganisation.objects.get(pk=org.pk).payout_details["iban"] == IBAN


def test_key_rotation(settings, reviewer):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.ENCRYPTION_KEYS = old
    partner_admin = PartnerAdminFactory()  # its organisation's row: under the old key
    endpoint, secret = endpoint_create(
        actor=reviewer, name="CRM", url="https://crm.example/hooks", events=["lead.created"]
    )
    org = partner_admin.partner_organisation
    payout_details_update(actor=partner_admin, organisation=org, account_holder="A", iban=IBAN)
    before = _raw("webhooks_webhookendpoint", "secret", endpoint.pk)
    # the new key first, the old one still there: old rows read, new writes use the new key
    settings.ENCRYPTION_KEYS = f"{new},{old}"
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).secret == secret
    call_command("encryption_rotate", stdout=io.StringIO())
    assert _raw("webhooks_webhookendpoint", "secret", endpoint.pk) != before
    # the old key gone: everything still reads
    settings.ENCRYPTION_KEYS = new
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).secret == secret
    assert PartnerOrganisation.objects.get(pk=org.pk).payout_details["iban"] == IBAN
    # and a key that never encrypted anything opens nothing
    settings.ENCRYPTION_KEYS = Fernet.generate_key().decode()
    with pytest.raises(Exception, match="cannot be decrypted"):
        WebhookEndpoint.objects.get(pk=endpoint.pk)


def test_the_data_migrations_encrypt_rows_written_in_plaintext(reviewer, partner_admin):
    endpoint, secret = endpoint_create(
        actor=reviewer, name="CRM", url="https://crm.example/hooks", events=["lead.created"]
    )
    org = partner_admin.partner_organisation
    with connection.cursor() as cursor:  # as rows were before encryption
        cursor.execute(
            'UPDATE "webhooks_webhookendpoint" SET secret = %s WHERE id = %s', [secret, endpoint.pk]
        )
        cursor.execute(
            'UPDATE "accounts_partnerorganisation" SET payout_details = %s WHERE id = %s',
            [json.dumps({"iban": IBAN, "account_holder": "Acme"}), org.pk],
        )
    for module in (
        "portal.webhooks.migrations.0002_encrypt_secrets_at_rest",
        "portal.accounts.migrations.0002_encrypt_secrets_at_rest",
    ):
        importlib.import_module(module).encrypt_existing(django_apps, None)
    assert _raw("webhooks_webhookendpoint", "secret", endpoint.pk).startswith("fernet:")
    raw_org = _raw("accounts_partnerorganisation", "payout_details", org.pk)
    assert raw_org.startswith("fernet:") and IBAN not in raw_org
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).secret == secret
    assert PartnerOrganisation.objects.get(pk=org.pk).payout_details["iban"] == IBAN
    assert event_emit  # the sending path imports cleanly with encrypted secrets

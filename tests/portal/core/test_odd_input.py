# SPDX-License-Identifier: AGPL-3.0-or-later
"""Odd input, as an attacker sends it: a clear 4xx answer, never a 500, nothing saved.

``make fuzz`` (``VOUCH_FUZZ=1``) widens the URL walk to Wagtail's admin and allauth and to
more odd values; CI walks the portal's own patterns with a fixed set."""

from __future__ import annotations

import json
import os
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from portal.api.services import api_token_create
from portal.leads.models import Lead
from portal.leads.referrals import referral_link_for

FUZZ = os.environ.get("VOUCH_FUZZ") == "1"


def _client(user=None) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


# --- NUL bytes ------------------------------------------------------------------------


def test_nul_byte_in_a_referral_code_is_a_400_with_a_message(client, employee, program):
    link = referral_link_for(user=employee)
    for path in (f"/r/{link.code}%00/", "/r/%00/", f"/r/{link.code}/?x=%00"):
        response = _client().get(path)
        assert response.status_code == 400, path
        assert "NUL character" in response.content.decode()
    posted = _client().post(
        f"/r/{link.code}%00/", {"name": "P", "email": "p@p.example", "consent": "on"}
    )
    assert posted.status_code == 400
    assert not Lead.objects.exists()


def test_nul_byte_in_an_api_query_is_a_json_400(employee):
    _row, token = api_token_create(user=employee, name="t", actor=employee)
    response = _client().get(
        "/api/v1/leads/?status=new%00", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_input"
    assert response.json()["fields"] == {}  # the API's one 400 shape, as its schema says


def test_nul_byte_and_huge_fields_in_the_public_form_are_field_errors(employee, program):
    link = referral_link_for(user=employee)
    page = reverse("referral_page", args=[link.code])
    for field, value in (
        ("name", "Paula\x00"),
        ("phone", "+358 40 " + "1" * 200_000),
        ("notes", "x" * 200_000),
        ("email", "a" * 300 + "@example.com"),
    ):
        data = {"name": "Paula", "email": "p@p.example", "consent": "on", "program": program.pk}
        response = _client().post(page, {**data, field: value})
        assert response.status_code == 200, field  # the form again, with the error
        assert "errorlist" in response.content.decode(), field
        assert not Lead.objects.exists(), field


def test_huge_and_nul_fields_through_the_api_are_400s(employee, program):
    _row, token = api_token_create(user=employee, name="t", actor=employee)
    headers = {"Authorization": f"Bearer {token}"}
    for extra in ({"notes": "x" * 200_000}, {"phone": "1" * 5000}, {"company": "A\x00B"}):
        body = {"program": program.slug, "name": "Paula", "email": "p@p.example", "consent": True}
        response = _client().post(
            "/api/v1/leads/",
            json.dumps({**body, **extra}),
            content_type="application/json",
            headers=headers,
        )
        assert response.status_code == 400, (extra.keys(), response.content[:300])
        assert response.json()["code"] == "invalid"
    assert not Lead.objects.exists()


# --- unicode digits -------------------------------------------------------------------


@pytest.mark.parametrize("ref", ["²", "١٢", "𝟙", "¹²³"])
def test_unicode_digits_as_the_api_program_reference_are_a_400(employee, program, ref):
    """``"²".isdigit()`` is True and ``int("²")`` raises: the API used to answer 500."""
    _row, token = api_token_create(user=employee, name="t", actor=employee)
    response = _client().post(
        "/api/v1/leads/",
        json.dumps({"program": ref, "name": "Paula", "email": "p@p.example", "consent": True}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 400
    assert "No program with this id or slug" in response.json()["fields"]["program"][0]
    assert not Lead.objects.exists()


# --- out-of-range months --------------------------------------------------------------


@pytest.mark.parametrize(
    "year,month", [(0, 1), (1, 1), (9999, 12), (99999, 1), (10**30, 1), (2026, 0), (2026, 13)]
)
def test_out_of_range_statement_months_are_404s(partner_admin, year, month):
    web = _client(partner_admin).get(f"/partner/statements/{year}-{month}/")
    assert web.status_code == 404
    assert "Page not found" in web.content.decode()
    _row, token = api_token_create(user=partner_admin, name="t", actor=partner_admin)
    api = _client().get(
        f"/api/v1/statements/{year}/{month}/", headers={"Authorization": f"Bearer {token}"}
    )
    assert api.status_code == 404 and api.json()["code"] == "not_found"


def test_the_last_month_in_range_still_answers(partner_admin):
    assert _client(partner_admin).get("/partner/statements/2999-12/").status_code == 200


# --- CSV import -----------------------------------------------------------------------

HEADER = "program,referrer_email,name,email,phone,company,notes,consent\r\n"


def _upload(reviewer, content: bytes):
    return _client(reviewer).post(
        reverse("leads_admin:import"),
        {"file": SimpleUploadedFile("leads.csv", content, content_type="text/csv")},
    )


@pytest.mark.parametrize(
    "name,content,message",
    [
        (
            "extra columns",
            (HEADER + "{p},{e},Paula,p@p.example,,,,yes,EXTRA,MORE\r\n").encode(),
            "more fields than the header",
        ),
        ("missing columns", b"program,name\r\nx,Paula\r\n", "lacks the columns"),
        (
            "a 200 kB field",
            (HEADER + '{p},{e},Paula,p@p.example,,,"' + "x" * 200_000 + '",yes\r\n').encode(),
            "cannot be read as CSV",
        ),
        (
            "Latin-1 instead of UTF-8",
            (HEADER + "{p},{e},Päivi,p@p.example,,,,yes\r\n").encode("latin-1"),
            "Save the file as UTF-8 CSV",
        ),
        (
            "UTF-16",
            (HEADER + "{p},{e},Paula,p@p.example,,,,yes\r\n").encode("utf-16"),
            "Save the file as UTF-8 CSV",
        ),
        (
            "a NUL byte",
            (HEADER + "{p},{e},Pa\x00ula,p@p.example,,,,yes\r\n").encode(),
            "Remove the NUL characters",
        ),
        (
            "an unclosed quote and a 200 kB tail",
            (HEADER + '{p},{e},"Paula' + "y" * 200_000).encode(),
            "cannot be read as CSV",
        ),
        ("only a BOM", "\ufeff".encode(), "lacks the columns"),
    ],
)
def test_malformed_csv_import_is_refused_with_a_message(
    reviewer, employee, program, name, content, message
):
    content = content.replace(b"{p}", program.slug.encode()).replace(
        b"{e}", employee.email.encode()
    )
    response = _upload(reviewer, content)
    assert response.status_code == 200, name
    assert message in response.content.decode(), name
    assert not Lead.objects.exists()


def test_a_bom_and_a_short_row_import_fine(reviewer, employee, program):
    content = (
        "\ufeff" + HEADER + f"{program.slug},{employee.email},Paula,p@p.example\r\n"
    ).encode()
    response = _upload(reviewer, content)
    assert response.status_code == 200
    assert "consent" in response.content.decode()  # the short row lacks consent: a row error
    content = "\ufeff" + HEADER + f"{program.slug},{employee.email},Paula,p@p.example,,,,yes\r\n"
    response = _upload(reviewer, content.encode())
    assert response.status_code == 200
    assert _client(reviewer).post(reverse("leads_admin:import"), {"confirm": "1"}).status_code in (
        200,
        302,
    )


# --- every web URL pattern with odd path values ---------------------------------------

ODD_INT = ["0", "99999999999999999999999", "9223372036854775808"]
ODD_STR = ["%00", "²", "..", "%ff%fe", "a" * 2000, "%2F%2E%2E", "' OR 1=1 --", "<script>"]
if FUZZ:
    ODD_INT += ["00000000001", "2147483648", "1" * 400]
    ODD_STR += ["%C0%AE", "\u202e", "🙂" * 300, "%0d%0aSet-Cookie:x=1", "null", "-1"]

CONVERTER = re.compile(r"<(?:(\w+):)?\w+>")
REGEX_GROUP = re.compile(r"\(\?P<\w+>[^)]*\)")
SKIP_IN_CI = ("admin/", "documents/", "accounts/")  # Wagtail's and allauth's: `make fuzz`


def _walk(patterns, prefix=""):
    for p in patterns:
        route = str(p.pattern)
        if isinstance(p.pattern, type(get_resolver().pattern)) or route.startswith("^"):
            route = route.lstrip("^").rstrip("$").replace("\\Z", "")
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + route)
        elif isinstance(p, URLPattern):
            yield prefix + route


def _paths() -> list[str]:
    paths = set()
    for route in _walk(get_resolver().url_patterns):
        if not FUZZ and route.startswith(SKIP_IN_CI):
            continue
        if "(?" in route and not REGEX_GROUP.search(route):
            continue  # a catch-all regex (the API's 404, Wagtail's page tree)
        has_param = CONVERTER.search(route) or REGEX_GROUP.search(route)
        if not has_param:
            continue
        for value in ODD_INT + ODD_STR:

            def put(match, value=value):
                kind = match.group(1) if match.re is CONVERTER else None
                if kind == "int" and not value.isdigit():
                    return "1"
                return value

            path = CONVERTER.sub(put, route)
            path = REGEX_GROUP.sub(value, path)
            if "[" in path or "\\" in path or "(" in path:
                continue  # an un-substitutable regex
            paths.add("/" + path)
    return sorted(paths)


def test_the_walk_covers_the_portals_patterns():
    paths = _paths()
    assert any(p.startswith("/r/") for p in paths)
    assert any(p.startswith("/partner/statements/") for p in paths)
    assert any(p.startswith("/api/v1/leads/") for p in paths)
    assert len(paths) > 100


@pytest.mark.django_db
def test_every_web_url_pattern_with_odd_path_values_answers_without_a_500(
    reviewer, partner_admin, employee, manager, program
):
    clients = {
        "anonymous": _client(),
        "reviewer": _client(reviewer),
        "partner admin": _client(partner_admin),
        "employee": _client(employee),
    }
    failures = []
    for path in _paths():
        for who, client in clients.items():
            for method in ("get", "post") if FUZZ else ("get",):
                response = getattr(client, method)(path)
                if response.status_code >= 500:
                    failures.append(
                        f"{method.upper()} {path[:120]} as {who}: {response.status_code}"
                    )
    assert not failures, "\n".join(failures)

# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from portal.leads.models import Lead
from tests.factories import ProgramFactory, UserFactory, submit_lead


@pytest.mark.parametrize("persona", ["employee", "partner_user", "partner_admin"])
def test_queue_is_refused_outside_staff(db, client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("leads_admin:queue")).status_code == 403


@pytest.mark.parametrize("persona", ["manager", "finance"])
def test_queue_is_refused_to_other_staff_roles(db, client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("leads_admin:queue")).status_code == 403
    assert client.get(reverse("leads_admin:import")).status_code == 403
    assert "Lead review" not in client.get("/admin/").content.decode()


def test_queue_filters_by_program_status_conflict_and_age(client, reviewer, program):
    other_program = ProgramFactory(name="Other program")
    old = submit_lead(UserFactory(), program, name="Old Lead", email="old@oldco.example")
    Lead.objects.filter(pk=old.pk).update(submitted_at=timezone.now() - timedelta(days=10))
    submit_lead(UserFactory(), other_program, name="Other Lead")
    conflicting = submit_lead(UserFactory(), program, name="Twin Lead", email="twin@oldco.example")
    assert conflicting.conflict_with_id == old.pk
    client.force_login(reviewer)
    url = reverse("leads_admin:queue")

    def names(**params):
        html = client.get(url, params).content.decode()
        return {n for n in ("Old Lead", "Other Lead", "Twin Lead") if n in html}

    assert names() == {"Old Lead", "Other Lead", "Twin Lead"}
    assert names(program=other_program.pk) == {"Other Lead"}
    assert names(conflict="yes") == {"Old Lead", "Twin Lead"}
    assert names(conflict="no") == {"Other Lead"}
    assert names(older_than="7") == {"Old Lead"}
    assert names(status="qualified") == set()


def test_queue_runs_a_bounded_number_of_queries(
    client, reviewer, program, django_assert_max_num_queries
):
    for _ in range(15):
        submit_lead(UserFactory(), program)
    client.force_login(reviewer)
    with django_assert_max_num_queries(25):
        assert client.get(reverse("leads_admin:queue")).status_code == 200


CSV = (
    "program,referrer_email,name,email,phone,company,notes,consent\n"
    "{slug},{ref},Good Row,good@goodco.example,+358401234567,GoodCo,,yes\n"
    "{slug},{ref},No Consent,nc@ncco.example,,NcCo,,no\n"
    "unknown-program,{ref},Bad Program,bp@bpco.example,,BpCo,,yes\n"
    "{slug},nobody@nowhere.example,Bad Referrer,br@brco.example,,BrCo,,yes\n"
    "{slug},{ref},Bad Phone,,12,PhCo,,yes\n"
    "{slug},{ref},Second Good,second@secondco.example,,SecondCo,,yes\n"
)


def _upload(client, text):
    return client.post(
        reverse("leads_admin:import"),
        {"file": SimpleUploadedFile("leads.csv", text.encode(), "text/csv")},
    )


def test_import_previews_row_errors_then_imports_only_valid_rows(
    client, reviewer, employee, program
):
    client.force_login(reviewer)
    preview = _upload(client, CSV.format(slug=program.slug, ref=employee.email))
    html = preview.content.decode()
    assert "2 rows can be imported" in html and "4 rows have errors" in html
    assert "must agree to be contacted" in html
    assert (
        "Unknown program" in html and "No active referrer" in html and "valid phone number" in html
    )
    assert not Lead.objects.exists()  # a preview saves nothing
    done = client.post(reverse("leads_admin:import"), {"confirm": "1"})
    assert "2 leads imported" in done.content.decode()
    imported = Lead.objects.order_by("pk")
    assert [lead.name for lead in imported] == ["Good Row", "Second Good"]
    assert {lead.source for lead in imported} == {"import"}
    assert {lead.referrer for lead in imported} == {employee}


def test_import_refuses_a_file_without_the_required_columns(client, reviewer):
    client.force_login(reviewer)
    html = _upload(client, "name,email\nA,a@b.example\n").content.decode()
    assert "lacks the columns" in html
    assert not Lead.objects.exists()


def test_import_confirm_without_preview_imports_nothing(client, reviewer):
    client.force_login(reviewer)
    response = client.post(reverse("leads_admin:import"), {"confirm": "1"}, follow=True)
    assert "preview expired" in response.content.decode()
    assert not Lead.objects.exists()


def test_quality_flags_read_as_the_program_settings_name_them(client, reviewer, employee, program):
    lead = submit_lead(employee, program, email="someone@mailinator.com")
    client.force_login(reviewer)
    queue = client.get(reverse("leads_admin:queue")).content.decode()
    detail = client.get(reverse("leads_admin:detail", args=[lead.pk])).content.decode()
    for page in (queue, detail):
        assert "Disposable e-mail" in page and "disposable_email" not in page
    assert "(Flag for review)" in detail and "(flag)" not in detail

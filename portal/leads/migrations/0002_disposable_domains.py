# SPDX-License-Identifier: AGPL-3.0-or-later
from django.db import migrations

# A starting list; reviewers edit it in the admin (Programs → Disposable domains).
DOMAINS = [
    "mailinator.com", "guerrillamail.com", "10minutemail.com", "tempmail.com", "temp-mail.org",
    "yopmail.com", "trashmail.com", "sharklasers.com", "getnada.com", "dispostable.com",
    "maildrop.cc", "throwawaymail.com", "fakeinbox.com", "mohmal.com", "emailondeck.com",
    "mintemail.com", "spamgourmet.com", "mailnesia.com", "tempail.com", "burnermail.io",
]


def add(apps, schema_editor):
    Domain = apps.get_model("leads", "DisposableEmailDomain")
    for domain in DOMAINS:
        Domain.objects.get_or_create(domain=domain)


def remove(apps, schema_editor):
    apps.get_model("leads", "DisposableEmailDomain").objects.filter(domain__in=DOMAINS).delete()


class Migration(migrations.Migration):
    dependencies = [("leads", "0001_initial")]
    operations = [migrations.RunPython(add, remove)]

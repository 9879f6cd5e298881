# SPDX-License-Identifier: AGPL-3.0-or-later
from django.db import migrations

# Every language of the portal has a locale, so pages can be translated into it.
LANGUAGES = ["en", "fi", "it", "lv", "ru", "tl"]


def add_locales(apps, schema_editor):
    Locale = apps.get_model("wagtailcore", "Locale")
    for code in LANGUAGES:
        Locale.objects.get_or_create(language_code=code)


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0004_board_labels"),
        ("wagtailcore", "0098_apitoken"),
    ]
    operations = [migrations.RunPython(add_locales, migrations.RunPython.noop)]

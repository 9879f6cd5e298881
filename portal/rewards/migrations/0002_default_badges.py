# SPDX-License-Identifier: AGPL-3.0-or-later
from django.db import migrations

BADGES = [
    ("first-referral", "First referral", "Submit your first referral.", "submitted", 1, 10),
    ("five-qualified", "Five qualified", "Have 5 referrals qualified.", "qualified", 5, 20),
    ("ten-qualified", "Ten qualified", "Have 10 referrals qualified.", "qualified", 10, 30),
    ("first-win", "First win", "A referral of yours becomes a won deal.", "won", 1, 40),
    ("four-week-streak", "On a roll", "Refer someone every week for 4 weeks in a row.", "streak_weeks", 4, 50),
    ("top-three-month", "Top 3 of the month", "Finish a month among the top 3 by points.", "top_of_month", 3, 60),
]


def add(apps, schema_editor):
    Badge = apps.get_model("rewards", "Badge")
    for slug, name, description, criterion, threshold, order in BADGES:
        Badge.objects.get_or_create(
            slug=slug,
            defaults={"name": name, "description": description, "criterion": criterion,
                      "threshold": threshold, "order": order},
        )


def remove(apps, schema_editor):
    apps.get_model("rewards", "Badge").objects.filter(slug__in=[b[0] for b in BADGES]).delete()


class Migration(migrations.Migration):
    dependencies = [("rewards", "0001_initial")]
    operations = [migrations.RunPython(add, remove)]

# SPDX-License-Identifier: AGPL-3.0-or-later
"""The Celery application: workers and beat are started with ``celery -A portal``."""

from __future__ import annotations

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.base")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    # Lets /healthz tell a live worker and beat from a reachable but idle broker.
    "heartbeat": {"task": "portal.core.tasks.heartbeat", "schedule": 60.0},
    # Events a lost task, a dead worker or a failing handler left behind.
    "sweep-events": {"task": "portal.events.tasks.events_sweep", "schedule": 10.0},
    # Handled events older than EVENTS_KEEP_DAYS (the outbox is a queue, not a history).
    "prune-events": {
        "task": "portal.events.tasks.events_prune_task",
        "schedule": crontab(hour=3, minute=50),
    },
    "send-notification-emails": {
        "task": "portal.notifications.tasks.notifications_send",
        "schedule": 5.0,
    },
    "remind-reviewers": {
        "task": "portal.leads.tasks.reviewers_remind_stale_leads",
        "schedule": crontab(hour=8, minute=0),
    },
    "recompute-tiers": {
        "task": "portal.rewards.tasks.tiers_recompute",
        "schedule": crontab(hour=2, minute=15),
    },
    "top-of-month-badges": {
        "task": "portal.rewards.tasks.badges_top_of_last_month",
        "schedule": crontab(day_of_month=1, hour=6, minute=0),
    },
    "draw-closed-raffles": {
        "task": "portal.rewards.tasks.raffles_draw_closed",
        "schedule": crontab(minute=5),
    },
    "approve-commissions": {
        "task": "portal.payouts.tasks.commissions_approve",
        "schedule": crontab(hour=1, minute=0),
    },
    "send-due-webhooks": {"task": "portal.webhooks.tasks.webhooks_send_due", "schedule": 30.0},
    "rebuild-boards-if-lost": {"task": "leaderboard.tasks.boards_rebuild_task", "schedule": 60.0},
    "rebuild-boards-nightly": {
        "task": "leaderboard.tasks.boards_rebuild_task",
        "schedule": crontab(hour=4, minute=0),
        "kwargs": {"only_if_lost": False},
    },
    "close-contests": {
        "task": "leaderboard.tasks.contests_close",
        "schedule": crontab(minute="*/5"),
    },
    "weekly-digest": {
        "task": "leaderboard.tasks.weekly_digest",
        "schedule": crontab(day_of_week=1, hour=7, minute=0),
    },
    "partner-health-digest": {
        "task": "portal.insight.tasks.partner_health_digest",
        "schedule": crontab(day_of_week=1, hour=7, minute=5),
    },
    "anonymise-old-outbound-leads": {
        "task": "portal.networks.tasks.outbound_anonymise",
        "schedule": crontab(hour=3, minute=40),
    },
    "run-referral-campaigns": {
        "task": "portal.campaigns.tasks.campaigns_run",
        "schedule": crontab(minute=25),
    },
    "remind-reciprocity": {
        "task": "portal.networks.tasks.reciprocity_remind_task",
        "schedule": crontab(hour=8, minute=10),
    },
    "publish-scheduled-pages": {"task": "cms.tasks.pages_publish_scheduled_task", "schedule": 60.0},
    "anonymise-old-leads": {
        "task": "portal.leads.tasks.leads_anonymise",
        "schedule": crontab(hour=3, minute=30),
    },
}

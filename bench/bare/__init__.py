# SPDX-License-Identifier: AGPL-3.0-or-later
"""The limit for bench/lead_submit.py: a bare Django view that inserts one row.

Served like the portal (gunicorn gthread, persistent PostgreSQL connections, DEBUG off,
Django's default middleware), so the ratio isolates what the portal adds per request.
"""

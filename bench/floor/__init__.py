# SPDX-License-Identifier: AGPL-3.0-or-later
"""The portal's stack around the bare view (bench/lead_submit.py's "floor").

The portal's settings, middleware and signed-in session, CSRF checked, around the bare
view's one-row INSERT (bench/bare's model, migrated into the portal's database): what any
signed-in form post costs before it does anything of its own. It tells the part of the
portal/bare ratio that is the stack (sessions, authentication, CSRF, locale, security
headers, allauth, Wagtail's redirects) from the part that is the submission's own work.
"""

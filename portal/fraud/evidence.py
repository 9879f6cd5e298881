# SPDX-License-Identifier: AGPL-3.0-or-later
"""A case's evidence, in the reviewer's language."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Detector, FraudCase


def evidence_lines(*, case: FraudCase) -> list[str]:
    """What the detector saw, as sentences. Pure (reads the case's stored evidence)."""
    e = case.evidence or {}
    if case.detector == Detector.SHARED_CLIENT:
        texts = {
            "address": _(
                "One client address submitted leads for %(n)s different referrers "
                "(threshold %(t)s)."
            ),
            "device": _(
                "One device submitted leads for %(n)s different referrers (threshold %(t)s)."
            ),
            "network": _(
                "One network submitted leads for %(n)s different referrers (threshold %(t)s)."
            ),
        }
        text = texts.get(e.get("field", ""), texts["address"])
        return [text % {"n": e.get("referrers"), "t": e.get("threshold")}]
    if case.detector == Detector.BURST:
        return [
            ngettext(
                "%(n)s leads within %(m)s minute (threshold %(t)s).",
                "%(n)s leads within %(m)s minutes (threshold %(t)s).",
                e.get("minutes") or 0,
            )
            % {"n": e.get("count"), "m": e.get("minutes"), "t": e.get("threshold")}
        ]
    if case.detector == Detector.RING:
        domains = e.get("domains") or ["", ""]
        return [
            _("%(a)s and %(b)s refer each other's companies.") % {"a": domains[0], "b": domains[-1]}
        ]
    if case.detector == Detector.SELF_REFERRAL:
        lines = []
        if "domain" in (e.get("shared") or []):
            lines.append(
                _("The prospect's e-mail domain %(d)s is the referrer's own.")
                % {"d": e.get("domain")}
            )
        if "phone" in (e.get("shared") or []):
            lines.append(_("The prospect's phone number is the referrer's own."))
        return lines
    if case.detector == Detector.NON_HUMAN:
        lines = []
        if e.get("seconds_after_visit") is not None and e.get("seconds_after_visit", 0) < (
            e.get("threshold") or 0
        ):
            lines.append(
                _("Submitted %(s)s s after the link visit (a person takes at least %(t)s s).")
                % {"s": e.get("seconds_after_visit"), "t": e.get("threshold")}
            )
        if e.get("agent"):
            lines.append(_("Browser: %(agent)s") % {"agent": e.get("agent")})
        return lines
    return []

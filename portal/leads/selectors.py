# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reads of leads and programs. Lead contact data (PII) is reached only through here."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, Count, F, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.accounts.selectors import Viewer, has_role, is_partner, roles_of
from portal.audit.models import AuditEvent
from portal.audit.selectors import audit_events_for
from portal.core.sql import PreparedRead

from .models import Audience, Lead, LeadStatus, Program, ReferralLink
from .permissions import lead_submission_permission

if TYPE_CHECKING:
    from portal.events.models import Event

_UNREAD = object()


def program_audience_includes(*, program: Program, user: Viewer) -> bool:
    """Whether the program's audience (employees, partners, both) includes the user.
    No query."""
    if program.audience == Audience.BOTH:
        return True
    if has_role(user=user, roles=(Role.CUSTOMER,)):  # customers refer to programs open to all
        return False
    return (program.audience == Audience.PARTNERS) == is_partner(user=user)


def programs_open_to(*, user: User) -> QuerySet[Program]:
    """Programs that accept leads from this user today (none when the user may not
    submit at all). Read only."""
    if not lead_submission_permission(user=user).allowed:
        return Program.objects.none()
    today = timezone.localdate()
    audiences = [Audience.BOTH, Audience.PARTNERS if is_partner(user=user) else Audience.EMPLOYEES]
    # has_role, not roles_of: customer is a role of the user's own row, and an employee's
    # groups (the staff roles) need no query on every submission.
    if has_role(user=user, roles=(Role.CUSTOMER,)):
        audiences = [Audience.BOTH]  # customers refer to programs open to all
    return Program.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=today),
        is_enabled=True,
        starts_on__lte=today,
        audience__in=audiences,
    )


# One program by primary key (placeholder 0), as the ORM writes it, compiled once.
_program_by_pk: PreparedRead[Program] = PreparedRead(
    Program, lambda connection: Program.objects.filter(pk=0)
)


def program_open_to(*, user: User, pk: Any) -> Program | None:
    """The program ``pk`` when it accepts leads from this user today, else None: the
    rule of ``programs_open_to`` checked on one row. One query; read only."""
    try:
        pk = Program._meta.pk.to_python(pk)
    except ValidationError:
        return None
    if pk is None or not lead_submission_permission(user=user).allowed:
        return None
    program = next(iter(_program_by_pk.run([pk])), None)
    if program is None or not program.is_open_on(timezone.localdate()):
        return None
    return program if program_audience_includes(program=program, user=user) else None


def leads_visible_to(*, user: Viewer) -> QuerySet[Lead]:
    """Every lead the user may see: reviewers all; partner admins their organisation's;
    managers their teams'; everyone else their own."""
    roles = roles_of(user=user)
    qs = Lead.objects.select_related("program", "referrer", "organisation")
    if not roles:
        return qs.none()
    if Role.REVIEWER in roles:
        return qs
    if not isinstance(user, User):
        return qs.none()
    visible = Q(referrer=user)
    if Role.PARTNER_ADMIN in roles:
        visible |= Q(organisation_id=user.partner_organisation_id)
    if Role.MANAGER in roles:
        visible |= Q(referrer__team__managers=user)
    return qs.filter(visible).distinct()


def lead_pii_visible(*, user: Viewer, lead: Lead) -> bool:
    """Contact data: the submitter, the submitter's partner admin, and reviewers. Read
    only."""
    roles = roles_of(user=user)
    if Role.REVIEWER in roles or lead.referrer_id == user.pk:
        return True
    return (
        isinstance(user, User)
        and Role.PARTNER_ADMIN in roles
        and lead.organisation_id == user.partner_organisation_id
    )


def lead_timeline(*, lead: Lead) -> QuerySet[AuditEvent]:
    """The lead's audit records, for its history. Read only."""
    return audit_events_for(target=lead)


def lead_counts_for(*, user: User) -> dict[str, int]:
    """Figures for the referrer's own dashboard: total, open, qualified, won. Read only."""
    return Lead.objects.filter(referrer=user).aggregate(
        total=Count("pk"),
        open=Count(
            "pk",
            filter=Q(status__in=[LeadStatus.SUBMITTED, LeadStatus.IN_REVIEW, LeadStatus.QUALIFIED]),
        ),
        qualified=Count("pk", filter=Q(status__in=[LeadStatus.QUALIFIED, LeadStatus.WON])),
        won=Count("pk", filter=Q(status=LeadStatus.WON)),
    )


AGE_FILTERS = {"1": 1, "3": 3, "7": 7, "30": 30}


def review_queue(
    *, program: int | None = None, status: str = "", conflict: str = "", older_than: str = ""
) -> QuerySet[Lead]:
    """The reviewers' queue: new leads first, then those in review, then qualified ones
    waiting for the deal; within each, the one waiting longest first.

    ``waiting_since`` is annotated on each lead: a lead waits for review from its
    submission until a reviewer qualifies or rejects it (starting the review does not
    reset the clock); a qualified lead waits for its deal from its qualification. Filters
    come straight from the admin's form."""
    qs = Lead.objects.select_related(
        "program", "referrer", "organisation", "conflict_with"
    ).annotate(
        queue_rank=Case(
            When(status=LeadStatus.SUBMITTED, then=Value(0)),
            When(status=LeadStatus.IN_REVIEW, then=Value(1)),
            default=Value(2),
        ),
        waiting_since=Case(
            When(status=LeadStatus.QUALIFIED, then=F("status_changed_at")),
            default=F("submitted_at"),
        ),
    )
    if status:
        qs = qs.filter(status=status)
    else:
        qs = qs.filter(
            status__in=[LeadStatus.SUBMITTED, LeadStatus.IN_REVIEW, LeadStatus.QUALIFIED]
        )
    if program:
        qs = qs.filter(program_id=program)
    if conflict == "yes":
        qs = qs.filter(Q(conflict_with__isnull=False) | Q(conflicts__isnull=False)).distinct()
    elif conflict == "no":
        qs = qs.filter(conflict_with__isnull=True, conflicts__isnull=True)
    if older_than in AGE_FILTERS:
        qs = qs.filter(submitted_at__lte=timezone.now() - timedelta(days=AGE_FILTERS[older_than]))
    return qs.order_by("queue_rank", "waiting_since", "pk")


def stale_leads(*, now: datetime | None = None) -> QuerySet[Lead]:
    """Leads waiting for review longer than their program's reminder threshold at
    ``now`` (default: this moment). Read only.

    The wait counts from the submission (as the queue shows it): starting a review does
    not reset it. A lead is due once it has waited exactly the threshold."""
    now = now or timezone.now()
    # One condition per distinct threshold: programs are few, and this stays portable SQL.
    due = Q(pk__in=[])
    for days in Program.objects.values_list("review_reminder_days", flat=True).distinct():
        due |= Q(program__review_reminder_days=days, submitted_at__lte=now - timedelta(days=days))
    return (
        Lead.objects.filter(due, status__in=[LeadStatus.SUBMITTED, LeadStatus.IN_REVIEW])
        .select_related("program", "referrer")
        .order_by("submitted_at", "pk")
    )


def referral_link_by_code(*, code: str) -> ReferralLink | None:
    """The active link with this code whose owner may still refer, or None. Read only."""
    link = (
        ReferralLink.objects.select_related("user", "user__partner_organisation")
        .filter(code=code, is_active=True)
        .first()
    )
    if (
        link is None
        or not link.user.is_active
        or not lead_submission_permission(user=link.user).allowed
    ):
        return None
    return link


def referral_share_links(*, link: ReferralLink) -> dict[str, Any]:
    """The public address of a referral link, the message each channel is prefilled with
    (in the active language, signed with the referrer's name) and the ready-made links to
    share it: e-mail, SMS, WhatsApp, LinkedIn, Facebook and X. LinkedIn and Facebook take
    only the address: they show the landing's Open Graph card. Read only."""
    url = settings.SITE_URL + reverse("referral_page", args=[link.code])
    name = link.user.display_name
    short = _("I think you would like what we do. Have a look and get in touch:")
    email_subject = _("An introduction from %(name)s") % {"name": name}
    email_body = _(
        "Hello,\n\nI think you would like what we do, and I would be glad to introduce you. "
        "Have a look and leave your details here, and the right person will get in touch:"
        "\n\n%(url)s\n\nBest wishes,\n%(name)s"
    ) % {"url": url, "name": name}
    chat = f"{short} {url}"
    messages = {"email": email_body, "sms": chat, "whatsapp": chat, "x": short}
    return {
        "url": url,
        "share_messages": messages,
        "share": {
            "email": f"mailto:?subject={quote(email_subject)}&body={quote(email_body)}",
            "sms": f"sms:?&body={quote(chat)}",
            "whatsapp": f"https://wa.me/?text={quote(chat)}",
            "linkedin": f"https://www.linkedin.com/sharing/share-offsite/?url={quote(url, safe='')}",
            "facebook": f"https://www.facebook.com/sharer/sharer.php?u={quote(url, safe='')}",
            "x": f"https://x.com/intent/post?text={quote(short)}&url={quote(url, safe='')}",
        },
    }


def referral_landing(*, link: ReferralLink) -> dict[str, Any] | None:
    """What the public landing of a link shows the prospect: the program it refers to (the
    first open to the referrer), the programs to choose from, the headline and the pitch
    in the active language, the brand colour and logo. None when no program is open.
    Read only."""
    programs = programs_open_to(user=link.user)
    program = programs.select_related("brand_logo").first()
    if program is None:
        return None
    referrer_name = link.user.public_name
    headline = program.landing_headline or _("%(name)s thinks we should talk") % {
        "name": referrer_name
    }
    pitch = (
        program.pitch
        or program.description
        or _(
            "Tell us a little about yourself and what you need. Someone from our team will get "
            "in touch — no obligation."
        )
    )
    return {
        "program": program,
        "programs": programs,
        "referrer_name": referrer_name,
        "headline": headline,
        "pitch": pitch,
        "url": settings.SITE_URL + reverse("referral_page", args=[link.code]),
        "logo": program.brand_logo,
        "branded": bool(program.brand_colour),
    }


def brand_palette(*, colour: str) -> dict[str, str]:
    """The colours a brand colour (``#rrggbb``) brings to a page: itself, a darker shade
    for hover, and the text colour that reads on it (white or near-black, whichever has
    the higher WCAG contrast). Pure."""
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    luminance = 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)
    on_white = 1.05 / (luminance + 0.05)
    on_black = (luminance + 0.05) / 0.05
    dark = "#{:02x}{:02x}{:02x}".format(*(int(v * 0.82) for v in (red, green, blue)))
    return {
        "brand": colour.lower(),
        "brand_dark": dark,
        "ink": "#ffffff" if on_white >= on_black else "#16141f",
    }


def program_check_open_to(*, program: Program, user: User) -> None:
    """Refuse (PermissionDenied, ValidationError) unless this user may refer to this
    program today. Locks nothing."""
    permission = lead_submission_permission(user=user)
    if not permission.allowed:
        raise PermissionDenied(permission.reason)
    if not program.is_open_on(timezone.localdate()):
        raise ValidationError(
            {"program": [_("%(program)s is not accepting referrals.") % {"program": program.name}]}
        )
    if not program_audience_includes(program=program, user=user):
        raise ValidationError(
            {"program": [_("%(program)s is not open to you.") % {"program": program.name}]}
        )


def leads_of_events(*, events: list[Event]) -> None:
    """Read the leads of ``events`` that are not read yet, in one query, for
    ``lead_of_event`` to answer from (a batch handler calls it first: the handlers after
    it on the same events then read nothing). Read only."""
    unread = [event for event in events if "_lead_memo" not in event.__dict__]
    if not unread:
        return
    leads = Lead.objects.select_related("program", "referrer__partner_organisation").in_bulk(
        {event.payload["lead"] for event in unread}
    )
    for event in unread:
        event.__dict__["_lead_memo"] = leads.get(event.payload["lead"])


def lead_of_event(*, event: Event) -> Lead | None:
    """The lead an event names (``payload["lead"]``), with its program and its referrer's
    organisation, read once per event however many handlers ask (a submission has seven):
    each handler gets its own copy, so what one sets on it (the status the event
    announced) does not reach the next. None when the lead is gone. Read only."""
    memo = event.__dict__.get("_lead_memo", _UNREAD)
    if memo is _UNREAD:
        memo = (
            Lead.objects.select_related("program", "referrer__partner_organisation")
            .filter(pk=event.payload["lead"])
            .first()
        )
        event.__dict__["_lead_memo"] = memo
    return copy.copy(memo) if memo is not None else None

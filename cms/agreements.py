"""The partner agreement: which version is current, who accepted what, and asking again."""

from __future__ import annotations

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit.services import audit_record

from .cache import TIMEOUT, key
from .models import AgreementAcceptance, AgreementPage, AgreementVersion


def agreement_current() -> tuple[int, int] | None:
    """(page id, version) of the live agreement, cached until an agreement is published."""
    cache_key = key("agreement")
    found = cache.get(cache_key)
    if found is None:
        page = AgreementPage.objects.live().order_by("path").values_list("pk", "version").first()
        found = tuple(page) if page else ()
        cache.set(cache_key, found, TIMEOUT)
    return found or None


def agreement_pending_for(user) -> AgreementPage | None:
    """The agreement this partner user still has to accept (None: nothing to accept)."""
    from portal.accounts.selectors import is_partner

    if not (user and user.is_authenticated and is_partner(user)):
        return None
    current = agreement_current()
    if current is None:
        return None
    page_id, version = current
    if AgreementAcceptance.objects.filter(user=user, page_id=page_id, version=version).exists():
        return None
    return AgreementPage.objects.filter(pk=page_id).first()


def agreement_submission_check(user):
    """The lead-submission condition for partners: the live agreement is accepted."""
    from portal.leads.permissions import SubmitPermission

    agreement = agreement_pending_for(user)
    if agreement is None:
        return None
    return SubmitPermission(
        False,
        _("Please read and accept version %(version)s of the partner agreement first.")
        % {"version": agreement.version},
        action_url=agreement.url or "",
        action_label=_("Read the agreement"),
    )


def agreement_acceptance_of(user, page: AgreementPage) -> AgreementAcceptance | None:
    if not (user and user.is_authenticated):
        return None
    return AgreementAcceptance.objects.filter(user=user, page=page, version=page.version).first()


def agreement_may_accept(user, page: AgreementPage) -> bool:
    """Is the accept form for this reader: a partner user, on the version in force."""
    from portal.accounts.selectors import is_partner

    return bool(page.live and user and user.is_authenticated and is_partner(user))


def agreement_accept(*, user, page: AgreementPage, ip_address: str | None) -> AgreementAcceptance:
    """Record that a partner user accepted the live version. Accepting twice is harmless."""
    from portal.accounts.selectors import is_partner

    if not is_partner(user):
        raise PermissionDenied(_("Only partner users accept the partner agreement."))
    page = AgreementPage.objects.live().filter(pk=page.pk).first()
    if page is None:
        raise PermissionDenied(_("This agreement is not in force."))
    existing = agreement_acceptance_of(user, page)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            acceptance = AgreementAcceptance.objects.create(
                user=user,
                page=page,
                version=page.version,
                revision=page.live_revision,
                accepted_at=timezone.now(),
                ip_address=ip_address or None,
            )
            audit_record(
                actor=user,
                action="agreement.accepted",
                target=page,
                to_state=f"v{page.version}",
                data={"ip": ip_address or "", "revision": page.live_revision_id},
            )
    except IntegrityError:  # a double click: the other request recorded it
        return AgreementAcceptance.objects.get(user=user, page=page, version=page.version)
    return acceptance


def agreement_published(page: AgreementPage) -> int:
    """A version went live: the first time it does, ask every partner user to accept it.
    Returns how many were asked."""
    from portal.accounts.models import User
    from portal.notifications.services import notify

    with transaction.atomic():
        record, created = AgreementVersion.objects.get_or_create(page=page, version=page.version)
        if not created:
            return 0  # a correction within the same version: nobody is asked again
        partners = User.objects.filter(is_active=True, partner_organisation__isnull=False)
        asked = 0
        for user in partners.iterator():
            notify(
                user=user,
                kind="agreement_new_version",
                context={"version": page.version, "changes": page.changes, "title": page.title},
                url=page.url or "",
            )
            asked += 1
        AgreementVersion.objects.filter(pk=record.pk).update(partners_asked=asked)
    return asked

# SPDX-License-Identifier: AGPL-3.0-or-later
"""The partner agreement: which version is current, who accepted what, and asking again."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.audit.services import audit_record

from .cache import TIMEOUT, key
from .i18n import original_of, page_for_reader, translations_by_language
from .models import AgreementAcceptance, AgreementPage, AgreementVersion

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from portal.accounts.selectors import Viewer
    from portal.leads.permissions import SubmitPermission


def agreement_current() -> tuple[int, int] | None:
    """(page id, version) of the live agreement, cached until an agreement is published.
    The original (default language) page: its translations share its version. Read
    only."""
    cache_key = key("agreement")
    found = cache.get(cache_key)
    if found is None:
        live = AgreementPage.objects.live().order_by("path").values_list("pk", "version")
        original = live.filter(locale__language_code=settings.LANGUAGE_CODE).first()
        page = original or live.first()
        found = tuple(page) if page else ()
        cache.set(cache_key, found, TIMEOUT)
    return found or None


def agreement_pending_for(*, user: Viewer | None) -> AgreementPage | None:
    """The agreement this partner user still has to accept (None: nothing to accept).
    Reads the cached current version and the user's acceptance. Read only."""
    from portal.accounts.selectors import is_partner

    if not (user and user.is_authenticated and is_partner(user=user)):
        return None
    current = agreement_current()
    if current is None:
        return None
    page_id, version = current
    page = AgreementPage.objects.filter(pk=page_id).first()
    if page is None or not isinstance(user, User) or _accepted(user, page, version):
        return None
    # In the reader's language when that translation is of the version in force.
    translated = page.localized
    return translated if translated.version == version else page


def agreement_submission_check(user: User) -> SubmitPermission | None:
    """The lead-submission condition for partners: the live agreement is accepted.
    Read only (registered with ``partner_submission_check_register``)."""
    from portal.leads.permissions import SubmitPermission

    agreement = agreement_pending_for(user=user)
    if agreement is None:
        return None
    return SubmitPermission(
        False,
        _("Please read and accept version %(version)s of the partner agreement first.")
        % {"version": agreement.version},
        action_url=agreement.url or "",
        action_label=_("Read the agreement"),
    )


def agreement_acceptance_of(
    *, user: Viewer | None, page: AgreementPage
) -> AgreementAcceptance | None:
    """The user's acceptance of the page's version (in any language), or None. Read
    only."""
    if not isinstance(user, User):
        return None
    return _acceptances(user, page, page.version).first()


def _acceptances(user: User, page: AgreementPage, version: int) -> QuerySet[AgreementAcceptance]:
    """Acceptance is per version, whatever the language it was read in: any translation."""
    return AgreementAcceptance.objects.filter(
        user=user, page__translation_key=page.translation_key, version=version
    )


def _accepted(user: User, page: AgreementPage, version: int) -> bool:
    return _acceptances(user, page, version).exists()


def agreement_may_accept(*, user: Viewer | None, page: AgreementPage) -> bool:
    """Is the accept form for this reader: a partner user, on the version in force.
    Read only."""
    from portal.accounts.selectors import is_partner

    current = agreement_current()
    in_force = current is not None and page.version == current[1]  # not an old translation
    return bool(page.live and in_force and user and user.is_authenticated and is_partner(user=user))


def agreement_accept(
    *, user: User, page: AgreementPage, ip_address: str | None
) -> AgreementAcceptance:
    """Record that a partner user accepted the live version, with the address and the
    revision read. Checks the role and that the page is the version in force; audits it.
    Accepting twice is harmless (a unique constraint; no lock). Publishes nothing."""
    from portal.accounts.selectors import is_partner

    if not is_partner(user=user):
        raise PermissionDenied(_("Only partner users accept the partner agreement."))
    page = AgreementPage.objects.live().filter(pk=page.pk).first()
    current = agreement_current()
    if page is None or current is None or page.version != current[1]:
        raise PermissionDenied(_("This agreement is not in force."))
    existing = agreement_acceptance_of(user=user, page=page)
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


def agreement_published(*, page: AgreementPage) -> int:
    """A version went live: the first time it does, ask every partner user to accept it.
    Returns how many were asked. Once per version (a record per version claims it);
    notifies each partner user. Locks nothing, publishes nothing."""
    from portal.notifications.services import notify

    # Publishing a translation is not a new version: the original keeps the record.
    page = original_of(page)
    with transaction.atomic():
        record, created = AgreementVersion.objects.get_or_create(page=page, version=page.version)
        if not created:
            return 0  # a correction within the same version: nobody is asked again
        partners = User.objects.filter(is_active=True, partner_organisation__isnull=False)
        translations = translations_by_language(page)
        asked = 0
        for user in partners.iterator():
            shown = page_for_reader(translations, page, user)  # in the partner's language
            notify(
                user=user,
                kind="agreement_new_version",
                context={"version": page.version, "changes": shown.changes, "title": shown.title},
                url=shown.url or "",
            )
            asked += 1
        AgreementVersion.objects.filter(pk=record.pk).update(partners_asked=asked)
    return asked

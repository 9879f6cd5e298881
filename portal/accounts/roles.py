# SPDX-License-Identifier: AGPL-3.0-or-later
"""The roles of SPEC §1 and the Django groups that carry the staff ones.

Employee and partner roles follow from the user's record (no partner organisation =
employee); manager, reviewer and finance are memberships of groups, because those groups
also carry the Wagtail admin permissions that decide which menus each role sees.
"""

from __future__ import annotations

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    EMPLOYEE = "employee", _("Employee")
    PARTNER_USER = "partner_user", _("Partner user")
    PARTNER_ADMIN = "partner_admin", _("Partner admin")
    MANAGER = "manager", _("Manager")
    REVIEWER = "reviewer", _("Reviewer")
    FINANCE = "finance", _("Finance")
    CUSTOMER = "customer", _("Customer")


# Who spends points in the reward catalog: the company's people, partners, and customers
# who refer (a customer reaches the catalog and their redemptions, no other rewards page).
REWARD_HOLDERS = (Role.EMPLOYEE, Role.PARTNER_USER, Role.CUSTOMER)

STAFF_GROUPS: dict[Role, str] = {
    Role.MANAGER: "Managers",
    Role.REVIEWER: "Reviewers",
    Role.FINANCE: "Finance",
}

# "app_label.codename" permissions per staff group. Later work (leads, payouts, CMS
# sections) adds its own here, so that each role sees only the admin menus of its work.
GROUP_PERMISSIONS: dict[Role, list[str]] = {
    Role.MANAGER: [
        "wagtailadmin.access_admin",
        "leaderboard.add_contest",
        "leaderboard.change_contest",
        "leaderboard.view_contest",
    ],
    Role.REVIEWER: [
        "wagtailadmin.access_admin",
        "wagtail_localize.submit_translation",  # translate content pages (wagtail-localize)
        "leads.review_lead",
        "leaderboard.add_contest",
        "leaderboard.change_contest",
        "leaderboard.view_contest",
        "rewards.add_rewarditem",
        "rewards.change_rewarditem",
        "rewards.view_rewarditem",
        "rewards.add_pointrule",
        "rewards.change_pointrule",
        "rewards.view_pointrule",
        "rewards.add_tier",
        "rewards.change_tier",
        "rewards.view_tier",
        "rewards.add_badge",
        "rewards.change_badge",
        "rewards.view_badge",
        "rewards.add_milestone",
        "rewards.change_milestone",
        "rewards.view_milestone",
        "rewards.add_raffle",
        "rewards.change_raffle",
        "rewards.view_raffle",
        "rewards.add_offercode",
        "rewards.change_offercode",
        "rewards.view_offercode",
        "leads.add_program",
        "leads.change_program",
        "leads.view_program",
        "leads.add_disposableemaildomain",
        "leads.change_disposableemaildomain",
        "leads.delete_disposableemaildomain",
        "leads.view_disposableemaildomain",
        "accounts.add_partnerorganisation",
        "accounts.change_partnerorganisation",
        "accounts.view_partnerorganisation",
        "accounts.view_team",
        "accounts.add_team",
        "accounts.change_team",
        "wagtailimages.add_image",
        "wagtailimages.change_image",
        "wagtailimages.choose_image",
        "wagtaildocs.add_document",
        "wagtaildocs.change_document",
        "wagtaildocs.choose_document",
        "cms.view_agreementacceptance",
        "networks.add_reciprocalterms",
        "networks.change_reciprocalterms",
        "networks.view_reciprocalterms",
        "networks.add_programnetworkoptions",
        "networks.change_programnetworkoptions",
        "networks.view_programnetworkoptions",
    ],
    Role.FINANCE: [
        "wagtailadmin.access_admin",
        "accounts.view_partnerorganisation",
        "payouts.add_commissionplan",
        "payouts.change_commissionplan",
        "payouts.view_commissionplan",
        "payouts.add_partnerplan",
        "payouts.change_partnerplan",
        "payouts.view_partnerplan",
        "payouts.add_programcommissionsettings",
        "payouts.change_programcommissionsettings",
        "payouts.view_programcommissionsettings",
    ],
}
# Reviewers edit program content: page permissions on the whole tree.
REVIEWER_PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "delete_page"]


@transaction.atomic
def ensure_role_groups() -> None:
    """Create the staff groups and (re)apply their permissions. Safe to run repeatedly."""
    from django.contrib.auth.models import Group, Permission
    from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page

    for role, group_name in STAFF_GROUPS.items():
        group, _created = Group.objects.get_or_create(name=group_name)
        wanted = []
        for dotted in GROUP_PERMISSIONS[role]:
            app_label, codename = dotted.split(".")
            perm = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if perm is not None:
                wanted.append(perm)
        group.permissions.set(wanted)

    reviewers = Group.objects.get(name=STAFF_GROUPS[Role.REVIEWER])
    root = Page.get_first_root_node()
    if root is not None:
        for codename in REVIEWER_PAGE_PERMISSIONS:
            perm = Permission.objects.filter(
                content_type__app_label="wagtailcore", codename=codename
            ).first()
            if perm:
                GroupPagePermission.objects.get_or_create(
                    group=reviewers, page=root, permission=perm
                )
    root_collection = Collection.get_first_root_node()
    if root_collection is not None:
        for dotted in GROUP_PERMISSIONS[Role.REVIEWER]:
            app_label, codename = dotted.split(".")
            if app_label in {"wagtailimages", "wagtaildocs"}:
                perm = Permission.objects.get(content_type__app_label=app_label, codename=codename)
                GroupCollectionPermission.objects.get_or_create(
                    group=reviewers, collection=root_collection, permission=perm
                )

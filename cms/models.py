# SPDX-License-Identifier: AGPL-3.0-or-later
"""The program's content: page types with explicit parent/child rules, audiences, the
versioned partner agreement and its acceptances."""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from leaderboard.labels import METRIC_LABELS, PERIOD_LABELS
from leaderboard.ranking import METRICS, PERIODS

from . import live
from .audience import Audience, is_public, visible_pages
from .blocks import (
    RICH_TEXT_FEATURES,
    SCOPES,
    QuestionBlock,
    body_blocks,
)


class ContentPageForm(WagtailAdminPageForm):
    def clean(self):
        cleaned = super().clean()
        parent = self.parent_page
        slug = cleaned.get("slug")
        if slug and parent is not None and parent.depth == 2:
            # A page right under the home page lives at /<slug>/: the portal's own
            # addresses come first, and would hide it.
            try:
                match = resolve(f"/{slug}/")
            except Resolver404:
                match = None
            if match is not None and match.url_name != "wagtail_serve":
                self.add_error(
                    "slug",
                    _("/%(slug)s/ is an address of the portal itself: choose another slug.")
                    % {"slug": slug},
                )
        return cleaned


class ContentPage(Page):
    """Every content page: who may see it (this page and the pages below it)."""

    audience = models.CharField(
        _("who may see this page"),
        max_length=16,
        choices=Audience.choices,
        default=Audience.PUBLIC,
        help_text=_(
            "Applies to this page and every page below it. Others do not see it in menus, "
            "search or the sitemap."
        ),
    )
    audience_tier = models.ForeignKey(
        "rewards.Tier",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("lowest tier"),
        help_text=_("Only for 'Partners at or above a tier'."),
    )

    settings_panels = [
        MultiFieldPanel(
            [FieldPanel("audience"), FieldPanel("audience_tier")], heading=_("Audience")
        ),
        *Page.settings_panels,
    ]

    base_form_class = ContentPageForm

    class Meta:
        abstract = True

    @classmethod
    def concrete_models(cls) -> list[type[ContentPage]]:
        return [m for m in apps.get_app_config("cms").get_models() if issubclass(m, cls)]

    def clean(self) -> None:
        super().clean()
        if self.audience == Audience.PARTNER_TIER and self.audience_tier_id is None:
            raise ValidationError({"audience_tier": _("Choose the lowest tier that may see it.")})
        if self.audience != Audience.PARTNER_TIER:
            self.audience_tier = None

    @property
    def listing_summary(self) -> str:
        """A line for search results and lists."""
        return self.search_description or getattr(self, "summary", "") or ""

    def get_sitemap_urls(self, request=None):
        return super().get_sitemap_urls(request) if is_public(self) else []

    def visible_children(self, request, model=None):
        children = self.get_children().live().specific()
        if model is not None:
            children = children.type(model)
        return visible_pages(children, request.user)


class HomePage(ContentPage):
    """The site root: what the program is, a call to refer, the live top 5, the news."""

    headline = models.CharField(
        _("headline"), max_length=200, default="Know someone who needs us? Vouch for them."
    )
    intro = RichTextField(_("introduction"), blank=True, features=RICH_TEXT_FEATURES)
    call_to_action = models.CharField(_("call to action"), max_length=80, default="Refer someone")
    show_top_referrers = models.BooleanField(
        _("show the live top 5"),
        default=True,
        help_text=_("This month's top referrers by points, for signed-in readers."),
    )
    body = StreamField(body_blocks(), blank=True, verbose_name=_("more content"))

    content_panels = [
        *Page.content_panels,
        FieldPanel("headline"),
        FieldPanel("intro"),
        FieldPanel("call_to_action"),
        FieldPanel("show_top_referrers"),
        FieldPanel("body"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("headline"), index.SearchField("intro")]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "cms.ProgramPage",
        "cms.GuideIndexPage",
        "cms.ArticlePage",
        "cms.FAQPage",
        "cms.AnnouncementIndexPage",
        "cms.RewardCatalogPage",
        "cms.AgreementPage",
    ]

    class Meta:
        verbose_name = _("home page")

    @classmethod
    def can_create_at(cls, parent) -> bool:
        # One home page per language: the others are its translations (Translate), never
        # a second tree added by hand.
        return (
            super().can_create_at(parent)
            and not cls.objects.filter(locale__language_code=settings.LANGUAGE_CODE).exists()
        )

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        if self.show_top_referrers:
            context["top"] = live.leaderboard_widget(
                request.user, scope="everyone", metric="points", period="month", top_n=5
            )
        news = (
            AnnouncementPage.objects.live().descendant_of(self).order_by("-first_published_at")[:12]
        )
        context["announcements"] = visible_pages(news, request.user)[:3]
        context["sections"] = [p for p in self.visible_children(request) if p.show_in_menus]
        return context


class ProgramPage(ContentPage):
    """A program's rules, with its tiers, point rules and rewards read from the portal."""

    program = models.ForeignKey(
        "leads.Program",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("program"),
        help_text=_("Tiers, points and rewards on this page come from this program's settings."),
    )
    intro = RichTextField(_("introduction"), blank=True, features=RICH_TEXT_FEATURES)
    body = StreamField(body_blocks(), blank=True, verbose_name=_("rules and details"))
    show_catalog = models.BooleanField(_("show the reward catalog"), default=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("program"),
        FieldPanel("intro"),
        FieldPanel("body"),
        FieldPanel("show_catalog"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.ArticlePage", "cms.FAQPage"]

    class Meta:
        verbose_name = _("program page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        program = live.program_for(self.program_id)
        context["program"] = program
        context["tiers"] = live.tier_table(program)
        context["point_rules"] = live.point_rules(program)
        if self.show_catalog:
            context["catalog"] = live.catalog_slice(request.user, limit=12)
        return context


class GuideIndexPage(ContentPage):
    intro = RichTextField(_("introduction"), blank=True, features=RICH_TEXT_FEATURES)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.ArticlePage"]

    class Meta:
        verbose_name = _("guides section")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["guides"] = self.visible_children(request, ArticlePage)
        return context


class ArticlePage(ContentPage):
    """A guide or an article: rich text, images, quotes, video, calls to action, live data."""

    summary = models.CharField(
        _("summary"),
        max_length=240,
        blank=True,
        help_text=_("One or two sentences for lists and search results."),
    )
    body = StreamField(body_blocks(), verbose_name=_("body"))

    content_panels = [*Page.content_panels, FieldPanel("summary"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("summary"), index.SearchField("body")]
    parent_page_types = ["cms.HomePage", "cms.GuideIndexPage", "cms.ProgramPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("guide or article")


class FAQPage(ContentPage):
    intro = RichTextField(_("introduction"), blank=True, features=RICH_TEXT_FEATURES)
    questions = StreamField(
        [("question", QuestionBlock())],
        verbose_name=_("questions"),
        help_text=_("Each question with its answer; shown in this order."),
    )

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("questions")]
    search_fields = [*Page.search_fields, index.SearchField("questions")]
    parent_page_types = ["cms.HomePage", "cms.ProgramPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("FAQ page")

    def structured_data(self) -> dict:
        """schema.org FAQPage, so search engines can show the answers."""
        from django.utils.html import strip_tags

        return {
            "@context": "https://schema.org",
            "@type": "FAQPage",
            "mainEntity": [
                {
                    "@type": "Question",
                    "name": block.value["question"],
                    "acceptedAnswer": {
                        "@type": "Answer",
                        "text": strip_tags(str(block.value["answer"])).strip(),
                    },
                }
                for block in self.questions
            ],
        }


class AnnouncementIndexPage(ContentPage):
    intro = RichTextField(_("introduction"), blank=True, features=RICH_TEXT_FEATURES)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.AnnouncementPage"]

    class Meta:
        verbose_name = _("announcements section")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        news = AnnouncementPage.objects.live().child_of(self).order_by("-first_published_at")
        context["announcements"] = visible_pages(news, request.user)
        return context


BOARD_SCOPES = [(s, label) for s, label in SCOPES if s != "my_team"]


class AnnouncementPage(ContentPage):
    """News for participants, e.g. "Top referrers of October", with an optional frozen
    snapshot of a board taken when it is first published."""

    summary = models.CharField(
        _("summary"), max_length=240, help_text=_("Shown in the notification and in lists.")
    )
    body = StreamField(body_blocks(), blank=True, verbose_name=_("body"))
    snapshot_scope = models.CharField(
        _("board snapshot: who"),
        max_length=16,
        choices=BOARD_SCOPES,
        blank=True,
        help_text=_("Leave empty for no snapshot. Taken once, when the page is first published."),
    )
    snapshot_metric = models.CharField(
        _("ranked by"),
        max_length=16,
        choices=[(m, METRIC_LABELS[m]) for m in METRICS],
        default="points",
    )
    snapshot_period = models.CharField(
        _("period"),
        max_length=16,
        choices=[(p, PERIOD_LABELS[p]) for p in PERIODS],
        default="month",
    )
    snapshot_previous_period = models.BooleanField(
        _("the period before this one"),
        default=True,
        help_text=_("E.g. published in November, shows October's board."),
    )
    snapshot_top_n = models.PositiveSmallIntegerField(_("how many"), default=10)
    email_participants = models.BooleanField(
        _("also send by e-mail"),
        default=False,
        help_text=_(
            "Everyone who may see it gets a notification in the portal; tick to e-mail too."
        ),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("body"),
        MultiFieldPanel(
            [
                FieldPanel("snapshot_scope"),
                FieldPanel("snapshot_metric"),
                FieldPanel("snapshot_period"),
                FieldPanel("snapshot_previous_period"),
                FieldPanel("snapshot_top_n"),
            ],
            heading=_("Frozen leaderboard"),
        ),
        FieldPanel("email_participants"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("summary"), index.SearchField("body")]
    parent_page_types = ["cms.AnnouncementIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("announcement")

    @property
    def snapshot_board_id(self) -> str:
        if not self.snapshot_scope:
            return ""
        return f"{self.snapshot_scope}.{self.snapshot_metric}.{self.snapshot_period}"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # The snapshot frozen when the original went live serves every translation.
        delivery = AnnouncementDelivery.objects.filter(
            page__translation_key=self.translation_key
        ).first()
        snapshot = delivery.snapshot if delivery else {}
        if not snapshot and self.snapshot_board_id:
            # A preview, or a page published before its snapshot: show the board as it is.
            snapshot = live.board_snapshot(
                self.snapshot_board_id,
                top_n=self.snapshot_top_n,
                previous_period=self.snapshot_previous_period,
            )
        if snapshot:
            context["snapshot"] = snapshot
            context["snapshot_rows"] = live.snapshot_rows_for(snapshot, request.user)
            context["snapshot_metric"] = METRIC_LABELS.get(snapshot.get("metric") or "", "")
        return context


class RewardCatalogPage(ContentPage):
    intro = RichTextField(_("introduction"), blank=True, features=RICH_TEXT_FEATURES)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types: list[str] = []
    max_count_per_parent = 1  # one per language tree

    class Meta:
        verbose_name = _("reward catalog page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["catalog"] = live.catalog_slice(request.user, limit=200)
        return context


class AgreementPage(ContentPage):
    """The partner program agreement. Raising the version asks every partner to accept
    again before their next referral."""

    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        help_text=_(
            "Raise it when the terms change: every partner user must accept the new version "
            "before their next referral. Corrections that change nothing keep the version."
        ),
    )
    effective_from = models.DateField(_("effective from"), default=timezone.localdate)
    changes = models.TextField(
        _("what changed"), blank=True, help_text=_("Shown to partners asked to accept again.")
    )
    body = RichTextField(_("terms"), features=RICH_TEXT_FEATURES)

    content_panels = [
        *Page.content_panels,
        FieldPanel("version"),
        FieldPanel("effective_from"),
        FieldPanel("changes"),
        FieldPanel("body"),
    ]
    parent_page_types = ["cms.HomePage"]
    subpage_types: list[str] = []
    max_count_per_parent = 1  # one per language tree: its translations share the version

    class Meta:
        verbose_name = _("partner agreement")

    def get_context(self, request, *args, **kwargs):
        from .agreements import agreement_acceptance_of, agreement_may_accept

        context = super().get_context(request, *args, **kwargs)
        context["acceptance"] = agreement_acceptance_of(user=request.user, page=self)
        context["may_accept"] = agreement_may_accept(user=request.user, page=self)
        return context


class AnnouncementDelivery(models.Model):
    """What publishing an announcement did, once: the frozen board and the notifications.
    Kept apart from the page so that no revision can undo it."""

    page = models.OneToOneField(
        AnnouncementPage, on_delete=models.CASCADE, primary_key=True, related_name="delivery"
    )
    snapshot = models.JSONField(default=dict, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)
    recipients = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.page_id}: {self.recipients}"


class AgreementVersion(models.Model):
    """Each version of the agreement that went live, and when partners were asked."""

    page = models.ForeignKey(AgreementPage, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    published_at = models.DateTimeField(default=timezone.now)
    partners_asked = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["page", "version"], name="one_record_per_version")
        ]

    def __str__(self) -> str:
        return f"v{self.version}"


class AgreementAcceptance(models.Model):
    """A partner user's acceptance of one version of the agreement: kept as evidence."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agreement_acceptances"
    )
    page = models.ForeignKey(AgreementPage, on_delete=models.PROTECT, related_name="acceptances")
    version = models.PositiveIntegerField()
    revision = models.ForeignKey(
        "wagtailcore.Revision",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The exact text the user accepted."),
    )
    accepted_at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-accepted_at"]
        verbose_name = _("agreement acceptance")
        verbose_name_plural = _("agreement acceptances")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "page", "version"], name="one_acceptance_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} v{self.version}"

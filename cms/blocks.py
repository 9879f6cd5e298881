# SPDX-License-Identifier: AGPL-3.0-or-later
"""StreamField blocks for program content, including live blocks that read the program's
own configuration at render time (never retyped by editors)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageBlock

from leaderboard.labels import METRIC_LABELS, PERIOD_LABELS
from leaderboard.ranking import METRICS, PERIODS
from portal.rewards.models import RewardKind

from . import live

SCOPES = [
    ("everyone", _("Everyone")),
    ("employees", _("Employees")),
    ("partners", _("Partner people")),
    ("orgs", _("Partner organisations")),
    ("my_team", _("The reader's own team")),
]


def program_choices() -> list[tuple[int, str]]:
    from portal.leads.models import Program

    return [(p.pk, p.name) for p in Program.objects.order_by("name")]


def contest_choices() -> list[tuple[int, str]]:
    from leaderboard.models import Contest

    return [(c.pk, c.name) for c in Contest.objects.order_by("-starts_at")]


def _viewer(parent_context):
    request = (parent_context or {}).get("request")
    return getattr(request, "user", None)


class LiveBlock(blocks.StructBlock):
    """A block whose content comes from the portal when the page is shown."""

    def read(self, value, user):  # pragma: no cover - every live block overrides it
        raise NotImplementedError

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        user = _viewer(parent_context)
        context["viewer"] = user
        context["data"] = self.read(value, user)
        return context


class LeaderboardBlock(LiveBlock):
    title = blocks.CharBlock(
        required=False, help_text=_("Shown above the board, e.g. 'Top referrers this month'.")
    )
    scope = blocks.ChoiceBlock(choices=SCOPES, default="everyone", label=_("Who is ranked"))
    metric = blocks.ChoiceBlock(
        choices=[(m, METRIC_LABELS[m]) for m in METRICS], default="points", label=_("Ranked by")
    )
    period = blocks.ChoiceBlock(
        choices=[(p, PERIOD_LABELS[p]) for p in PERIODS], default="month", label=_("Period")
    )
    top_n = blocks.IntegerBlock(
        default=5, min_value=3, max_value=50, label=_("How many"), help_text=_("3 to 50 people.")
    )

    def read(self, value, user):
        return live.leaderboard_widget(
            user,
            scope=value["scope"],
            metric=value["metric"],
            period=value["period"],
            top_n=value["top_n"],
        )

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        context["metric_label"] = METRIC_LABELS.get(value["metric"], "")
        context["period_label"] = PERIOD_LABELS.get(value["period"], "")
        return context

    class Meta:
        template = "cms/blocks/leaderboard.html"
        icon = "list-ol"
        label = _("Live leaderboard")
        help_text = _("Updates live for signed-in readers who may see that board.")


class TierTableBlock(LiveBlock):
    program = blocks.ChoiceBlock(choices=program_choices, label=_("Program"))

    def read(self, value, user):
        program = live.program_for(value.get("program") and int(value["program"]))
        tiers = live.tier_table(program)
        return {"program": program, "tiers": tiers} if tiers else None

    class Meta:
        template = "cms/blocks/tier_table.html"
        icon = "pick"
        label = _("Tier table")
        help_text = _("The program's tier ladder as configured under Rewards → Tiers.")


class RewardCatalogBlock(LiveBlock):
    title = blocks.CharBlock(required=False)
    kind = blocks.ChoiceBlock(
        choices=RewardKind.choices, required=False, label=_("Only this kind of reward")
    )
    limit = blocks.IntegerBlock(default=6, min_value=1, max_value=24, label=_("How many"))

    def read(self, value, user):
        return live.catalog_slice(user, limit=value["limit"], kind=value.get("kind") or "")

    class Meta:
        template = "cms/blocks/reward_catalog.html"
        icon = "gift"
        label = _("Reward catalog slice")
        help_text = _("Active rewards, cheapest first, with the reader's eligibility.")


class MyProgressBlock(LiveBlock):
    program = blocks.ChoiceBlock(
        choices=program_choices,
        required=False,
        label=_("Program"),
        help_text=_("Leave empty for the first program with tiers."),
    )

    def read(self, value, user):
        program_id = value.get("program")
        program = live.program_for(int(program_id)) if program_id else None
        if program_id and program is None:
            return None
        return live.my_progress(user, program)

    class Meta:
        template = "cms/blocks/my_progress.html"
        icon = "user"
        label = _("My progress")
        help_text = _("Each reader sees their own points, tier and what the next tier needs.")


class ContestCountdownBlock(LiveBlock):
    contest = blocks.ChoiceBlock(choices=contest_choices, label=_("Contest"))

    def read(self, value, user):
        contest_id = value.get("contest")
        return live.contest_countdown(int(contest_id) if contest_id else None)

    class Meta:
        template = "cms/blocks/contest_countdown.html"
        icon = "time"
        label = _("Contest countdown")


class ShareBlock(LiveBlock):
    text = blocks.CharBlock(
        default=_("Know someone who would like this? Share your personal referral link."),
        help_text=_("Each reader sees their own link; visitors are asked to log in."),
    )

    def read(self, value, user):
        return live.share_links(user)

    class Meta:
        template = "cms/blocks/share.html"
        icon = "link"
        label = _("Share this (reader's referral link)")


class QuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock(label=_("Quote"))
    attribution = blocks.CharBlock(required=False, label=_("Who said it"))

    class Meta:
        template = "cms/blocks/quote.html"
        icon = "openquote"
        label = _("Quote")


class CallToActionBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("Heading"))
    text = blocks.TextBlock(required=False, label=_("Text"))
    button_label = blocks.CharBlock(default=_("Refer someone"), label=_("Button label"))
    page = blocks.PageChooserBlock(required=False, label=_("Link to a page"))
    url = blocks.CharBlock(
        required=False,
        label=_("…or an address"),
        help_text=_("e.g. /leads/new/ for the referral form. Used when no page is chosen."),
    )

    class Meta:
        template = "cms/blocks/call_to_action.html"
        icon = "pick"
        label = _("Call to action")


class VideoBlock(blocks.StructBlock):
    video = EmbedBlock(help_text=_("A YouTube or Vimeo address."), label=_("Video"))
    caption = blocks.CharBlock(required=False, label=_("Caption"))

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        context["embed_html"] = live.embed_html(value["video"].url if value["video"] else "")
        return context

    class Meta:
        template = "cms/blocks/video.html"
        icon = "media"
        label = _("Video")


class QuestionBlock(blocks.StructBlock):
    question = blocks.CharBlock(label=_("Question"))
    answer = blocks.RichTextBlock(
        features=["bold", "italic", "link", "ol", "ul"], label=_("Answer")
    )

    class Meta:
        icon = "help"
        label = _("Question and answer")


RICH_TEXT_FEATURES = ["h2", "h3", "bold", "italic", "link", "ol", "ul", "hr", "document-link"]


def live_blocks() -> list[tuple[str, blocks.Block]]:
    return [
        ("leaderboard", LeaderboardBlock()),
        ("tier_table", TierTableBlock()),
        ("reward_catalog", RewardCatalogBlock()),
        ("my_progress", MyProgressBlock()),
        ("contest_countdown", ContestCountdownBlock()),
    ]


def body_blocks() -> list[tuple[str, blocks.Block]]:
    """What an article, guide, announcement or program page body may hold."""
    return [
        ("text", blocks.RichTextBlock(features=RICH_TEXT_FEATURES, label=_("Text"))),
        ("image", ImageBlock(label=_("Image"))),
        ("quote", QuoteBlock()),
        ("video", VideoBlock()),
        ("call_to_action", CallToActionBlock()),
        ("share", ShareBlock()),
        *live_blocks(),
    ]

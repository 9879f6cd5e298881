from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page


class HomePage(Page):
    """The site root: what the program is, and a call to refer."""

    headline = models.CharField(
        _("headline"), max_length=200, default="Know someone who needs us? Vouch for them."
    )
    intro = RichTextField(_("introduction"), blank=True)
    call_to_action = models.CharField(_("call to action"), max_length=80, default="Refer someone")

    content_panels = [
        *Page.content_panels,
        FieldPanel("headline"),
        FieldPanel("intro"),
        FieldPanel("call_to_action"),
    ]

    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

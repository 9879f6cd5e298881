# SPDX-License-Identifier: AGPL-3.0-or-later
"""Each role's figures on its dashboard: ``{% load insight_dashboards %}{% manager_figures %}``.
The tags read the viewer from the request, ask ``portal.insight.dashboards`` and draw the
include templates in templates/dashboards/_figures_*.html (charts: ``portal.insight.charts``)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from portal.core.money import money_format
from portal.insight import dashboards
from portal.insight.charts import Point, bar_chart, line_chart, sparkline
from portal.insight.tables import Chart

register = template.Library()


def _month(day: Any) -> str:
    return date_format(day, "YEAR_MONTH_FORMAT")


def _n(value: int) -> str:
    return number_format(value, force_grouping=True)


@register.inclusion_tag("dashboards/_figures_manager.html", takes_context=True)
def manager_figures(context: template.Context) -> dict[str, Any]:
    user = context["request"].user
    teams = dashboards.manager_figures(user=user, today=timezone.localdate())
    for team in teams:
        for m in team.members:
            m.trend = sparkline(  # type: ignore[attr-defined]
                key=f"member-{m.member.pk}",
                title=_("Referrals per week, last %(n)s weeks: %(figures)s")
                % {"n": len(m.weekly), "figures": ", ".join(_n(v) for v in m.weekly)},
                values=m.weekly,
            )
    return {"teams": teams, "request": context["request"]}


@register.inclusion_tag("dashboards/_figures_finance.html", takes_context=True)
def finance_figures(context: template.Context) -> dict[str, Any]:
    user = context["request"].user
    return {"f": dashboards.finance_figures(user=user, now=timezone.now())}


@register.inclusion_tag("dashboards/_figures_partner.html", takes_context=True)
def partner_figures(context: template.Context) -> dict[str, Any]:
    user = context["request"].user
    f = dashboards.partner_figures(user=user, today=timezone.localdate())
    charts = []
    if f:
        for currency, amounts in f.earnings.items():
            title = _("Commissions earned per month (%(currency)s)") % {"currency": currency}
            marks = [
                Point(_month(m), a, money_format(a, currency))
                for m, a in zip(f.months, amounts, strict=True)
            ]
            charts.append(
                Chart(
                    key=f"earnings-{currency.lower()}",
                    title=title,
                    svg=line_chart(
                        key=f"earnings-{currency.lower()}",
                        title=title,
                        desc="; ".join(f"{p.label}: {p.text}" for p in marks),
                        points=marks,
                    ),
                    header=[_("Month"), _("Earned")],
                    rows=[[p.label, p.text] for p in marks],
                )
            )
    return {"f": f, "charts": charts}


@register.inclusion_tag("dashboards/_figures_employee.html", takes_context=True)
def employee_figures(context: template.Context) -> dict[str, Any]:
    user = context["request"].user
    f = dashboards.employee_figures(user=user, today=timezone.localdate())
    steps = [(_("Submitted"), f.submitted), (_("Qualified"), f.qualified), (_("Won"), f.won)]
    funnel_title = _("Your referrals of the last 12 months")
    funnel = Chart(
        key="my-funnel",
        title=funnel_title,
        svg=bar_chart(
            key="my-funnel",
            title=funnel_title,
            desc="; ".join(f"{label}: {_n(n)}" for label, n in steps),
            points=[Point(label, n, _n(n)) for label, n in steps],
        ),
        header=[_("Step"), _("Count")],
        rows=[[label, _n(n)] for label, n in steps],
    )
    points_title = _("Points earned per month")
    marks = [Point(_month(m), p, _n(p)) for m, p in zip(f.months, f.points, strict=True)]
    points = Chart(
        key="my-points",
        title=points_title,
        svg=line_chart(
            key="my-points",
            title=points_title,
            desc="; ".join(f"{p.label}: {p.text}" for p in marks),
            points=marks,
        ),
        header=[_("Month"), _("Points")],
        rows=[[p.label, p.text] for p in marks],
    )
    return {"f": f, "charts": [funnel, points]}

# SPDX-License-Identifier: AGPL-3.0-or-later
"""The insight tables, built once and shown twice: as HTML and as CSV (the same cells)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.core.money import money_format

from .charts import Point, bar_chart, line_chart
from .forms import PROFILE_LABELS
from .selectors import FunnelRow, MoneyRow, PartnerHealth, ReferrerProfile


@dataclass(frozen=True)
class Cell:
    value: Any
    kind: str = "text"  # text, count, percent, money, duration
    currency: str = ""
    href: str = ""

    @property
    def csv(self) -> str:
        """The cell as the CSV writes it: numbers plain, durations in hours."""
        if self.value is None:
            return ""
        if self.kind == "duration":
            return str(Decimal(self.value.total_seconds() / 3600).quantize(Decimal("0.1")))
        return str(self.value)


@dataclass
class Table:
    key: str
    title: str
    header: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    total: int | None = None  # rows in all, when the page shows only the first ones

    @property
    def cut(self) -> bool:
        """The page shows the first rows only (the CSV has them all)."""
        return self.total is not None and self.total > len(self.rows)

    def csv_rows(self) -> list[list[str]]:
        return [[cell.csv for cell in row] for row in self.rows]


def _leads_link(query: dict[str, Any], **extra: Any) -> str:
    params = {k: v for k, v in {**query, **extra}.items() if v not in (None, "")}
    return f"{reverse('insight:leads')}?{urlencode(params)}"


def funnel_table(rows: list[FunnelRow], query: dict[str, Any]) -> Table:
    table = Table(
        key="funnel",
        title=_("Funnel by source"),
        header=[
            _("Source"),
            _("Link visits"),
            _("Submitted"),
            _("Visit to submission (%)"),
            _("Qualified"),
            _("Submission to qualified (%)"),
            _("Won"),
            _("Qualified to won (%)"),
            _("Median time to qualify (hours)"),
            _("Median time to win (hours)"),
        ],
    )
    for r in rows:
        src = r.source
        table.rows.append(
            [
                Cell(r.label or _("All sources")),
                Cell(r.visits, "count"),
                Cell(r.submitted, "count", href=_leads_link(query, step="submitted", source=src)),
                Cell(r.visit_rate, "percent"),
                Cell(r.qualified, "count", href=_leads_link(query, step="qualified", source=src)),
                Cell(r.qualify_rate, "percent"),
                Cell(r.won, "count", href=_leads_link(query, step="won", source=src)),
                Cell(r.win_rate, "percent"),
                Cell(r.to_qualify, "duration"),
                Cell(r.to_win, "duration"),
            ]
        )
    return table


def money_table(rows: list[MoneyRow], query: dict[str, Any]) -> Table:
    table = Table(
        key="money",
        title=_("Money and return on investment"),
        header=[
            _("Currency"),
            _("Revenue from won deals"),
            _("Won deals"),
            _("Rewards fulfilled"),
            _("Commissions and bonuses paid"),
            _("Clawbacks"),
            _("Program cost"),
            _("Return on investment (%)"),
            _("Cost per won deal"),
        ],
    )
    for r in rows:
        c = r.currency
        won = _leads_link(query, step="revenue", currency=c)
        table.rows.append(
            [
                Cell(c),
                Cell(r.revenue, "money", c, href=won),
                Cell(r.won, "count", href=won),
                Cell(r.rewards, "money", c),
                Cell(r.commissions, "money", c),
                Cell(r.clawbacks, "money", c),
                Cell(r.cost, "money", c),
                Cell(r.roi, "percent"),
                Cell(r.cost_per_won, "money", c),
            ]
        )
    return table


def hours(value: timedelta | None) -> str:
    return "" if value is None else Cell(value, "duration").csv


# The page shows this many rows of a long table; its CSV has them all.
PAGE_ROWS = 50


def health_table(rows: list[PartnerHealth], limit: int | None = None) -> Table:
    table = Table(
        key="health",
        title=_("Partners who need attention"),
        header=[
            _("Partner organisation"),
            _("Last lead"),
            _("Leads this period"),
            _("Leads the period before"),
            _("Why"),
        ],
    )
    if limit is not None:
        table.total, rows = len(rows), rows[:limit]
    for r in rows:
        reasons = []
        if r.quiet_days is None:
            reasons.append(_("No lead yet"))
        elif r.quiet:
            reasons.append(
                ngettext("No lead in %(days)s day", "No lead in %(days)s days", r.quiet_days)
                % {"days": r.quiet_days}
            )
        if r.dropped:
            reasons.append(_("Leads fell by half or more"))
        table.rows.append(
            [
                Cell(r.organisation.name),
                Cell(r.last_submission, "date"),
                Cell(r.current, "count"),
                Cell(r.previous, "count"),
                Cell("; ".join(reasons)),
            ]
        )
    return table


def profile_explanation(p: ReferrerProfile) -> str:
    """ "12 leads, 58.0 % won", and the average deal when there is one, with the reader's
    digit grouping and decimal mark."""
    text = ngettext("%(n)s lead, %(rate)s %% won", "%(n)s leads, %(rate)s %% won", p.leads) % {
        "n": number_format(p.leads, force_grouping=True),
        "rate": number_format(p.won_rate, 1),  # the reader's decimal mark: "14,3 %" in Finnish
    }
    if p.average_deal is not None:
        text = _("%(counts)s, average deal %(amount)s") % {
            "counts": text,
            "amount": money_format(p.average_deal, p.currency),
        }
    return text


def profiles_table(
    rows: list[ReferrerProfile],
    query: dict[str, Any],
    limit: int | None = None,
    total: int | None = None,
) -> Table:
    """The profiles, the first ``limit`` of them when given (``total``: how many in all,
    when ``rows`` holds only the first ones)."""
    table = Table(
        key="profiles",
        title=_("Referrer profiles"),
        header=[_("Referrer"), _("Profile"), _("Leads"), _("Won"), _("Why")],
    )
    if limit is not None:
        table.total, rows = (len(rows) if total is None else total), rows[:limit]
    for p in rows:
        assert p.referrer is not None  # noqa: S101 - referrer_profiles(named=...) loads them
        table.rows.append(
            [
                Cell(p.referrer.display_name),
                Cell(str(PROFILE_LABELS[p.kind]) if p.kind else ""),
                Cell(p.leads, "count"),
                Cell(p.won, "count"),
                Cell(profile_explanation(p)),
            ]
        )
    return table


# --- Charts beside the tables ------------------------------------------------------------


@dataclass
class Chart:
    """One chart and the table of its figures (the chart's accessible twin)."""

    key: str
    title: str
    svg: Any
    header: list[str]
    rows: list[list[str]]


def _count(n: int) -> str:
    return number_format(n, force_grouping=True)


def funnel_chart(rows: list[FunnelRow]) -> Chart | None:
    """Bars for link visits → submitted → qualified → won, all sources together."""
    total = next((r for r in rows if not r.source), None)
    if total is None or not total.submitted and not total.visits:
        return None
    steps = [
        (_("Link visits"), total.visits or 0),
        (_("Submitted"), total.submitted),
        (_("Qualified"), total.qualified),
        (_("Won"), total.won),
    ]
    title = _("Funnel, all sources")
    desc = "; ".join(f"{label}: {_count(n)}" for label, n in steps)
    return Chart(
        key="funnel",
        title=title,
        svg=bar_chart(
            key="funnel",
            title=title,
            desc=desc,
            points=[Point(str(label), n, _count(n)) for label, n in steps],
        ),
        header=[_("Step"), _("Count")],
        rows=[[str(label), _count(n)] for label, n in steps],
    )


def revenue_charts(series: dict[str, list[tuple[date, Decimal]]]) -> list[Chart]:
    """One line of revenue over time per currency."""
    charts = []
    for currency, points in series.items():
        title = _("Revenue from won deals over time (%(currency)s)") % {"currency": currency}
        monthly = len(points) > 1 and (points[1][0] - points[0][0]).days > 7
        shape = "YEAR_MONTH_FORMAT" if monthly else "SHORT_DATE_FORMAT"
        marks = [
            Point(date_format(day, shape), amount, money_format(amount, currency))
            for day, amount in points
        ]
        desc = "; ".join(f"{p.label}: {p.text}" for p in marks)
        charts.append(
            Chart(
                key=f"revenue-{currency.lower()}",
                title=title,
                svg=line_chart(
                    key=f"revenue-{currency.lower()}", title=title, desc=desc, points=marks
                ),
                header=[_("Period"), _("Revenue")],
                rows=[[p.label, p.text] for p in marks],
            )
        )
    return charts

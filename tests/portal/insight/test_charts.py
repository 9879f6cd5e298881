# SPDX-License-Identifier: AGPL-3.0-or-later
"""The server-drawn SVG charts: labelled for screen readers, every figure in a title,
scaled by their viewBox, nothing a strict CSP refuses (no style attribute, no script)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from portal.insight.charts import Point, bar_chart, line_chart, sparkline

NS = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(str(svg))  # noqa: S314 - our own output, not untrusted


def _no_inline_style_or_script(root: ET.Element) -> None:
    for el in root.iter():
        assert "style" not in el.attrib
        assert not el.tag.endswith("script") and not el.tag.endswith("style")
        assert not any(k.startswith("on") for k in el.attrib)


def test_bar_chart_is_labelled_scales_and_has_every_figure():
    root = _parse(
        bar_chart(
            key="f",
            title="Funnel",
            desc="Visits: 10; Won: 2",
            points=[Point("Visits", 10, "10"), Point("Won", 2, "2")],
        )
    )
    assert root.get("role") == "img" and root.get("width") == "100%"
    assert root.get("viewBox").startswith("0 0 400 ")
    title_id, desc_id = root.get("aria-labelledby").split()
    assert root.find(f"{NS}title").get("id") == title_id
    assert root.find(f"{NS}title").text == "Funnel"
    assert root.find(f"{NS}desc").get("id") == desc_id
    bars = root.findall(f".//{NS}rect")
    assert [float(b.get("width")) for b in bars] == [310.0, 62.0]  # longest = the largest
    assert [g.find(f"{NS}title").text for g in root.findall(f"{NS}g")] == ["Visits: 10", "Won: 2"]
    _no_inline_style_or_script(root)


def test_labels_are_escaped():
    root = _parse(bar_chart(key="x", title="<b>&", desc="", points=[Point("<script>", 1, "1 & 2")]))
    assert root.find(f"{NS}title").text == "<b>&"
    assert root.find(f".//{NS}g/{NS}title").text == "<script>: 1 & 2"
    _no_inline_style_or_script(root)


def test_line_chart_puts_the_highest_point_on_top_and_names_first_and_last():
    points = [Point("Jan", Decimal("0.00")), Point("Feb", Decimal("50.00")), Point("Mar", 25)]
    root = _parse(line_chart(key="m", title="Revenue", desc="…", points=points))
    dots = root.findall(f"{NS}circle")
    ys = [float(d.get("cy")) for d in dots]
    assert ys[1] < ys[2] < ys[0]  # SVG's y grows downwards
    assert [d.find(f"{NS}title").text for d in dots] == ["Jan: 0.00", "Feb: 50.00", "Mar: 25"]
    labels = [t.text for t in root.findall(f"{NS}text")]
    assert labels == ["50.00", "Jan", "Mar"]
    assert root.find(f"{NS}polyline") is not None
    _no_inline_style_or_script(root)


def test_line_chart_with_one_point_or_none_still_draws():
    one = _parse(line_chart(key="o", title="T", desc="", points=[Point("Jan", 3)]))
    assert len(one.findall(f"{NS}circle")) == 1 and one.find(f"{NS}polyline") is None
    empty = _parse(line_chart(key="e", title="T", desc="", points=[]))
    assert empty.find(f"{NS}title").text == "T"


def test_sparkline_is_labelled_and_two_charts_never_share_an_id():
    a = _parse(sparkline(key="s", title="Referrals per week: 1, 3", values=[1, 3]))
    b = _parse(sparkline(key="s", title="Referrals per week: 1, 3", values=[1, 3]))
    assert a.get("role") == "img"
    assert a.find(f"{NS}title").text == "Referrals per week: 1, 3"
    assert a.get("aria-labelledby") != b.get("aria-labelledby")
    first, last = a.find(f"{NS}polyline").get("points").split()
    assert float(first.split(",")[1]) > float(last.split(",")[1])  # rising


@pytest.mark.django_db
def test_revenue_over_time_has_every_bucket_of_the_period(program, employee, reviewer):
    """Weeks for 30 days (each Monday from the period's first week, empty ones at zero);
    months for all time, at least six; the won deal in the bucket of today."""
    from datetime import timedelta

    from django.utils import timezone

    from portal.insight.forms import period_bounds
    from portal.insight.selectors import InsightFilters, InsightScope, revenue_over_time
    from portal.leads import services as leads
    from tests.factories import submit_lead

    lead = submit_lead(employee, program)
    leads.lead_qualify(lead=lead, actor=reviewer)
    leads.lead_mark_won(lead=lead, actor=reviewer, deal_value="1000.00", currency="EUR")
    today = timezone.localdate()
    start, end = period_bounds("30d", today)
    weeks = revenue_over_time(
        scope=InsightScope(everything=True), filters=InsightFilters(start=start, end=end)
    )["EUR"]
    assert weeks[0][0] == start - timedelta(days=start.weekday())
    assert all(b[0].weekday() == 0 for b in weeks) and len(weeks) in (5, 6)
    assert weeks[-1] == (today - timedelta(days=today.weekday()), Decimal("1000.00"))
    assert sum(v for _, v in weeks) == Decimal("1000.00")
    months = revenue_over_time(scope=InsightScope(everything=True), filters=InsightFilters())["EUR"]
    assert len(months) >= 6 and all(b[0].day == 1 for b in months)
    assert months[-1] == (today.replace(day=1), Decimal("1000.00"))
    assert revenue_over_time(scope=InsightScope(team_ids=()), filters=InsightFilters()) == {}

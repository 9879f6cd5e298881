# SPDX-License-Identifier: AGPL-3.0-or-later
"""Charts drawn on the server as inline SVG: no script, no style attribute, no CDN, so
they pass the strict CSP. Colours and sizes come from classes in static/css/vouch.css.

Each chart is an ``<svg role="img">`` labelled by its own ``<title>`` and ``<desc>``,
scales to its container (``viewBox``, width 100 %), and every mark carries a ``<title>``
with its exact figure. The page shows the same figures in a table beside the chart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import count

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

_ids = count(1)


@dataclass(frozen=True)
class Point:
    """One mark: its label (a step, a month) and its value, with the text a reader hears."""

    label: str
    value: Decimal | int
    text: str = ""  # the value as shown ("1 234", "€ 1 234,00"); str(value) when empty


def _text(p: Point) -> str:
    return p.text or str(p.value)


def _svg(*, key: str, title: str, desc: str, width: int, height: int, css: str, body: str) -> str:
    uid = f"chart-{key}-{next(_ids)}"
    return (
        f'<svg class="chart {css}" viewBox="0 0 {width} {height}" width="100%" '
        f'preserveAspectRatio="xMidYMid meet" role="img" '
        f'aria-labelledby="{uid}-t {uid}-d" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{uid}-t">{escape(title)}</title><desc id="{uid}-d">{escape(desc)}</desc>'
        f"{body}</svg>"
    )


def _clip(label: str, n: int) -> str:
    return label if len(label) <= n else label[: n - 1] + "…"


def bar_chart(*, key: str, title: str, desc: str, points: Sequence[Point]) -> SafeString:
    """Horizontal bars, one per point, longest = the largest value; the label above each
    bar and the figure at its end. Negative values draw as empty bars."""
    width, row, top = 400, 36, 4
    height = top + row * max(len(points), 1)
    biggest = max((float(p.value) for p in points), default=0.0) or 1.0
    parts = []
    for i, p in enumerate(points):
        y = top + i * row
        length = max(float(p.value), 0.0) / biggest * (width - 90)
        parts.append(
            format_html(
                '<g class="bar"><title>{}: {}</title>'
                '<text class="chart-label" x="0" y="{}">{}</text>'
                '<rect class="chart-bar" x="0" y="{}" width="{}" height="14" rx="3"></rect>'
                '<text class="chart-value" x="{}" y="{}">{}</text></g>',
                p.label,
                _text(p),
                y + 11,
                _clip(p.label, 60),
                y + 16,
                f"{length:.1f}",
                f"{length + 6:.1f}",
                y + 27,
                _text(p),
            )
        )
    return mark_safe(  # noqa: S308 - every piece is escaped above
        _svg(
            key=key,
            title=title,
            desc=desc,
            width=width,
            height=height,
            css="chart-bars",
            body="".join(parts),
        )
    )


def line_chart(*, key: str, title: str, desc: str, points: Sequence[Point]) -> SafeString:
    """A line through the points in order (oldest first), a dot per point with its figure
    in a title, the first and last labels under the axis and the highest figure above."""
    width, height, left, right, top, bottom = 400, 160, 8, 8, 22, 24
    values = [float(p.value) for p in points]
    low, high = min([0.0, *values]), max([0.0, *values])
    span = (high - low) or 1.0
    inner_w, inner_h = width - left - right, height - top - bottom
    step = inner_w / (len(points) - 1) if len(points) > 1 else 0.0

    def xy(i: int, v: float) -> tuple[float, float]:
        x = left + (i * step if len(points) > 1 else inner_w / 2)
        return x, top + inner_h - (v - low) / span * inner_h

    coords = [xy(i, v) for i, v in enumerate(values)]
    zero_y = xy(0, 0.0)[1]
    parts = [
        format_html(
            '<line class="chart-axis" x1="{}" y1="{}" x2="{}" y2="{}"></line>',
            left,
            f"{zero_y:.1f}",
            width - right,
            f"{zero_y:.1f}",
        )
    ]
    if len(coords) > 1:
        parts.append(
            format_html(
                '<polyline class="chart-line" points="{}"></polyline>',
                " ".join(f"{x:.1f},{y:.1f}" for x, y in coords),
            )
        )
    for p, (x, y) in zip(points, coords, strict=True):
        parts.append(
            format_html(
                '<circle class="chart-dot" cx="{}" cy="{}" r="3.5"><title>{}: {}</title></circle>',
                f"{x:.1f}",
                f"{y:.1f}",
                p.label,
                _text(p),
            )
        )
    if points:
        best = max(range(len(points)), key=lambda i: values[i])
        bx, by = coords[best]
        anchor = "start" if bx < width / 3 else "end" if bx > 2 * width / 3 else "middle"
        parts.append(
            format_html(
                '<text class="chart-value" x="{}" y="{}" text-anchor="{}">{}</text>',
                f"{bx:.1f}",
                f"{max(by - 8, 12):.1f}",
                anchor,
                _text(points[best]),
            )
        )
        parts.append(
            format_html(
                '<text class="chart-label" x="{}" y="{}">{}</text>',
                left,
                height - 6,
                points[0].label,
            )
        )
        if len(points) > 1:
            parts.append(
                format_html(
                    '<text class="chart-label" x="{}" y="{}" text-anchor="end">{}</text>',
                    width - right,
                    height - 6,
                    points[-1].label,
                )
            )
    return mark_safe(  # noqa: S308 - every piece is escaped above
        _svg(
            key=key,
            title=title,
            desc=desc,
            width=width,
            height=height,
            css="chart-line-chart",
            body="".join(parts),
        )
    )


def sparkline(*, key: str, title: str, values: Sequence[int | Decimal]) -> SafeString:
    """A small trend line for a table cell; ``title`` says what it shows in words (the
    figures themselves are in the row)."""
    width, height = 100, 24
    nums = [float(v) for v in values] or [0.0]
    low, high = min(nums), max(nums)
    span = (high - low) or 1.0
    step = width / (len(nums) - 1) if len(nums) > 1 else 0.0
    pts = " ".join(
        f"{i * step:.1f},{height - 2 - (v - low) / span * (height - 4):.1f}"
        for i, v in enumerate(nums)
    )
    uid = f"spark-{key}-{next(_ids)}"
    return format_html(
        '<svg class="chart sparkline" viewBox="0 0 {} {}" role="img" aria-labelledby="{}" '
        'xmlns="http://www.w3.org/2000/svg"><title id="{}">{}</title>'
        '<polyline class="chart-line" points="{}"></polyline></svg>',
        width,
        height,
        uid,
        uid,
        title,
        pts,
    )

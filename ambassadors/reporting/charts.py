"""Small server-rendered SVG charts: no JavaScript, no CDN, nothing for the CSP to block.

Each chart carries a <title> and <desc> (read by screen readers through aria-labelledby)
and each bar its own <title> (a tooltip with the exact number). Pages always put the same
numbers in a table next to the chart, which is the real accessible version.

Phones: an SVG scales with its width, so a 720-unit chart on a 390 px screen would shrink
its 11-unit labels to 5 px. Bar charts over time are therefore rendered twice: the wide
chart, and a horizontal one (one labelled row per bar, 360 units wide, so text stays at
about its set size) that the stylesheet shows instead below 600 px. Horizontal charts are
narrow to begin with and never grow past 540 px. No script either way.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 720
HEIGHT = 240
LEFT = 52
RIGHT = 12
TOP = 14
BOTTOM = 30
MAX_X_LABELS = 8


def nice_ceiling(value: int) -> int:
    """A round axis maximum (1, 2, 5 × 10^n) at or above `value`."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power  # pragma: no cover - the loop always returns


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


NARROW = 360


def _open(
    chart_id: str, title: str, description: str, width: int, height: int, extra_class: str = ""
) -> list[str]:
    cid = escape(chart_id)
    css = f"chart {extra_class}".strip()
    return [
        f'<svg class="{css}" id="{cid}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{cid}-title {cid}-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{cid}-title">{escape(title)}</title>',
        f'<desc id="{cid}-desc">{escape(description)}</desc>',
    ]


def _short(label: str, limit: int = 13) -> str:
    """Row labels longer than the label column are cut (the full text is in the bar's
    <title> and in the table)."""
    return label if len(label) <= limit else label[: limit - 1] + "…"


def bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    labels: Sequence[str],
    values: Sequence[int],
    series_class: str = "chart-bar",
) -> SafeString:
    """Vertical bars over time, with a y axis of three gridlines, plus the same bars as a
    horizontal chart for phones (see the module docstring)."""
    parts = ['<div class="chart-pair">']
    parts += _open(chart_id, title, description, WIDTH, HEIGHT, "chart-wide")
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    top_value = nice_ceiling(max(values, default=0))
    # counts are whole numbers: a middle line only where it falls on one
    for fraction in (0, 0.5, 1) if top_value % 2 == 0 else (0, 1):
        y = TOP + plot_h * (1 - fraction)
        parts.append(
            f'<line class="chart-grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" '
            f'y1="{_number(y)}" y2="{_number(y)}"/>'
            f'<text class="chart-axis" x="{LEFT - 6}" y="{_number(y + 4)}" '
            f'text-anchor="end">{_number(top_value * fraction)}</text>'
        )
    count = max(len(values), 1)
    slot = plot_w / count
    bar = max(slot * 0.8, 1)
    every = max(1, math.ceil(count / MAX_X_LABELS))
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        height = plot_h * value / top_value
        x = LEFT + slot * index + (slot - bar) / 2
        y = TOP + plot_h - height
        parts.append(
            f'<rect class="{escape(series_class)}" x="{_number(x)}" y="{_number(y)}" '
            f'width="{_number(bar)}" height="{_number(height)}">'
            f"<title>{escape(label)}: {value}</title></rect>"
        )
        if index % every == 0:
            parts.append(
                f'<text class="chart-axis" x="{_number(LEFT + slot * index + slot / 2)}" '
                f'y="{HEIGHT - 10}" text-anchor="middle">{escape(label)}</text>'
            )
    parts.append("</svg>")
    parts.append(
        horizontal_bar_chart(
            chart_id=f"{chart_id}-narrow",
            title=title,
            description=description,
            labels=labels,
            values=values,
            series_class=series_class,
            extra_class="chart-narrow",
        )
    )
    parts.append("</div>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def horizontal_bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    labels: Sequence[str],
    values: Sequence[int],
    series_class: str = "chart-bar",
    extra_class: str = "chart-horizontal",
) -> SafeString:
    """One labelled bar per row (networks, departments, or the bars of a chart over time
    on a phone), in the order given, 360 units wide: legible at 390 px."""
    row = 24
    label_w = 96
    height = 6 + row * max(len(values), 1) + 4
    width = NARROW
    parts = _open(chart_id, title, description, width, height, extra_class)
    top_value = nice_ceiling(max(values, default=0))
    plot_w = width - label_w - RIGHT - 44
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = 6 + row * index
        bar = plot_w * value / top_value
        parts.append(
            f'<text class="chart-label" x="{label_w - 6}" y="{y + 15}" '
            f'text-anchor="end">{escape(_short(label))}</text>'
            f'<rect class="{escape(series_class)}" x="{label_w}" y="{y + 3}" '
            f'width="{_number(bar)}" height="{row - 8}">'
            f"<title>{escape(label)}: {value}</title></rect>"
            f'<text class="chart-label" x="{_number(label_w + bar + 5)}" '
            f'y="{y + 15}">{value}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped

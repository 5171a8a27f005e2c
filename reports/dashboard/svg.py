"""Server-side SVG charts. Every mark has a text label and a fill pattern: none relies on colour."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from accounts.crp_signals import CrpSignals
from core.money import currency_symbol
from health.bands import AMBER, GREEN, INSUFFICIENT, RED
from reports.dashboard.aggregates import BandSlice, FeeMatrix, Mover

WIDTH = 420
BAR_HEIGHT = 22
GAP = 8
LABEL_WIDTH = 150

# (fill, pattern marks): solid, stripes, dots and cross-hatch tell series apart in greyscale
PATTERNS = {
    "green": (GREEN, ""),
    "amber": (AMBER, '<path d="M0 6 L6 0" stroke="#fff" stroke-width="1.5"/>'),
    "red": (RED, '<circle cx="3" cy="3" r="1.4" fill="#fff"/>'),
    "insufficient": (INSUFFICIENT, '<path d="M0 0 L6 6 M6 0 L0 6" stroke="#fff" stroke-width="1"/>'),
    "none": ("#b8c0cc", '<path d="M0 3 H6" stroke="#fff" stroke-width="1"/>'),
    "s0": ("#1f4e79", ""),
    "s1": ("#4a7fb5", '<path d="M0 6 L6 0" stroke="#fff" stroke-width="1.5"/>'),
    "s2": ("#9bbce0", '<circle cx="3" cy="3" r="1.4" fill="#1f4e79"/>'),
    "up": (GREEN, ""),
    "down": (RED, '<path d="M0 6 L6 0" stroke="#fff" stroke-width="1.5"/>'),
}


def _h(template: str, *args: object) -> str:
    """Like format_html, but numbers keep their format specs; text arguments are escaped."""
    return template.format(*[escape(a) if isinstance(a, str) else a for a in args])


def _label(text: str, x: float, y: float, width_chars: int = 21) -> str:
    """A chart label in at most two lines around baseline `y`; a name longer still ends in "…" and
    keeps its whole text in a tooltip, so no label is cut mid-word without notice."""
    words, lines = text.split(), [""]
    for word in words:
        candidate = f"{lines[-1]} {word}".strip()
        if len(candidate) <= width_chars or not lines[-1]:
            lines[-1] = candidate
        else:
            lines.append(word)
    if len(lines) > 2:
        lines = [lines[0], " ".join(lines[1:])]
    lines = [line if len(line) <= width_chars else line[: width_chars - 1] + "…" for line in lines]
    if len(lines) == 1:
        return _h('<text x="{}" y="{}" class="chart-label"><title>{}</title>{}</text>', x, y, text, lines[0])
    return _h(
        '<text x="{}" y="{}" class="chart-label"><title>{}</title><tspan x="{}" dy="-0.5em">{}</tspan>'
        '<tspan x="{}" dy="1.1em">{}</tspan></text>',
        x,
        y,
        text,
        x,
        lines[0],
        x,
        lines[1],
    )


def _defs(prefix: str, names: Sequence[str]) -> str:
    parts = []
    for name in names:
        fill, marks = PATTERNS[name]
        parts.append(
            f'<pattern id="{prefix}-{name}" width="6" height="6" patternUnits="userSpaceOnUse">'
            f'<rect width="6" height="6" fill="{fill}"/>{marks}</pattern>'
        )
    return "<defs>" + "".join(parts) + "</defs>"


def _svg(chart_id: str, title: str, height: int, body: str, width: int = WIDTH) -> SafeString:
    return mark_safe(  # noqa: S308  # nosec B308 B703 - every text part below is escaped when built
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{chart_id}-title" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-title">{escape(title)}</title>{body}</svg>'
    )


def _money(value: Decimal | float) -> str:
    value = float(value)
    symbol = currency_symbol()
    sign = "-" if value < 0 else ""
    value = abs(value)
    if value >= 1_000_000:
        return f"{sign}{symbol}{value / 1_000_000:.1f}m"
    if value >= 1_000:
        return f"{sign}{symbol}{value / 1_000:.0f}k"
    return f"{sign}{symbol}{value:.0f}"


def band_distribution(slices: list[BandSlice]) -> SafeString:
    rows = len(slices)
    height = rows * (BAR_HEIGHT + GAP) + GAP
    largest = max((s.count for s in slices), default=0) or 1
    span = WIDTH - LABEL_WIDTH - 90
    body = [_defs("band", [s.band or "none" for s in slices])]
    for index, item in enumerate(slices):
        y = GAP + index * (BAR_HEIGHT + GAP)
        width = max(item.count / largest * span, 1 if item.count else 0)
        body.append(
            _h(
                '<text x="0" y="{}" class="chart-label">{}</text>'
                '<rect x="{}" y="{}" width="{:.1f}" height="{}" fill="url(#band-{})"/>'
                '<text x="{:.1f}" y="{}" class="chart-value">{} ({:.0f}%)</text>',
                y + 16,
                item.label,
                LABEL_WIDTH,
                y,
                width,
                BAR_HEIGHT,
                item.band or "none",
                LABEL_WIDTH + width + 6,
                y + 16,
                item.count,
                item.share,
            )
        )
    return _svg("chart-bands", "Clients by health band", height, "".join(body))


def score_line(points: list[tuple[str, float | None]]) -> SafeString:
    height, left, bottom, top = 200, 34, 30, 14
    plot_w, plot_h = WIDTH - left - 10, height - bottom - top
    step = plot_w / max(len(points) - 1, 1)
    body = []
    for tick in (0, 50, 100):
        y = top + plot_h - tick / 100 * plot_h
        body.append(
            _h(
                '<line x1="{}" x2="{}" y1="{:.1f}" y2="{:.1f}" class="chart-grid"/>'
                '<text x="0" y="{:.1f}" class="chart-axis">{}</text>',
                left,
                WIDTH - 10,
                y,
                y,
                y + 4,
                tick,
            )
        )
    coords = []
    for index, (label, value) in enumerate(points):
        x = left + index * step
        if index % 2 == 0 or index == len(points) - 1:
            body.append(
                _h(
                    '<text x="{:.1f}" y="{}" class="chart-axis" text-anchor="middle">{}</text>',
                    x,
                    height - 8,
                    label[:3],
                )
            )
        if value is None:
            continue
        y = top + plot_h - value / 100 * plot_h
        coords.append(f"{x:.1f},{y:.1f}")
        body.append(
            _h(
                '<circle cx="{:.1f}" cy="{:.1f}" r="3" class="chart-point"><title>{}: {:.1f}</title></circle>',
                x,
                y,
                label,
                value,
            )
        )
    if coords:
        body.insert(0, f'<polyline points="{" ".join(coords)}" class="chart-line"/>')
        last = next(((label, value) for label, value in reversed(points) if value is not None))
        body.append(
            _h(
                '<text x="{}" y="{}" class="chart-value" text-anchor="end">Latest {:.1f}</text>',
                WIDTH - 10,
                top - 2,
                last[1],
            )
        )
    return _svg("chart-average", "Average health score over the last 12 months", height, "".join(body))


def fees_by_line(matrix: FeeMatrix) -> SafeString:
    series = len(matrix.years)
    group = series * 12 + GAP
    legend = 22
    height = legend + len(matrix.rows) * group + GAP
    span = WIDTH - LABEL_WIDTH - 60
    largest = float(matrix.largest) or 1.0
    body = [_defs("fee", [f"s{i}" for i in range(series)])]
    for i, year in enumerate(matrix.years):
        body.append(
            _h(
                '<rect x="{}" y="2" width="12" height="12" fill="url(#fee-s{})"/>'
                '<text x="{}" y="13" class="chart-axis">FY{}</text>',
                LABEL_WIDTH + i * 70,
                i,
                LABEL_WIDTH + i * 70 + 16,
                year,
            )
        )
    for row, (line, amounts) in enumerate(matrix.rows):
        y0 = legend + row * group
        body.append(_label(line, 0, y0 + group / 2 + 2))
        for i, amount in enumerate(amounts):
            width = float(amount) / largest * span
            y = y0 + i * 12
            body.append(
                _h(
                    '<rect x="{}" y="{}" width="{:.1f}" height="10" fill="url(#fee-s{})">'
                    "<title>{} FY{}: {}</title></rect>"
                    '<text x="{:.1f}" y="{}" class="chart-small">{}</text>',
                    LABEL_WIDTH,
                    y,
                    width,
                    i,
                    line,
                    matrix.years[i],
                    _money(amount),
                    LABEL_WIDTH + width + 4,
                    y + 9,
                    _money(amount),
                )
            )
    return _svg("chart-fees", "Fees by service line and financial year", height, "".join(body))


def movers(up: list[Mover], down: list[Mover]) -> SafeString:
    rows = up + down
    height = max(len(rows), 1) * (BAR_HEIGHT + 4) + GAP
    middle = LABEL_WIDTH + (WIDTH - LABEL_WIDTH) / 2
    half = (WIDTH - LABEL_WIDTH) / 2 - 40
    largest = max((abs(float(m.trend)) for m in rows), default=0) or 1.0
    body = [
        _defs("move", ["up", "down"]),
        _h('<line x1="{}" x2="{}" y1="0" y2="{}" class="chart-grid"/>', middle, middle, height),
    ]
    for index, mover in enumerate(rows):
        y = GAP / 2 + index * (BAR_HEIGHT + 4)
        change = float(mover.trend)
        width = abs(change) / largest * half
        x = middle if change >= 0 else middle - width
        label_x = middle + width + 4 if change >= 0 else middle - width - 4
        anchor = "start" if change >= 0 else "end"
        body.append(_label(mover.name, 0, round(y + 15, 1)))
        body.append(
            _h(
                '<rect x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{}" fill="url(#move-{})"/>'
                '<text x="{:.1f}" y="{:.1f}" class="chart-value" text-anchor="{}">{}{:.1f}</text>',
                x,
                y,
                width,
                BAR_HEIGHT - 4,
                "up" if change >= 0 else "down",
                label_x,
                y + 15,
                anchor,
                "▲ +" if change >= 0 else "▼ ",
                change,
            )
        )
    return _svg("chart-movers", "Biggest score movers over 90 days", height, "".join(body))


def workload(rows: list[CrpSignals]) -> SafeString:
    height = max(len(rows), 1) * (BAR_HEIGHT + GAP) + GAP
    span = WIDTH - LABEL_WIDTH - 110
    largest = max((float(r.workload) for r in rows), default=0) or 1.0
    body = [_defs("load", ["s0"])]
    for index, row in enumerate(rows):
        y = GAP + index * (BAR_HEIGHT + GAP)
        width = float(row.workload) / largest * span
        body.append(_label(row.name, 0, y + 16))
        body.append(
            _h(
                '<rect x="{}" y="{}" width="{:.1f}" height="{}" fill="url(#load-s0)"/>'
                '<text x="{:.1f}" y="{}" class="chart-value">{} clients · {:.1f}</text>',
                LABEL_WIDTH,
                y,
                width,
                BAR_HEIGHT,
                LABEL_WIDTH + width + 6,
                y + 16,
                row.led,
                row.workload,
            )
        )
    return _svg("chart-workload", "CRP workload (clients weighted by tier)", height, "".join(body))


def sparkline(points: list[float], width: int = 90, height: int = 24) -> SafeString:
    """A tiny line of a client's scores; the trend figure beside it says the same in text."""
    if len(points) < 2:
        return mark_safe('<span class="muted">—</span>')  # nosec B308 B703 - a constant
    step = width / (len(points) - 1)
    coords = " ".join(f"{i * step:.1f},{height - 2 - p / 100 * (height - 4):.1f}" for i, p in enumerate(points))
    return mark_safe(  # noqa: S308  # nosec B308 B703 - numbers only
        f'<svg class="spark" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        'aria-hidden="true" '
        f'focusable="false"><polyline points="{coords}"/></svg>'
    )

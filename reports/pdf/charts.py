"""Vector charts as inline SVG, drawn on the server so the PDF stays sharp at any zoom."""

from __future__ import annotations

from collections import Counter

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from health.bands import BAND_COLOURS
from reports.pdf.periods import Quarter

INK, GRID = "#1d2433", "#d9dee7"


def _svg(width: int, height: int, body: list[str], title: str) -> SafeString:
    return mark_safe(  # noqa: S308 - every interpolated text below passes through escape()  # nosec B308 B703 - reviewed: built from escaped parts
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">' + "".join(body) + "</svg>"
    )


def _text(x: float, y: float, text: str, size: int = 9, anchor: str = "middle", fill: str = INK) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'fill="{fill}" font-family="DejaVu Sans, sans-serif">{escape(text)}</text>'
    )


def trend_chart(
    points: list[tuple[Quarter, int | None]],
    green: float,
    amber: float,
    width: int = 420,
    height: int = 150,
) -> SafeString:
    """Score by quarter with the band thresholds as dashed lines."""
    left, right, top, bottom = 30, 24, 10, 22
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(len(points) - 1, 1)

    def y(value: float) -> float:
        return top + plot_h * (1 - value / 100)

    body = [f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="#fff" stroke="{GRID}"/>']
    for threshold, colour in [(green, BAND_COLOURS["green"]), (amber, BAND_COLOURS["red"])]:
        body.append(
            f'<line x1="{left}" x2="{left + plot_w}" '
            f'y1="{y(threshold):.1f}" y2="{y(threshold):.1f}" '
            f'stroke="{colour}" stroke-dasharray="4 3" stroke-width="1"/>'
        )
    for tick in (0, 50, 100):
        body.append(_text(left - 4, y(tick) + 3, str(tick), 8, "end"))
    coords = []
    for i, (quarter, value) in enumerate(points):
        x = left + i * step
        body.append(_text(x, height - 6, quarter.label, 8))
        if value is not None:
            coords.append((x, y(value), value))
    if len(coords) > 1:
        path = " ".join(f"{x:.1f},{yy:.1f}" for x, yy, _ in coords)
        body.append(f'<polyline points="{path}" fill="none" stroke="{INK}" stroke-width="2"/>')
    for x, yy, value in coords:
        body.append(f'<circle cx="{x:.1f}" cy="{yy:.1f}" r="3" fill="{INK}"/>')
        body.append(_text(x, yy - 6, str(value), 8))
    if not coords:
        body.append(_text(left + plot_w / 2, top + plot_h / 2, "No scores recorded yet", 10))
    return _svg(width, height, body, "Health score by quarter")


def component_bars(components: list[dict], width: int = 420) -> SafeString:
    """Each measure's normalised score (0 to 100), longest bar first."""
    rows = [c for c in components if not c.get("missing")]
    bar_h, label_w = 16, 150
    height = max(len(rows), 1) * (bar_h + 4) + 8
    body = []
    for i, component in enumerate(rows):
        y = 4 + i * (bar_h + 4)
        value = float(component.get("normalised") or 0)
        length = (width - label_w - 40) * max(min(value, 100), 0) / 100
        body.append(_text(label_w - 6, y + 12, str(component.get("name", ""))[:28], 9, "end"))
        body.append(f'<rect x="{label_w}" y="{y}" width="{length:.1f}" height="{bar_h}" fill="#3b6ea5"/>')
        body.append(_text(label_w + length + 4, y + 12, f"{value:.0f}", 9, "start"))
    if not rows:
        body.append(_text(width / 2, 16, "No measures recorded yet", 10))
    return _svg(width, height, body, "Health score by measure")


def heat_map(cells: Counter, size: int = 26) -> SafeString:
    """Open risks on a likelihood-by-impact grid, counts in each cell."""
    left, bottom = 40, 26
    width, height = left + 5 * size + 6, 5 * size + bottom + 6
    body = []
    for likelihood in range(1, 6):
        for impact in range(1, 6):
            severity = likelihood * impact
            colour = "#f6d5d1" if severity >= 15 else "#fbeccb" if severity >= 8 else "#e3efe6"
            x, y = left + (impact - 1) * size, 4 + (5 - likelihood) * size
            body.append(f'<rect x="{x}" y="{y}" width="{size}" height="{size}" fill="{colour}" stroke="#fff"/>')
            if count := cells.get((likelihood, impact)):
                body.append(_text(x + size / 2, y + size / 2 + 4, str(count), 10))
        body.append(_text(left - 6, 4 + (5 - likelihood) * size + size / 2 + 3, str(likelihood), 8, "end"))
    for impact in range(1, 6):
        body.append(_text(left + (impact - 0.5) * size, 4 + 5 * size + 10, str(impact), 8))
    body.append(_text(left + 2.5 * size, height - 2, "Impact →", 8))
    middle = 4 + 2.5 * size
    body.append(
        f'<text x="12" y="{middle:.1f}" font-size="8" text-anchor="middle" fill="{INK}" '
        f'font-family="DejaVu Sans, sans-serif" transform="rotate(-90 12 {middle:.1f})">'
        "Likelihood →</text>"
    )
    return _svg(width, height, body, "Risk heat-map: likelihood by impact")


def band_bars(now: Counter, before: Counter, now_label: str, before_label: str, width: int = 420) -> SafeString:
    """Band distribution this quarter against last, as two stacked bars."""
    bands = ["green", "amber", "red", "insufficient"]
    label_w, bar_h = 60, 22
    body = []
    for row, (label, counts) in enumerate([(before_label, before), (now_label, now)]):
        y = 6 + row * (bar_h + 12)
        total = sum(counts.values()) or 1
        x = float(label_w)
        body.append(_text(label_w - 6, y + 15, label, 9, "end"))
        for band in bands:
            share = (width - label_w - 10) * counts.get(band, 0) / total
            if share:
                body.append(
                    f'<rect x="{x:.1f}" y="{y}" width="{share:.1f}" height="{bar_h}" fill="{BAND_COLOURS[band]}"/>'
                )
                body.append(_text(x + share / 2, y + 15, str(counts[band]), 9, fill="#fff"))
            x += share
    return _svg(width, 2 * (bar_h + 12) + 6, body, "Clients by band, last quarter and this quarter")

"""Small server-rendered SVG charts: people would rather look than read."""

from __future__ import annotations

from html import escape

from markupsafe import Markup

W, H, PAD = 560, 220, 36


def bars(labels: list[str], values: list[float], *, title: str) -> Markup:
    """Horizontal bars, one per label, with the value at the end of each bar."""
    top = max(values, default=0) or 1
    row = (H - PAD) / max(len(values), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" role="img" '
        f'aria-label="{escape(title)}" class="chart"><title>{escape(title)}</title>'
    ]
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = PAD / 2 + i * row
        width = (W - 200) * value / top
        parts.append(
            f'<text x="0" y="{y + row * 0.6:.1f}" class="chart-label">{escape(label)}</text>'
            f'<rect x="150" y="{y + row * 0.15:.1f}" width="{width:.1f}" '
            f'height="{row * 0.7:.1f}" class="chart-bar"/>'
            f'<text x="{156 + width:.1f}" y="{y + row * 0.6:.1f}" '
            f'class="chart-value">{value:g}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def line(labels: list[str], values: list[float], *, title: str, unit: str) -> Markup:
    """A cumulative line over months, with the last value written out."""
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" role="img" '
        f'aria-label="{escape(title)}" class="chart"><title>{escape(title)}</title>'
    ]
    if not values:
        parts.append(
            f'<text x="{W / 2}" y="{H / 2}" text-anchor="middle" class="chart-label">–</text></svg>'
        )
        return Markup("".join(parts))
    top = max(values) or 1
    step = (W - 2 * PAD) / max(len(values) - 1, 1)
    points = [(PAD + i * step, H - PAD - (H - 2 * PAD) * v / top) for i, v in enumerate(values)]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    parts.append(f'<polyline points="{path}" class="chart-line" fill="none"/>')
    for (x, y), label in zip(points, labels, strict=True):
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" class="chart-dot"/>'
            f'<text x="{x:.1f}" y="{H - 8}" text-anchor="middle" '
            f'class="chart-label">{escape(label)}</text>'
        )
    x, y = points[-1]
    parts.append(
        f'<text x="{x:.1f}" y="{max(y - 8, 12):.1f}" text-anchor="end" '
        f'class="chart-value">{values[-1]:g} {escape(unit)}</text></svg>'
    )
    return Markup("".join(parts))

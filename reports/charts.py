"""Charts as inline SVG, drawn on the server, used unchanged by the pages and the PDF.

Each chart has a <title> and <desc> (read out by screen readers, `role="img"`), prints every
value as text next to its mark, and tells series apart by marker shape and line pattern as well
as colour. The page and the PDF also show the figures in a table next to the chart.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from html import escape

from django.utils.safestring import SafeString, mark_safe

FONT = "Helvetica, Arial, DejaVu Sans, sans-serif"
BLUE = "#1d70b8"
DARK = "#0b0c0c"
GREY = "#505a5f"
LIGHT = "#b1b4b6"
SERIES_STYLES = [  # colour, dash pattern, marker
    ("#1d70b8", "", "circle"),
    ("#d4351c", "6 3", "square"),
    ("#00703c", "2 3", "triangle"),
    ("#4c2c92", "10 4 2 4", "diamond"),
]


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal | None
    reference: Decimal | None = None  # e.g. the national figure for this school's phase
    note: str = ""  # shown after the value, e.g. "no census"


def _fmt(value: Decimal | None, unit: str) -> str:
    return "no figures" if value is None else f"{value}{unit}"


def _svg_open(chart_id: str, width: int, height: int, title: str, desc: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="report-chart" id="{escape(chart_id)}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" '
        f'font-family="{FONT}" font-size="12">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-desc">{escape(desc)}</desc>',
    ]


def _nice_max(values: list[Decimal | None]) -> Decimal:
    top = max([v for v in values if v is not None] or [Decimal(1)])
    step = Decimal(5) if top > 10 else Decimal(1)
    return max(step, ((top / step).to_integral_value(rounding="ROUND_CEILING")) * step)


def bar_chart(
    *,
    chart_id: str,
    title: str,
    desc: str,
    bars: list[Bar],
    unit: str = "%",
    reference_label: str = "national",
    width: int = 680,
    label_width: int = 230,
) -> SafeString:
    """Horizontal bars, one per row, each with its reference value as a dashed mark
    (the national average for the row's phase) and its value written at the end."""
    row_h, top, bottom = 22, 44, 26
    height = top + row_h * max(len(bars), 1) + bottom
    plot_w = width - label_width - 110
    scale_max = _nice_max([b.value for b in bars] + [b.reference for b in bars])

    ratio = plot_w / float(scale_max)

    def x(v: Decimal) -> float:
        return label_width + float(v) * ratio

    out = _svg_open(chart_id, width, height, title, desc)
    # Axis with ticks every fifth of the scale.
    for i in range(6):
        v = scale_max * i / 5
        xi = x(v)
        out.append(
            f'<line x1="{xi:.1f}" y1="{top - 4}" x2="{xi:.1f}" y2="{height - bottom}" '
            f'stroke="{LIGHT}" stroke-width="0.5"/>'
        )
        out.append(
            f'<text x="{xi:.1f}" y="{height - bottom + 14}" text-anchor="middle" '
            f'fill="{GREY}" font-size="10">{v.normalize():f}{escape(unit)}</text>'
        )
    out.append(f'<text x="0" y="14" fill="{DARK}" font-size="13" font-weight="bold">{escape(title)}</text>')
    out.append(
        f'<text x="{label_width}" y="32" fill="{GREY}" font-size="11">Bars: figure. '
        f"Dashed mark: {escape(reference_label)} figure.</text>"
    )
    for i, bar in enumerate(bars):
        y = top + i * row_h
        out.append(
            f'<text x="{label_width - 6}" y="{y + 15}" text-anchor="end" fill="{DARK}">'
            f"{escape(bar.label[:36])}</text>"
        )
        if bar.value is not None:
            w = max(x(bar.value) - label_width, 0.5)
            out.append(
                f'<rect x="{label_width}" y="{y + 4}" width="{w:.1f}" height="{row_h - 8}" fill="{BLUE}"/>'
            )
        if bar.reference is not None:
            xr = x(bar.reference)
            out.append(
                f'<line x1="{xr:.1f}" y1="{y + 1}" x2="{xr:.1f}" y2="{y + row_h - 1}" '
                f'stroke="{DARK}" stroke-width="2" stroke-dasharray="3 2"/>'
            )
        text = _fmt(bar.value, unit)
        if bar.value is not None and bar.reference is not None:
            diff = bar.value - bar.reference
            text += f" ({'+' if diff >= 0 else '−'}{abs(diff)} vs {bar.reference}{unit})"
        if bar.note:
            text += f" {bar.note}"
        end = max(
            x(bar.value) if bar.value is not None else label_width,
            x(bar.reference) if bar.reference is not None else label_width,
        )
        out.append(f'<text x="{end + 6:.1f}" y="{y + 15}" fill="{DARK}" font-size="11">{escape(text)}</text>')
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every text above is escaped


@dataclass(frozen=True)
class Series:
    name: str
    values: list[Decimal | None]
    dashed_reference: Decimal | None = None  # e.g. the national figure, drawn as a flat line


def _marker(kind: str, cx: float, cy: float, colour: str) -> str:
    if kind == "square":
        return f'<rect x="{cx - 4:.1f}" y="{cy - 4:.1f}" width="8" height="8" fill="{colour}"/>'
    if kind == "triangle":
        return (
            f'<path d="M{cx:.1f} {cy - 5:.1f} L{cx + 5:.1f} {cy + 4:.1f} L{cx - 5:.1f} '
            f'{cy + 4:.1f} Z" fill="{colour}"/>'
        )
    if kind == "diamond":
        return (
            f'<path d="M{cx:.1f} {cy - 5:.1f} L{cx + 5:.1f} {cy:.1f} L{cx:.1f} {cy + 5:.1f} '
            f'L{cx - 5:.1f} {cy:.1f} Z" fill="{colour}"/>'
        )
    return f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="4" fill="{colour}"/>'


def line_chart(
    *,
    chart_id: str,
    title: str,
    desc: str,
    labels: list[str],
    series: list[Series],
    unit: str = "%",
    width: int = 760,
    height: int = 260,
) -> SafeString:
    """Lines over censuses (x: census labels), each series with its own colour, dash pattern
    and marker, its last value written at the end, and an optional flat reference line."""
    left, right, top, bottom = 50, 270, 34, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    scale_max = _nice_max([v for s in series for v in s.values] + [s.dashed_reference for s in series])
    n = max(len(labels), 1)

    def x(i: int) -> float:
        return left + (plot_w * (i + 0.5) / n)

    def y(v: Decimal) -> float:
        return top + plot_h - float(v / scale_max) * plot_h

    out = _svg_open(chart_id, width, height, title, desc)
    for i in range(6):
        v = scale_max * i / 5
        yi = y(v)
        out.append(
            f'<line x1="{left}" y1="{yi:.1f}" x2="{left + plot_w}" y2="{yi:.1f}" '
            f'stroke="{LIGHT}" stroke-width="0.5"/>'
        )
        out.append(
            f'<text x="{left - 6}" y="{yi + 4:.1f}" text-anchor="end" fill="{GREY}" '
            f'font-size="10">{v.normalize():f}{escape(unit)}</text>'
        )
    out.append(f'<text x="0" y="14" fill="{DARK}" font-size="13" font-weight="bold">{escape(title)}</text>')
    for i, label in enumerate(labels):
        out.append(
            f'<text x="{x(i):.1f}" y="{height - bottom + 16}" text-anchor="middle" '
            f'fill="{DARK}" font-size="11">{escape(label)}</text>'
        )
    label_slots: list[float] = []
    for s_index, s in enumerate(series):
        colour, dash, marker = SERIES_STYLES[s_index % len(SERIES_STYLES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        if s.dashed_reference is not None:
            yr = y(s.dashed_reference)
            out.append(
                f'<line x1="{left}" y1="{yr:.1f}" x2="{left + plot_w}" y2="{yr:.1f}" '
                f'stroke="{colour}" stroke-width="1" stroke-dasharray="1 3"/>'
            )
        points = [(x(i), y(v), v) for i, v in enumerate(s.values) if v is not None]
        if len(points) > 1:
            path = " ".join(
                f"{'M' if j == 0 else 'L'}{px:.1f} {py:.1f}" for j, (px, py, _) in enumerate(points)
            )
            out.append(f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="2"{dash_attr}/>')
        for px, py, _ in points:
            out.append(_marker(marker, px, py, colour))
        if points:
            _, last_y, last_v = points[-1]
            ly = last_y + 4
            while any(abs(ly - other) < 13 for other in label_slots):
                ly += 13
            label_slots.append(ly)
            ref = f" (national {s.dashed_reference}{unit})" if s.dashed_reference is not None else ""
            out.append(_marker(marker, left + plot_w + 12, ly - 4, colour))
            out.append(
                f'<text x="{left + plot_w + 20}" y="{ly:.1f}" fill="{DARK}" font-size="11">'
                f"{escape(s.name)} {last_v}{escape(unit)}{escape(ref)}</text>"
            )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every text above is escaped

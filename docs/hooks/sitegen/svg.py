"""Small, dependency-free SVG bar charts, rendered at build time (no script, no network)."""

from __future__ import annotations

from html import escape

FONT = "font-family:'Noto Sans',Roboto,'DejaVu Sans',Arial,sans-serif;font-size:12px"


def bar_chart(title: str, items: list[tuple[str, int]], color: str = "#3f51b5", unit: str = "") -> str:
    """A horizontal bar chart: one labelled bar per (label, value), values written at the bar ends."""
    label_w = max((len(label) for label, _ in items), default=4) * 7 + 12
    bar_w, row_h, top = 360, 20, 28
    vmax = max((v for _, v in items), default=0) or 1
    height = top + row_h * len(items) + 8
    width = label_w + bar_w + 60
    rows = []
    for i, (label, value) in enumerate(items):
        y = top + i * row_h
        w = round(bar_w * value / vmax, 1)
        rows.append(f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end">{escape(label)}</text>'
                    f'<rect x="{label_w}" y="{y + 3}" width="{w}" height="{row_h - 6}" fill="{color}"><title>{escape(label)}: {value}{unit}</title></rect>'
                    f'<text x="{label_w + w + 4}" y="{y + 14}">{value}</text>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
            f'role="img" aria-label="{escape(title)}" style="{FONT}"><title>{escape(title)}</title>'
            f'<rect width="100%" height="100%" fill="#ffffff"/>'
            f'<text x="4" y="16" style="font-weight:bold">{escape(title)}</text>{"".join(rows)}</svg>\n')

"""A resource's counterparts drawn as SVG at build time: the resource in the middle, each
counterpart on a circle around it, the line as wide as the events they share."""

from __future__ import annotations

import math
from html import escape

from dipkg.web.view import Link

WIDTH, HEIGHT, RADIUS = 720, 440, 165
MOST = 24


def drawing(centre: str, counterparts: list[tuple[Link, int]]) -> str:
    """The SVG (a string of markup, its text escaped) of at most MOST counterparts."""
    shown = counterparts[:MOST]
    if not shown:
        return ""
    cx, cy = WIDTH / 2, HEIGHT / 2
    widest = max(count for _, count in shown)
    lines, nodes = [], []
    for index, (who, count) in enumerate(shown):
        angle = 2 * math.pi * index / len(shown) - math.pi / 2
        x, y = cx + RADIUS * math.cos(angle), cy + RADIUS * math.sin(angle)
        stroke = 1 + 5 * count / widest
        lines.append(
            f'<line x1="{cx:.1f}" y1="{cy:.1f}" x2="{x:.1f}" y2="{y:.1f}" stroke-width="{stroke:.1f}"/>'
        )
        anchor = "start" if math.cos(angle) > 0.2 else "end" if math.cos(angle) < -0.2 else "middle"
        dx = 9 if anchor == "start" else -9 if anchor == "end" else 0
        dy = 4 if anchor != "middle" else (16 if math.sin(angle) > 0 else -10)
        label = escape(who.text if len(who.text) <= 28 else who.text[:27] + "…")
        circle = f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6"/>'
        text = f'<text x="{x + dx:.1f}" y="{y + dy:.1f}" text-anchor="{anchor}">{label}</text>'
        title = f"<title>{escape(who.text)}: {count} event{'s' if count != 1 else ''}</title>"
        if who.href and not who.external:
            nodes.append(f'<a href="{escape(who.href)}">{title}{circle}{text}</a>')
        else:
            nodes.append(f"<g>{title}{circle}{text}</g>")
    centre_label = escape(centre if len(centre) <= 32 else centre[:31] + "…")
    return (
        f'<svg class="network" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img" '
        f'aria-label="{escape(centre)} and the {len(shown)} parties it shares events with">'
        + "".join(lines)
        + f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="10"/>'
        + f'<text x="{cx:.1f}" y="{cy + 26:.1f}" text-anchor="middle" font-weight="bold">'
        + f"{centre_label}</text>"
        + "".join(nodes)
        + "</svg>"
    )

"""The genealogy picture: boxes in columns by level (ancestors left, the lot, descendants right), as SVG text.

Pure: nodes and links in, SVG out. Every text is escaped here, so the page may
insert the result as it is. Colours and sizes are presentation attributes
(the Content-Security-Policy forbids inline styles).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from html import escape

WIDTH, HEIGHT = 190, 46  # one box
COLUMN_GAP, ROW_GAP, MARGIN = 90, 18, 12
LABEL_CHARS = 24  # longer names are cut (the box's title keeps them whole)
_FILL = {"root": "#dcfce7", "lot": "#ffffff", "group": "#e0e7ff", "more": "#f3f4f6"}
_HELD_STROKE, _STROKE = "#991b1b", "#374151"


@dataclass(frozen=True, slots=True)
class Node:
    """One box: a lot (`count` 1), or a group of `count` lots of one item at one level."""

    id: str
    level: int  # negative: ancestors, 0: the lot itself, positive: descendants
    label: str  # first line: "BREAD-W W-0001", or the item of a group
    detail: str  # second line: "held", "18,000 lots", "expires 2026-01-08"
    title: str  # what a screen reader and a hovering mouse get
    href: str | None = None
    kind: str = "lot"  # root, lot, group, more
    held: bool = False
    count: int = 1


@dataclass(frozen=True, slots=True)
class Link:
    source: str  # the node the material came from
    target: str  # the node it went into
    label: str  # the quantity on the edge ("4 kg"), or ""
    title: str


@dataclass(frozen=True, slots=True)
class Placed:
    node: Node
    x: int
    y: int


def place(nodes: list[Node]) -> dict[str, Placed]:
    """Each node's top-left corner: one column per level, left to right, nodes in the order given."""
    columns: dict[int, list[Node]] = defaultdict(list)
    for node in nodes:
        columns[node.level].append(node)
    first = min(columns, default=0)
    placed = {}
    for level, members in columns.items():
        x = MARGIN + (level - first) * (WIDTH + COLUMN_GAP)
        for row, node in enumerate(members):
            placed[node.id] = Placed(node, x, MARGIN + row * (HEIGHT + ROW_GAP))
    return placed


def svg(nodes: list[Node], links: list[Link], description: str) -> str:
    """The picture as one <svg> element, with a <title> and a description for screen readers."""
    placed = place(nodes)
    width = max((p.x + WIDTH for p in placed.values()), default=0) + MARGIN
    height = max((p.y + HEIGHT for p in placed.values()), default=0) + MARGIN
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-labelledby="genealogy-title genealogy-desc" '
        'font-family="system-ui, sans-serif" font-size="13">',
        f'<title id="genealogy-title">Genealogy</title><desc id="genealogy-desc">{_text(description)}</desc>',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#4b5563"/></marker></defs>',
    ]
    parts += [_link(link, placed[link.source], placed[link.target]) for link in links if _drawn(link, placed)]
    parts += [_box(p) for p in placed.values()]
    parts.append("</svg>")
    return "\n".join(parts)


def _drawn(link: Link, placed: dict[str, Placed]) -> bool:
    return link.source in placed and link.target in placed and link.source != link.target


def _link(link: Link, source: Placed, target: Placed) -> str:
    middle = HEIGHT // 2
    if target.x > source.x:  # the usual way: out of the right side, into the left side
        x1, y1, x2, y2 = source.x + WIDTH, source.y + middle, target.x, target.y + middle
        bend = (x2 - x1) // 2
        path = f"M {x1} {y1} C {x1 + bend} {y1}, {x2 - bend} {y2}, {x2} {y2}"
    else:  # rework within a level or back to an earlier one: a loop around the right side
        x1, y1, x2, y2 = source.x + WIDTH, source.y + middle, target.x + WIDTH, target.y + middle
        reach = COLUMN_GAP // 2 + (source.x - target.x) // 8
        path = f"M {x1} {y1} C {x1 + reach} {y1}, {x2 + reach} {y2}, {x2} {y2}"
    label = ""
    if link.label:
        # Near the source, where arrows are still apart (they crowd where they meet at their target).
        if target.x > source.x:
            lx, ly = x1 + (x2 - x1) * 3 // 10, y1 + (y2 - y1) // 10 - 4
        else:
            lx, ly = x1 + COLUMN_GAP // 3, (y1 + y2) // 2 - 4
        label = (
            f'<text x="{lx}" y="{ly}" text-anchor="middle" fill="#111827" stroke="#ffffff" stroke-width="4" '
            f'paint-order="stroke">{_text(link.label)}</text>'
        )
    return (
        f'<g class="link"><title>{_text(link.title)}</title>'
        f'<path d="{path}" fill="none" stroke="#4b5563" stroke-width="1.5" marker-end="url(#arrow)"/>{label}</g>'
    )


def _box(placed: Placed) -> str:
    node, x, y = placed.node, placed.x, placed.y
    stroke = _HELD_STROKE if node.held else _STROKE
    dash = ' stroke-dasharray="6 3"' if node.kind in ("group", "more") else ""
    body = (
        f'<rect x="{x}" y="{y}" width="{WIDTH}" height="{HEIGHT}" rx="6" fill="{_FILL.get(node.kind, "#ffffff")}" '
        f'stroke="{stroke}" stroke-width="{3 if node.kind == "root" or node.held else 1.5}"{dash}/>'
        f'<text x="{x + 10}" y="{y + 19}" font-weight="700" fill="#111827">{_text(_cut(node.label))}</text>'
        f'<text x="{x + 10}" y="{y + 37}" fill="{_HELD_STROKE if node.held else "#374151"}">'
        f"{_text(_cut(node.detail))}</text>"
    )
    if node.href is None:
        return f'<g class="node"><title>{_text(node.title)}</title>{body}</g>'
    return (
        f'<a class="node" href="{escape(node.href)}" aria-label="{escape(node.title)}">'
        f"<title>{_text(node.title)}</title>{body}</a>"
    )


def _cut(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def _text(value: str) -> str:
    return escape(value, quote=False)

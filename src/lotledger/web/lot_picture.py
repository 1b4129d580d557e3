"""From a lot's genealogy (domain.genealogy.Picture) to the boxes and arrows of its SVG, with their links."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from lotledger.domain import genealogy as gen
from lotledger.domain.model import LotKey
from lotledger.web.genealogy import Link, Node, svg
from lotledger.web.links import lot_url
from lotledger.web.render import quantity


def node_id(box: gen.Box) -> str:
    if isinstance(box, gen.Group):
        return f"group:{box.level}:{box.item}"
    return f"lot:{box.sku}/{box.code}"


def expand_of(group: gen.Group) -> gen.Expand:
    return gen.Expand("up" if group.level < 0 else "down", abs(group.level), group.item)


def picture_url(key: LotKey, up: int, down: int, expand: gen.Expand | None = None) -> str:
    """The lot page with this much genealogy, scrolled to the picture."""
    query = {"up": up, "down": down, **({"expand": str(expand)} if expand else {})}
    return f"{lot_url(key)}?{urlencode(query)}#genealogy"


def drawing(picture: gen.Picture, up: int, down: int, today: Callable[[gen.Relative], str]) -> str:
    """The SVG of `picture`; `today` words a lot's state ("held", "expires 2026-01-08")."""
    root = picture.root
    nodes = [_lot_node(root, 0, today, "root")]
    for level in sorted(set(picture.lots) | set(picture.groups)):
        nodes += [_lot_node(relative, level, today) for relative in picture.lots.get(level, [])]
        nodes += [_group_node(root.lot, group, up, down) for group in picture.groups.get(level, [])]
    links = [
        Link(node_id(j.parent), node_id(j.child), _qty(j), f"{_name(j.parent)} went into {_name(j.child)}{_of(j)}")
        for j in picture.joints
    ]
    return svg(nodes, links, describe(picture))


def describe(picture: gen.Picture) -> str:
    up = sum(1 for level in set(picture.lots) | set(picture.groups) if level < 0)
    down = sum(1 for level in set(picture.lots) | set(picture.groups) if level > 0)
    return (
        f"{picture.root.lot.sku} {picture.root.lot.code} in the middle, {up} levels of ancestors to its left "
        f"and {down} levels of descendants to its right; each arrow shows what went into what."
    )


def _lot_node(relative: gen.Relative, level: int, state: Callable[[gen.Relative], str], kind: str = "lot") -> Node:
    lot = relative.lot
    detail = state(relative)
    title = f"{lot.sku} {lot.code}" + (f", {detail}" if detail else "") + ("" if kind != "root" else " (this lot)")
    return Node(
        node_id(lot),
        level,
        f"{lot.sku} {lot.code}",
        detail or ("this lot" if kind == "root" else ""),
        title,
        lot_url(lot),
        kind,
        relative.held,
    )


def _group_node(root: LotKey, group: gen.Group, up: int, down: int) -> Node:
    side = "ancestors" if group.level < 0 else "descendants"
    rest = group.lots - group.shown
    if group.shown:  # an opened group: the lots not drawn
        return Node(
            node_id(group),
            group.level,
            group.item,
            f"{rest:,} more lots",
            f"{rest:,} more {group.item} lots are not drawn",
            None,
            "more",
            count=rest,
        )
    where = "at every level" if group.all_depths else f"{abs(group.level)} levels away"
    return Node(
        node_id(group),
        group.level,
        group.item,
        f"{group.lots:,} lots",
        f"{group.lots:,} {group.item} lots among the {side} {where}: open the group to see them",
        picture_url(root, up, down, expand_of(group)),
        "group",
        count=group.lots,
    )


def _qty(joint: gen.Joint) -> str:
    return f"{quantity(joint.qty)} {joint.uom}" if joint.qty is not None else ""


def _of(joint: gen.Joint) -> str:
    return f" ({_qty(joint)} of it)" if joint.qty is not None else ""


def _name(box: gen.Box) -> str:
    if isinstance(box, gen.Group):
        return f"{box.lots - box.shown:,} {box.item} lots"
    return f"{box.sku} {box.code}"

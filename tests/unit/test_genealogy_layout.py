"""The genealogy picture's layout: columns left to right by level, no two boxes on top of each other, groups counted."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from lotledger.web.genealogy import HEIGHT, WIDTH, Link, Node, place, svg


def nodes() -> list[Node]:
    return [
        Node("lot:BREAD/B1", 1, "BREAD B1", "", "BREAD B1", "/lots/BREAD/B1"),
        Node("lot:FLOUR/F1", -1, "FLOUR F1", "", "FLOUR F1", "/lots/FLOUR/F1"),
        Node("lot:DOUGH/D1", 0, "DOUGH D1", "this lot", "DOUGH D1 (this lot)", "/lots/DOUGH/D1", "root"),
        Node("lot:SALT/S1", -1, "SALT S1", "held", "SALT S1, held", "/lots/SALT/S1", held=True),
        Node(
            "group:2:BREAD-W",
            2,
            "BREAD-W",
            "18,000 lots",
            "18,000 BREAD-W lots",
            "?expand=down:2:BREAD-W",
            "group",
            count=18000,
        ),
    ]


def test_levels_are_columns_from_left_to_right() -> None:
    placed = place(nodes())
    x = {node_id: p.x for node_id, p in placed.items()}
    assert x["lot:FLOUR/F1"] == x["lot:SALT/S1"] < x["lot:DOUGH/D1"] < x["lot:BREAD/B1"] < x["group:2:BREAD-W"]


def test_no_two_boxes_overlap() -> None:
    many = nodes() + [Node(f"lot:BREAD/B{n}", 1, f"BREAD B{n}", "", "", None) for n in range(2, 15)]
    boxes = list(place(many).values())
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            apart = a.x + WIDTH <= b.x or b.x + WIDTH <= a.x or a.y + HEIGHT <= b.y or b.y + HEIGHT <= a.y
            assert apart, f"{a.node.id} overlaps {b.node.id}"


def test_the_svg_is_well_formed_with_links_titles_counts_and_quantities() -> None:
    links = [
        Link("lot:FLOUR/F1", "lot:DOUGH/D1", "50 kg", "FLOUR F1 went into DOUGH D1 (50 kg of it)"),
        Link("lot:DOUGH/D1", "group:2:BREAD-W", "", "DOUGH D1 went into 18,000 BREAD-W lots"),
        Link("lot:DOUGH/D1", "lot:NOT/DRAWN", "1 kg", "left out: its end is not drawn"),
    ]
    text = svg(nodes(), links, "DOUGH D1 in the middle")
    root = ET.fromstring(text)  # well formed, every text escaped
    ns = "{http://www.w3.org/2000/svg}"
    anchors = {a.get("href"): a for a in root.iter(f"{ns}a")}
    assert set(anchors) == {
        "/lots/BREAD/B1",
        "/lots/FLOUR/F1",
        "/lots/DOUGH/D1",
        "/lots/SALT/S1",
        "?expand=down:2:BREAD-W",
    }
    assert all(a.find(f"{ns}title") is not None and a.get("aria-label") for a in anchors.values())
    group_text = [t.text for t in anchors["?expand=down:2:BREAD-W"].iter(f"{ns}text")]
    assert group_text == ["BREAD-W", "18,000 lots"]
    assert [t.text for g in root.iter(f"{ns}g") for t in g.iter(f"{ns}text")] == ["50 kg"]  # one drawn label
    assert len(re.findall(r"<path d=\"M \d+ \d+ C", text)) == 2  # the link to a box not drawn is left out


def test_names_are_escaped_and_long_ones_cut() -> None:
    odd = Node("lot:X/<b>", 0, "X <b>&" + "y" * 40, "", "X <b>&", "/lots/X/%3Cb%3E", "root")
    text = svg([odd], [], "a <lot>")
    ET.fromstring(text)
    assert "<b>" not in text
    assert "X &lt;b&gt;&amp;" in text
    assert "…" in text

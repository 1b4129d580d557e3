"""A salad plant for the FSMA 204 export: suppliers with and without their lot codes and addresses,
a transformation with several inputs and outputs, a pallet, shipments to two customers, a return, a void.

Days (UTC): receipts on 2 March, the salad made, packed, shipped and returned on 3 March, a second
lettuce receipt on 5 March."""

from __future__ import annotations

from typing import Any

from lotledger.domain.model import Item, Location, Partner
from tests.factories import ATTRIBUTION, line, record

PALLET = "106141412345678908"
PLANT_GLN = "0614141000012"
FARM_GLN = "0614141000029"
PLANT_PLACE = ("Salad plant", "+1 555 0100", "1 Field Road", "Salinas", "CA", "93901", "US")
FARM_PLACE = ("Green Farm", "+1 555 0110", "7 Valley Lane", "Salinas", "CA", "93908", "US")
SHOP_PLACE = ("Shop", "+1 555 0140", "9 Market Street", "Monterey", "CA", "93940", "US")
DELI_PLACE = ("Deli", "+1 555 0150", "5 Main Street", "Carmel", "CA", "93921", "US")


def _address(place: tuple[str, ...]) -> dict[str, str]:
    return dict(zip(("phone", "address", "city", "region", "postal_code", "country"), place[1:], strict=True))


ITEMS = [
    Item(
        "LETTUCE",
        "Romaine hearts",
        "kg",
        brand="Green",
        commodity="leafy greens",
        variety="romaine",
        pack_size="10 kg",
        pack_style="carton",
        ftl=True,
    ),
    Item("TOMATO", "Tomatoes", "kg", commodity="tomatoes", ftl=True),  # no packaging: missing KDEs
    Item("BAG", "Salad bag", "ea", pack_size="1000", pack_style="box"),  # packaging, not on the list
    Item(
        "SALAD",
        "Garden salad",
        "kg",
        brand="Green",
        commodity="fresh-cut leafy greens",
        pack_size="250 g",
        pack_style="bag",
        ftl=True,
    ),
]
LOCATIONS = [
    Location("PLANT", PLANT_PLACE[0], "site", gln=PLANT_GLN, fda_registration="12345678901", **_address(PLANT_PLACE)),
    Location("RAW", "Raw store", "warehouse", "PLANT"),
    Location("LINE", "Salad line", "line", "PLANT"),
]
PARTNERS = [
    Partner("FARM", FARM_PLACE[0], "supplier", gln=FARM_GLN, **_address(FARM_PLACE)),
    Partner("GROWER", "Grower without an address", "supplier"),
    Partner("SHOP", SHOP_PLACE[0], "customer", **_address(SHOP_PLACE)),
    Partner("DELI", DELI_PLACE[0], "customer", **_address(DELI_PLACE)),
]


def salad_plant(app: Any) -> dict[str, str]:
    """Record the plant; returns the event ids by name."""
    for master in [*LOCATIONS, *ITEMS, *PARTNERS]:
        app.master_data.save(master, ATTRIBUTION)
    ids: dict[str, str] = {}

    def event(name: str, document: dict[str, Any]) -> None:
        ids[name] = record(app, document).id

    receipt = {"type": "receive", "location": "RAW"}
    event(
        "lettuce",
        {
            **receipt,
            "time": "2026-03-02T08:00:00Z",
            "partner": "FARM",
            "reference": "PO-1",
            "lines": [line("LETTUCE", "L-1", 100, supplier_lot="FARM-77")],
        },
    )
    event(
        "tomato",
        {
            **receipt,
            "time": "2026-03-02T09:00:00Z",
            "partner": "GROWER",
            "reference": "PO-2",
            "lines": [line("TOMATO", "T-1", 50)],
        },
    )
    event(
        "bags",
        {
            **receipt,
            "time": "2026-03-02T10:00:00Z",
            "partner": "FARM",
            "reference": "PO-3",
            "lines": [line("BAG", "B-1", 500, "ea", supplier_lot="BAGS-1")],
        },
    )
    inputs = [
        line("LETTUCE", "L-1", 60, location="RAW"),
        line("TOMATO", "T-1", 20, location="RAW"),
        line("BAG", "B-1", 280, "ea", location="RAW"),
    ]
    event(
        "salad",
        {
            "type": "produce",
            "time": "2026-03-03T07:00:00Z",
            "location": "LINE",
            "reference": "WO-1",
            "inputs": inputs,
            "outputs": [line("SALAD", "S-1", 40), line("SALAD", "S-2", 30)],
        },
    )
    event(
        "pack",
        {
            "type": "pack",
            "time": "2026-03-03T08:00:00Z",
            "location": "LINE",
            "container": PALLET,
            "lines": [line("SALAD", "S-1", 40)],
        },
    )
    ship = {"type": "ship", "location": "LINE"}
    event(
        "pallet",
        {**ship, "time": "2026-03-03T09:00:00Z", "partner": "SHOP", "reference": "SO-1", "containers": [PALLET]},
    )
    event(
        "deli",
        {
            **ship,
            "time": "2026-03-03T09:30:00Z",
            "partner": "DELI",
            "reference": "SO-2",
            "lines": [line("SALAD", "S-2", 10)],
        },
    )
    event(
        "lettuce_on",
        {
            **ship,
            "time": "2026-03-03T10:00:00Z",
            "location": "RAW",
            "partner": "DELI",
            "lines": [line("LETTUCE", "L-1", 10)],
        },
    )  # no reference: a missing KDE
    event(
        "mistake",
        {
            **ship,
            "time": "2026-03-03T10:30:00Z",
            "partner": "SHOP",
            "reference": "SO-4",
            "lines": [line("SALAD", "S-2", 5)],
        },
    )
    event(
        "void",
        {
            "type": "void",
            "time": "2026-03-03T10:45:00Z",
            "location": "LINE",
            "target": ids["mistake"],
            "reason": "keyed in twice",
        },
    )
    event(
        "return",
        {
            "type": "return",
            "time": "2026-03-03T11:00:00Z",
            "location": "LINE",
            "partner": "DELI",
            "reference": "RMA-1",
            "lines": [line("SALAD", "S-2", 4)],
        },
    )
    event(
        "move",
        {
            "type": "move",
            "time": "2026-03-03T12:00:00Z",
            "location": "LINE",
            "to_location": "RAW",
            "lines": [line("SALAD", "S-2", 4)],
        },
    )
    event(
        "later",
        {
            **receipt,
            "time": "2026-03-05T08:00:00Z",
            "partner": "FARM",
            "reference": "PO-5",
            "lines": [line("LETTUCE", "L-2", 80, supplier_lot="FARM-78")],
        },
    )
    return ids

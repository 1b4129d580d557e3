"""The hash chain's rows: one link per event (`event_chain`) and the head (`chain_head`)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import Connection, func, insert, select, update

from lotledger.domain.chain import GENESIS, Head, StoredLink, link
from lotledger.storage import schema as t

_HEAD = select(t.chain_head.c.position, t.chain_head.c.link).where(t.chain_head.c.id == 1)
Attributed = tuple[str, str, datetime, str, str]  # event id, body hash, recorded at, by, client


def read_head(conn: Connection, *, for_update: bool = False) -> Head:
    """The last link; on PostgreSQL `for_update` makes concurrent writers take turns at extending it."""
    query = _HEAD.with_for_update() if for_update and conn.dialect.name == "postgresql" else _HEAD
    row = conn.execute(query).first()
    return Head(0, GENESIS) if row is None else Head(row.position, row.link)


def append(conn: Connection, head: Head, events: list[Attributed]) -> Head:
    """Chain `events` (in recording order) after `head`; the new head."""
    if not events:
        return head
    rows, previous, position = [], head.link, head.position
    for event_id, body_hash, recorded_at, recorded_by, client in events:
        position += 1
        previous = link(previous, body_hash, recorded_at, recorded_by, client)
        rows.append((position, event_id, previous))
    # straight to the driver, as the events themselves (SQLAlchemy's per-row processing costs more)
    sql = "INSERT INTO event_chain (position, event_id, link) VALUES (?, ?, ?)"
    conn.exec_driver_sql(sql if conn.dialect.paramstyle == "qmark" else sql.replace("?", "%s"), rows)
    new = Head(position, previous)
    if head.position == 0:
        conn.execute(insert(t.chain_head).values(id=1, position=new.position, link=new.link))
    else:
        conn.execute(update(t.chain_head).where(t.chain_head.c.id == 1).values(position=new.position, link=new.link))
    return new


def stored_links(conn: Connection) -> Iterator[StoredLink]:
    """Every event with its link, in chain order (streamed: a million events do not sit in memory)."""
    e, c = t.events.c, t.event_chain.c
    query = (
        select(c.position, e.id, e.document, e.body_hash, e.recorded_at, e.recorded_by, e.client, c.link)
        .select_from(t.event_chain.join(t.events, t.events.c.id == c.event_id))
        .order_by(c.position)
    )
    for row in conn.execution_options(yield_per=10_000).execute(query):
        yield StoredLink(row.position, row.id, row.document, row.body_hash, row.recorded_at, row.recorded_by,
                         row.client, row.link)  # fmt: skip


def link_at(conn: Connection, position: int) -> str | None:
    query = select(t.event_chain.c.link).where(t.event_chain.c.position == position)
    found: str | None = conn.execute(query).scalar()
    return found


def event_count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(t.events)).scalar_one())

"""Hand out SSCCs from a counter kept in the database."""

from __future__ import annotations

from sqlalchemy import Engine, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from lotledger.domain.errors import ValidationError
from lotledger.domain.model import make_sscc
from lotledger.storage import schema as t


class SsccAllocator:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def allocate(self, company_prefix: str, extension: str = "0", count: int = 1) -> list[str]:
        """`count` new SSCCs: counted up in one transaction, skipping any already on record.

        The counter row is updated in place (a row lock on PostgreSQL, the write
        lock on SQLite), so concurrent callers never get the same serial."""
        if not 1 <= count <= 10_000:
            raise ValidationError(f"allocate 1 to 10000 SSCCs at a time, not {count}", "count")
        make_sscc(extension, company_prefix, 0)  # validates prefix and extension
        stem = extension + company_prefix
        found: list[str] = []
        with self.engine.begin() as conn:
            insert = (pg_insert if conn.dialect.name == "postgresql" else sqlite_insert)(t.sscc_counters)
            conn.execute(insert.values(stem=stem, last_serial=0).on_conflict_do_nothing(index_elements=["stem"]))
            while len(found) < count:
                wanted = count - len(found)
                last: int = conn.execute(
                    update(t.sscc_counters)
                    .where(t.sscc_counters.c.stem == stem)
                    .values(last_serial=t.sscc_counters.c.last_serial + wanted)
                    .returning(t.sscc_counters.c.last_serial)
                ).scalar_one()
                batch = [make_sscc(extension, company_prefix, serial) for serial in range(last - wanted + 1, last + 1)]
                used: set[str] = set(
                    conn.execute(
                        select(t.movements.c.container).where(t.movements.c.container.in_(batch)).distinct()
                    ).scalars()
                )
                found += [sscc for sscc in batch if sscc not in used]
        return found

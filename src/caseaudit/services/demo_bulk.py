"""Bulk inserts of plain row tuples, at driver speed on SQLite.

The demo writes up to a million rows. On SQLite (plain or SQLCipher) ``BulkInsert`` hands the
rows straight to the driver's ``executemany``, after passing each value through the column's
own SQLAlchemy bind processor, so what is stored is exactly what an ORM insert would store
(dates, timestamps, enums and booleans spelled the SQLAlchemy way). Elsewhere (PostgreSQL) it
uses an ordinary Core ``insert`` with one dict per row. Either way the rows join the session's
transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

Processor = Callable[[Any], Any]


class BulkInsert:
    """``writer(table, columns, rows)`` inserts ``rows`` (tuples in ``columns`` order)."""

    #: Whether SQLite rows may go straight to the driver (tests turn it off to compare).
    allow_direct = True

    def __init__(self, session: Session) -> None:
        self.session = session
        self.dialect = session.get_bind().dialect
        self.direct = self.allow_direct and self.dialect.name == "sqlite"
        self._prepared: dict[tuple[str, tuple[str, ...]], tuple[str, list]] = {}

    def _prepare(self, table: Table, columns: tuple[str, ...]) -> tuple[str, list]:
        key = (table.name, columns)
        if key not in self._prepared:
            quote = self.dialect.identifier_preparer.quote
            names = ", ".join(quote(name) for name in columns)
            marks = ", ".join("?" for _ in columns)
            sql = f"INSERT INTO {quote(table.name)} ({names}) VALUES ({marks})"
            processors = []
            for index, name in enumerate(columns):
                column_type = table.c[name].type.dialect_impl(self.dialect)
                processor = column_type.bind_processor(self.dialect)
                if processor is not None:
                    processors.append((index, processor))
            self._prepared[key] = (sql, processors)
        return self._prepared[key]

    def __call__(self, table: Table, columns: tuple[str, ...], rows: Sequence[tuple]) -> None:
        if not rows:
            return
        if not self.direct:
            self.session.execute(
                insert(table), [dict(zip(columns, row, strict=True)) for row in rows]
            )
            return
        sql, processors = self._prepare(table, columns)
        if processors:
            converted = []
            for row in rows:
                values = list(row)
                for index, processor in processors:
                    values[index] = processor(values[index])
                converted.append(tuple(values))
            rows = converted
        self.session.connection().exec_driver_sql(sql, list(rows))
